/** API-001 (lib/policies/rules/api/), cdk-nag style: its compliant and non-compliant cases (cases/api.ts). */
import { runCases } from "../builders";
import { CASES } from "./cases/api";

runCases(CASES);
