import { ALL_STAGES, PolicyRule, compliant, nonCompliant, notApplicable } from "../../rule";
import { backendBucket, bool } from "../../view";

export const GCS_001: PolicyRule = {
  id: "GCS-001",
  what: "Cloud Storage buckets are private: public access prevention enforced and uniform bucket-level access on",
  why: "Model weights and state are what a team most needs to keep: without enforced public access prevention one grant or ACL publishes them, and fine-grained ACLs escape the IAM policy reviewers read.",
  fix: 'Create the bucket with ModelBucket or StateBucket, or set public_access_prevention = "enforced" and uniform_bucket_level_access = true.',
  severity: "error",
  stages: ALL_STAGES,
  equivalent: "CKV_GCP_114, CKV_GCP_29 (checkov)",
  resourceTypes: ["google_storage_bucket"],
  check: (r) => {
    // The state bucket has its own rule, STATE-002, with the same settings and more.
    if (r.attrs.name === backendBucket(r.stack)) return notApplicable;
    const problems = [
      r.attrs.public_access_prevention === "enforced"
        ? undefined
        : `public_access_prevention is ${JSON.stringify(r.attrs.public_access_prevention ?? "inherited")}, not "enforced"`,
      bool(r.attrs.uniform_bucket_level_access) === true ? undefined : "uniform_bucket_level_access is not true",
    ].filter((p): p is string => p !== undefined);
    return problems.length === 0 ? compliant : nonCompliant(`${problems.join("; ")} on bucket ${String(r.attrs.name)}`);
  },
};
