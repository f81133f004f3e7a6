import { GITHUB_OIDC_ISSUER } from "../../../gcp/workload-identity";
import { ALL_STAGES, PolicyRule, compliant, nonCompliant } from "../../rule";
import { isExpression } from "../../terraform-json";

export const IAM_003: PolicyRule = {
  id: "IAM-003",
  what: "A workload identity provider has an attribute condition; for GitHub, one that pins the repository by id",
  why: "GitHub's issuer signs tokens for every repository on GitHub: a provider without a condition on the repository lets any of them impersonate the pool's service accounts. Names can be re-registered after a rename; the numeric ids cannot.",
  fix: "Set attribute_condition to assertion.repository_id == '<id>' && assertion.repository_owner_id == '<owner id>' (GitHubWorkloadIdentity does).",
  severity: "error",
  stages: ALL_STAGES,
  equivalent: "none",
  resourceTypes: ["google_iam_workload_identity_pool_provider"],
  check: (r) => {
    const condition = r.attrs.attribute_condition;
    if (typeof condition !== "string" || condition.trim() === "") return nonCompliant("attribute_condition is not set");
    const oidc = (Array.isArray(r.attrs.oidc) ? r.attrs.oidc[0] : r.attrs.oidc) as { issuer_uri?: unknown } | undefined;
    if (oidc?.issuer_uri !== GITHUB_OIDC_ISSUER || isExpression(condition)) return compliant;
    return /assertion\.repository_id\s*==/.test(condition) && /assertion\.repository_owner_id\s*==/.test(condition)
      ? compliant
      : nonCompliant(
          `the condition ${JSON.stringify(condition)} does not pin assertion.repository_id and assertion.repository_owner_id`,
        );
  },
};
