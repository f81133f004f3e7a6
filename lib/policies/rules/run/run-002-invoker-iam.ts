import { ALL_STAGES, PolicyRule, compliant, nonCompliant } from "../../rule";
import { bool } from "../../view";

export const RUN_002: PolicyRule = {
  id: "RUN-002",
  what: "Cloud Run's invoker IAM check stays on (invoker_iam_disabled is not true)",
  why: "With the check off, every request is let through without authentication, whatever the IAM grants say.",
  fix: "Remove invoker_iam_disabled (or set it to false) and grant roles/run.invoker to the callers.",
  severity: "error",
  stages: ALL_STAGES,
  resourceTypes: ["google_cloud_run_v2_service"],
  check: (r) =>
    bool(r.attrs.invoker_iam_disabled) === true ? nonCompliant("invoker_iam_disabled is true") : compliant,
};
