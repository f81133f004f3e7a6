/**
 * The cases of SCHED-001 (a schedule calls Cloud Run with an account of its own), one compliant
 * and one non-compliant stack each (lib/policies/rules/sched/): rules/sched.test.ts runs them, and
 * pack.test.ts checks that every rule of the folder has one.
 */
import { Case, JOB_SA, job, schedule } from "../../builders";

export const CASES: Case[] = [
  [
    "SCHED-001",
    "development",
    (s) => {
      job(s);
      schedule(s, "train-sched@acme-ml-prod.iam.gserviceaccount.com");
    },
    (s) => {
      job(s);
      schedule(s, JOB_SA);
    },
    /it calls the job as train-job@acme-ml-prod.iam.gserviceaccount.com, the job's own runtime account/,
  ],
];
