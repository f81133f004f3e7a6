import { GITHUB_OIDC_ISSUER } from "../../../gcp/workload-identity";
import { ALL_STAGES, PolicyRule, compliant, nonCompliant, unknown } from "../../rule";
import { isExpression } from "../../view";

/**
 * The top-level terms of a CEL expression joined by `&&`, or undefined when it has a top-level
 * `||` (then no single term has to hold). Parentheses and quoted strings are skipped over.
 */
function conjuncts(expression: string): string[] | undefined {
  const terms: string[] = [];
  let depth = 0;
  let quote: string | undefined;
  let start = 0;
  for (let i = 0; i < expression.length; i++) {
    const c = expression[i];
    if (quote !== undefined) {
      if (c === quote && expression[i - 1] !== "\\") quote = undefined;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === "(") depth++;
    else if (c === ")") depth--;
    else if (depth === 0 && expression.startsWith("||", i)) return undefined;
    else if (depth === 0 && expression.startsWith("&&", i)) {
      terms.push(expression.slice(start, i).trim());
      start = i + 2;
      i++;
    }
  }
  terms.push(expression.slice(start).trim());
  return terms;
}

/** True when one of `terms` is `assertion.<claim> == '<digits>'`. */
function pins(terms: readonly string[], claim: string): boolean {
  const term = new RegExp(`^assertion\\.${claim}\\s*==\\s*'[0-9]+'$`);
  return terms.some((t) => term.test(t));
}

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
    if (isExpression(condition)) return unknown(`attribute_condition is ${condition}, known only at apply`);
    const oidc = (Array.isArray(r.attrs.oidc) ? r.attrs.oidc[0] : r.attrs.oidc) as { issuer_uri?: unknown } | undefined;
    if (oidc?.issuer_uri !== GITHUB_OIDC_ISSUER) return compliant;
    // Both ids, each compared with a literal, as terms that must all hold: at the top level,
    // joined by &&, with no || beside them that could admit another repository's token.
    const terms = conjuncts(String(condition));
    if (terms !== undefined && pins(terms, "repository_id") && pins(terms, "repository_owner_id")) return compliant;
    return nonCompliant(
      `the condition ${JSON.stringify(condition)} does not pin assertion.repository_id and assertion.repository_owner_id (both, as top-level terms joined by &&)`,
    );
  },
};
