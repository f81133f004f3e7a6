import { iamTypes, noPublicGrant } from "../../iam-grants";
import { ALL_STAGES, PolicyRule } from "../../rule";

export const RUN_001: PolicyRule = {
  id: "RUN-001",
  what: "No Cloud Run service or job is callable by allUsers or allAuthenticatedUsers",
  why: "A public invoker lets anyone on the internet call the service and run up its bill; Cloud Run's IAM check is the only gate.",
  fix: "Grant roles/run.invoker to named principals (the gateway's service account); if the service really is public, acknowledge RUN-001 with the reason.",
  severity: "error",
  stages: ALL_STAGES,
  field: { path: "invokers", jobPath: "runners", of: "workload" },
  equivalent: "CKV_GCP_102 (checkov; for the v1 google_cloud_run_service IAM resources only)",
  resourceTypes: iamTypes("google_cloud_run_v2_service", "google_cloud_run_v2_job", "google_cloud_run_service"),
  check: (r) => noPublicGrant(r, "a Cloud Run workload"),
};
