/**
 * The cases of JOB-001 (a job's runtime account cannot start jobs), one compliant and one non-
 * compliant stack each (lib/policies/rules/job/): rules/job.test.ts runs them, and pack.test.ts
 * checks that every rule of the folder has one.
 */
import { Case, JOB_SA, generic, job } from "../../builders";

export const CASES: Case[] = [
  [
    "JOB-001",
    "development",
    (s) => {
      job(s);
      generic(s, "runner", "google_cloud_run_v2_job_iam_member", {
        name: "train",
        location: "europe-west1",
        role: "roles/run.invoker",
        member: "serviceAccount:ci@acme-ml-prod.iam.gserviceaccount.com",
      });
    },
    (s) => {
      job(s);
      generic(s, "runner", "google_cloud_run_v2_job_iam_member", {
        name: "train",
        location: "europe-west1",
        role: "roles/run.invoker",
        member: `serviceAccount:${JOB_SA}`,
      });
    },
    /train-job@acme-ml-prod.iam.gserviceaccount.com holds roles\/run.invoker \(google_cloud_run_v2_job_iam_member prod\/runner\)/,
  ],
];
