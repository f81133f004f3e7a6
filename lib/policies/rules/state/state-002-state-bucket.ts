import { ALL_STAGES, PolicyRule, compliant, nonCompliant, notApplicable } from "../../rule";
import { backendBucket, bool } from "../../view";

/** The soft delete retention of a bucket, in seconds, when written. */
function softDeleteSeconds(policy: unknown): number | undefined {
  const p = (Array.isArray(policy) ? policy[0] : policy) as { retention_duration_seconds?: unknown } | undefined;
  return typeof p?.retention_duration_seconds === "number" ? p.retention_duration_seconds : undefined;
}

export const STATE_002: PolicyRule = {
  id: "STATE-002",
  what: "A bucket that holds this stack's state is versioned, private, uniform and recoverable: versioning on, public access prevention enforced, uniform bucket-level access, no force_destroy, soft delete kept",
  why: "State holds every resource id and often secrets: without versioning a bad apply or a deletion loses it for good; without enforced public access prevention and uniform access, one ACL can publish it.",
  fix: "Create the state bucket with StateBucket (the bootstrap stack does): versioning, public_access_prevention = enforced, uniform_bucket_level_access = true.",
  severity: "error",
  stages: ALL_STAGES,
  equivalent: "CKV_GCP_78, CKV_GCP_29, CKV_GCP_114 (checkov)",
  resourceTypes: ["google_storage_bucket"],
  check: (r) => {
    const stateBucket = backendBucket(r.stack);
    if (stateBucket === undefined || r.attrs.name !== stateBucket) return notApplicable;
    const versioning = (Array.isArray(r.attrs.versioning) ? r.attrs.versioning[0] : r.attrs.versioning) as
      | { enabled?: unknown }
      | undefined;
    const problems = [
      bool(versioning?.enabled) === true ? undefined : "versioning is not enabled",
      r.attrs.public_access_prevention === "enforced"
        ? undefined
        : `public_access_prevention is ${JSON.stringify(r.attrs.public_access_prevention ?? "inherited")}, not "enforced"`,
      bool(r.attrs.uniform_bucket_level_access) === true ? undefined : "uniform_bucket_level_access is not true",
      bool(r.attrs.force_destroy) === true ? "force_destroy is true" : undefined,
      softDeleteSeconds(r.attrs.soft_delete_policy) === 0 ? "soft delete is turned off" : undefined,
    ].filter((p): p is string => p !== undefined);
    return problems.length === 0
      ? compliant
      : nonCompliant(`${problems.join("; ")} on the state bucket ${stateBucket}`);
  },
};
