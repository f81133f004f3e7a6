import { ALL_STAGES, PolicyRule, nonCompliant } from "../../rule";

export const IAM_002: PolicyRule = {
  id: "IAM-002",
  what: "No service account key or HMAC key is created",
  why: "A key is a long-lived credential that works from anywhere until someone rotates it; pipelines authenticate by workload identity federation instead, with tokens that expire within the hour.",
  fix: "Remove the key; let the pipeline use the account through workload identity federation (GitHubWorkloadIdentity, the bootstrap stack).",
  severity: "error",
  stages: ALL_STAGES,
  equivalent: "CKV_GCP_45 (checkov, user-managed keys)",
  resourceTypes: ["google_service_account_key", "google_storage_hmac_key"],
  check: (r) =>
    nonCompliant(
      r.type === "google_storage_hmac_key"
        ? `an HMAC key is made for ${String(r.attrs.service_account_email ?? "a service account")}`
        : `a key is made for ${String(r.attrs.service_account_id ?? "a service account")}`,
    ),
};
