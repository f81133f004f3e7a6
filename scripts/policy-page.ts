/**
 * npm run policy-page: writes docs/policy-rules.md, the page of every rule of the policy pack,
 * from the rules themselves (lib/policies/rules/): id, what, why, fix, severity, stages, the
 * resource types read, the setting a finding points at, and the equivalent in other scanners.
 * The page is committed, so it is read where the code is; a test fails when it is stale. It is
 * written as generated (Prettier leaves it alone: .prettierignore), so the test compares it with
 * policyPage() byte for byte.
 */
import * as fs from "fs";
import * as path from "path";
import { renderTable } from "../lib/app/table";
import { PolicyRule, RULES, STAGES } from "../lib/policies";

/** Where the page is, from the repository's root. */
export const POLICY_PAGE = path.join(__dirname, "..", "docs", "policy-rules.md");

/** The stages a rule applies at, as words. */
function stagesOf(rule: PolicyRule): string {
  return rule.stages.length === STAGES.length ? "all" : rule.stages.join(", ");
}

/** The kinds of Cloud Run workload: where each is configured, the construct that makes it, its types. */
const WORKLOADS = [
  {
    group: "services",
    construct: "CloudRunService",
    reads: (t: string) => t.startsWith("google_cloud_run_v2_service"),
  },
  {
    group: "jobs",
    construct: "CloudRunJob",
    reads: (t: string) => t.startsWith("google_cloud_run_v2_job") || t === "google_cloud_scheduler_job",
  },
  {
    group: "workerPools",
    construct: "CloudRunWorkerPool",
    reads: (t: string) => t.startsWith("google_cloud_run_v2_worker_pool"),
  },
] as const;

/**
 * Whose resources a workload rule reads: services, jobs, worker pools, from its resource types. A
 * rule that reads every type or a pattern, or none of the kinds by name, may read any of them.
 */
function workloadsOf(rule: PolicyRule): (typeof WORKLOADS)[number][] {
  const types = rule.resourceTypes;
  if (types === undefined || types instanceof RegExp) return [...WORKLOADS];
  const read = WORKLOADS.filter((w) => types.some(w.reads));
  return read.length > 0 ? read : [...WORKLOADS];
}

/** `a`, `a or b`, `a, b or c`. */
function either(items: string[]): string {
  return items.length <= 1 ? items.join("") : `${items.slice(0, -1).join(", ")} or ${items[items.length - 1]}`;
}

/** Where a finding points in an environment's configuration, and in a construct's props. */
function fieldOf(rule: PolicyRule): string {
  const f = rule.field;
  if (f === undefined) return "none: the resource is not made from one setting";
  if (f.of === "environment") return `\`${f.path}\` of the environment`;
  if (f.of === "repository") return `\`repository.${f.path}\` (ArtifactRepository's \`${f.path}\`)`;
  const kinds = workloadsOf(rule).map((w) => ({ ...w, path: w.group === "jobs" ? (f.jobPath ?? f.path) : f.path }));
  const at = (k: (typeof kinds)[number]) => `\`${k.group}.<key>.${k.path}\``;
  if (kinds.length === 1) return `${at(kinds[0])} (${kinds[0].construct}'s \`${kinds[0].path}\`)`;
  return kinds.every((k) => k.path === f.path)
    ? `${either(kinds.map(at))} (the construct's \`${f.path}\`)`
    : kinds.map((k) => `${at(k)} (${k.construct}'s \`${k.path}\`)`).join(", ");
}

/** The resource types a rule reads: listed, a pattern, or the whole stack. */
function typesOf(rule: PolicyRule): string {
  if (rule.resourceTypes === undefined) return "the stack";
  if (rule.resourceTypes instanceof RegExp) return `every type matching \`${rule.resourceTypes.source}\``;
  return rule.resourceTypes.map((t) => `\`${t}\``).join(", ");
}

/** One cell of a Markdown table holds no line break (renderTable escapes `|`). */
const oneLine = (text: string) => text.replace(/\n/g, " ");

/** The page, from RULES. */
export function policyPage(rules: readonly PolicyRule[] = RULES): string {
  const lines = [
    "# The policy rules",
    "",
    "<!-- Generated from lib/policies/rules/ by scripts/policy-page.ts (npm run policy-page); edit the rules, not this page. -->",
    "",
    `Every rule of the policy pack (${rules.length}), in id order. What the pack does with them, and how to accept a`,
    "finding: [Policies](policies.md). Adding a rule: [CONTRIBUTING.md](../CONTRIBUTING.md#a-policy-rule).",
    "",
    renderTable(
      ["id", "requires", "severity", "stages"],
      rules.map((r) => [`[${r.id}](#${r.id.toLowerCase()})`, oneLine(r.what), r.severity, stagesOf(r)]),
      { markdown: true },
    ),
  ];
  for (const r of rules) {
    lines.push(
      `## ${r.id}`,
      "",
      `**${r.what}.**`,
      "",
      `- Why: ${r.why}`,
      `- Fix: ${r.fix}`,
      `- Severity: ${r.severity}; stages: ${stagesOf(r)}`,
      `- Reads: ${typesOf(r)}`,
      `- Points at: ${fieldOf(r)}`,
      `- In other scanners: ${r.equivalent ?? "none"}`,
      "",
    );
  }
  return lines.join("\n");
}

if (require.main === module) {
  fs.writeFileSync(POLICY_PAGE, policyPage());
  process.stdout.write(`wrote ${path.relative(process.cwd(), POLICY_PAGE)} (${RULES.length} rules)\n`);
}
