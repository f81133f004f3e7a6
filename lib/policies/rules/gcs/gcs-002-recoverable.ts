import { ALL_STAGES, PolicyRule, compliant, nonCompliant, notApplicable } from "../../rule";
import { backendBucket, bool, get } from "../../view";

export const GCS_002: PolicyRule = {
  id: "GCS-002",
  what: "Cloud Storage buckets keep what was overwritten or deleted: versioning on, soft delete not turned off, no force_destroy",
  why: "A training run that writes a bad model over a good one, or a stray delete, is undone only from an earlier version; force_destroy lets a destroy empty the bucket without asking.",
  fix: "Create the bucket with ModelBucket (versioning, a lifecycle rule for old versions, soft delete, force_destroy = false).",
  severity: "error",
  stages: ALL_STAGES,
  equivalent: "CKV_GCP_78 (checkov)",
  resourceTypes: ["google_storage_bucket"],
  check: (r) => {
    // The state bucket has its own rule, STATE-002, with the same settings and more.
    if (r.attrs.name === backendBucket(r.stack)) return notApplicable;
    const problems = [
      bool(get(r.attrs, "versioning", "enabled")) === true ? undefined : "versioning is not enabled",
      get(r.attrs, "soft_delete_policy", "retention_duration_seconds") === 0 ? "soft delete is turned off" : undefined,
      bool(r.attrs.force_destroy) === true ? "force_destroy is true" : undefined,
    ].filter((p): p is string => p !== undefined);
    return problems.length === 0 ? compliant : nonCompliant(`${problems.join("; ")} on bucket ${String(r.attrs.name)}`);
  },
};
