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

/**
 * Whose resources a workload rule reads: services, jobs or both, from its resource types (a rule
 * that reads every type, or a pattern, may read both).
 */
function workloadsOf(rule: PolicyRule): { services: boolean; jobs: boolean } {
  const types = rule.resourceTypes;
  if (types === undefined || types instanceof RegExp) return { services: true, jobs: true };
  return {
    services: types.some((t) => t.startsWith("google_cloud_run_v2_service")),
    jobs: types.some((t) => t.startsWith("google_cloud_run_v2_job") || t === "google_cloud_scheduler_job"),
  };
}

/** Where a finding points in an environment's configuration, and in a construct's props. */
function fieldOf(rule: PolicyRule): string {
  const f = rule.field;
  if (f === undefined) return "none: the resource is not made from one setting";
  if (f.of === "environment") return `\`${f.path}\` of the environment`;
  if (f.of === "repository") return `\`repository.${f.path}\` (ArtifactRepository's \`${f.path}\`)`;
  const job = f.jobPath ?? f.path;
  const { services, jobs } = workloadsOf(rule);
  const onService = `\`services.<key>.${f.path}\` (CloudRunService's \`${f.path}\`)`;
  const onJob = `\`jobs.<key>.${job}\` (CloudRunJob's \`${job}\`)`;
  if (services && !jobs) return onService;
  if (jobs && !services) return onJob;
  return job === f.path
    ? `\`services.<key>.${f.path}\` or \`jobs.<key>.${f.path}\` (the construct's \`${f.path}\`)`
    : `${onService}, ${onJob}`;
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
