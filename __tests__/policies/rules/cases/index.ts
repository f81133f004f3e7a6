/**
 * Every rule's cases, by the folder of lib/policies/rules/ its rules live in: each
 * rules/<folder>.test.ts runs its folder's, and pack.test.ts checks that every rule has one.
 */
import { Case } from "../../builders";
import { CASES as api } from "./api";
import { CASES as ar } from "./ar";
import { CASES as gcs } from "./gcs";
import { CASES as iam } from "./iam";
import { CASES as job } from "./job";
import { CASES as label } from "./label";
import { CASES as mon } from "./mon";
import { CASES as run } from "./run";
import { CASES as sched } from "./sched";
import { CASES as state } from "./state";

export const CASES_BY_FOLDER: Readonly<Record<string, readonly Case[]>> = {
  api,
  ar,
  gcs,
  iam,
  job,
  label,
  mon,
  run,
  sched,
  state,
};
