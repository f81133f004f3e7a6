/**
 * The Cloud Storage rules (lib/policies/rules/gcs/), cdk-nag style: each rule's compliant and
 * non-compliant cases (cases/gcs.ts). The state bucket is STATE-002's (rules/state.test.ts).
 */
import { runCases } from "../builders";
import { CASES } from "./cases/gcs";

runCases(CASES);
