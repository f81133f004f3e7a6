import { GUARDED_STAGES, PolicyRule, compliant, nonCompliant } from "../../rule";
import { bool } from "../../view";

export const RUN_005: PolicyRule = {
  id: "RUN-005",
  what: "Cloud Run services, jobs and worker pools keep deletion protection",
  why: "A destroy or a replacing plan would delete the service and its URL (a job its executions, a worker pool its running instances); deletion protection makes Terraform stop first.",
  fix: "Set deletion_protection = true (the default of CloudRunService, CloudRunJob and CloudRunWorkerPool).",
  severity: "error",
  stages: GUARDED_STAGES,
  field: { path: "deletionProtection", of: "workload" },
  resourceTypes: ["google_cloud_run_v2_service", "google_cloud_run_v2_job", "google_cloud_run_v2_worker_pool"],
  check: (r) =>
    bool(r.attrs.deletion_protection) === false ? nonCompliant("deletion_protection is false") : compliant,
};
