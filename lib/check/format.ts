import * as path from "path";
import type { PolicyRule } from "../policies/rule";
import type { SourceLocation } from "./input";
import { CheckFinding, CheckReport, Level, countsOf } from "./report";

/*
 * What `cdktf-cloud-run check` prints: text for a person, one JSON object for a program, and
 * SARIF 2.1.0 for code scanning (GitHub shows each result on its line).
 */

const where = (l: SourceLocation) => `${l.file}${l.line === undefined ? "" : `:${l.line}`}`;
const LABEL: Record<Level, string> = { error: "ERROR  ", warning: "WARN   ", unknown: "UNKNOWN", note: "NOTE   " };

/** The summary line: counts, resources, configurations, modules not checked. */
export function summaryLine(report: CheckReport): string {
  const c = countsOf(report);
  const parts = [
    `${c.error} error(s)`,
    `${c.warning} warning(s)`,
    `${c.unknown} unknown`,
    `${c.note} note(s)`,
    `${report.accepted.length} accepted`,
  ];
  const modules = report.modules.length > 0 ? `; ${report.modules.length} module call(s) not checked` : "";
  return `${parts.join(", ")} at stage ${report.stage}: ${report.resources} resource(s) in ${report.configurations.length} configuration(s)${modules}`;
}

/** Text: each finding with its rule, address, file and line, and the fix; then what was accepted and what was not checked. */
export function formatText(report: CheckReport): string {
  const lines: string[] = [];
  const order: Level[] = ["error", "warning", "unknown", "note"];
  const sorted = [...report.findings].sort((a, b) => order.indexOf(a.level) - order.indexOf(b.level));
  for (const f of sorted) {
    lines.push(`${LABEL[f.level]} ${f.rule.id} ${f.address ?? `(${f.configuration})`} ${where(f.location)}`);
    lines.push(`        ${f.message}.`);
    if (f.level !== "unknown" && f.level !== "note") lines.push(`        Fix: ${f.rule.fix}`);
  }
  for (const f of report.accepted) {
    lines.push(`ACCEPTED ${f.rule.id} ${f.address} ${where(f.location)}: ${f.acknowledged!.reason}`);
  }
  for (const { acknowledgement: a, problem } of report.badAcknowledgements) {
    lines.push(`ERROR   acknowledgement ${a.ruleId} ${a.address} ${where(a.location)}: ${problem}`);
  }
  for (const m of report.modules) {
    lines.push(
      `NOT CHECKED module.${m.name} (source ${m.source}) ${where(m.location)}: check its own folder, or a plan`,
    );
  }
  lines.push(summaryLine(report));
  return `${lines.join("\n")}\n`;
}

/** JSON: one object, every finding with its location. */
export function formatJson(report: CheckReport): string {
  const finding = (f: CheckFinding) => ({
    rule: f.rule.id,
    level: f.level,
    ...(f.address === undefined ? {} : { address: f.address, type: f.resourceType }),
    file: f.location.file,
    ...(f.location.line === undefined ? {} : { line: f.location.line }),
    configuration: f.configuration,
    message: f.message,
    fix: f.rule.fix,
    ...(f.acknowledged === undefined ? {} : { acknowledged: f.acknowledged }),
  });
  return `${JSON.stringify(
    {
      stage: report.stage,
      summary: { ...countsOf(report), accepted: report.accepted.length, resources: report.resources },
      configurations: report.configurations.map((c) => ({ path: c.label, kind: c.kind, root: c.root, files: c.files })),
      findings: report.findings.map(finding),
      accepted: report.accepted.map(finding),
      acknowledgementProblems: report.badAcknowledgements.map(({ acknowledgement: a, problem }) => ({
        rule: a.ruleId,
        address: a.address,
        file: a.location.file,
        ...(a.location.line === undefined ? {} : { line: a.location.line }),
        problem,
      })),
      modulesNotChecked: report.modules.map((m) => ({
        name: m.name,
        source: m.source,
        file: m.location.file,
        ...(m.location.line === undefined ? {} : { line: m.location.line }),
      })),
    },
    null,
    2,
  )}\n`;
}

const SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json";
const INFORMATION_URI = "https://www.npmjs.com/package/cdktf-cloud-run";

/**
 * A file location as SARIF writes it. Code scanning places a result by its path from the
 * repository's root (`%SRCROOT%`): paths as given are relative to where the command runs, so run
 * it from the root. An absolute path under that folder is made relative; one outside it stays an
 * absolute `file:` URI, with no base. Each segment is percent-encoded (a space, `#`, `%`).
 */
function physical(l: SourceLocation, cwd: string) {
  const absolute = path.isAbsolute(l.file);
  const relative = absolute ? path.relative(cwd, l.file) : l.file;
  const inside = !absolute || (!relative.startsWith("..") && !path.isAbsolute(relative));
  const segments = (inside ? relative : l.file).split(/[\\/]/).filter((x, i) => x !== "." || i > 0);
  const uri = segments.map(encodeURIComponent).join("/");
  return {
    artifactLocation: inside
      ? { uri, uriBaseId: "%SRCROOT%" }
      : { uri: `file://${uri.startsWith("/") ? "" : "/"}${uri}` },
    ...(l.line === undefined
      ? {}
      : { region: { startLine: l.line, ...(l.column === undefined ? {} : { startColumn: l.column }) } }),
  };
}

/**
 * SARIF 2.1.0: one rule descriptor per rule of the pack (id, short and full description, help
 * with the fix, default level) and a result per finding with its physical location.
 * - A finding is a result of kind `fail` at its level (`error`, `warning`, or `note` for a rule of
 *   a whole configuration on a part of one).
 * - An unknown is a result of kind `open` ("the tool could not determine whether the result is a
 *   pass or a fail"), whose level the specification then requires to be `none`: never `warning`
 *   or `error`.
 * - An accepted finding keeps its result, with a suppression carrying the reason (`inSource` for
 *   an HCL comment, `external` for an acknowledgements file): code scanning shows it dismissed.
 * - A module call not checked, and an acknowledgement that is wrong, are notifications of the run.
 */
export function formatSarif(
  report: CheckReport,
  rules: readonly PolicyRule[],
  version: string,
  cwd: string = process.cwd(),
): string {
  const index = new Map(rules.map((r, i) => [r.id, i]));
  const result = (f: CheckFinding) => ({
    ruleId: f.rule.id,
    ruleIndex: index.get(f.rule.id),
    ...(f.level === "unknown" ? { kind: "open", level: "none" } : { kind: "fail", level: f.level }),
    message: { text: `${f.message}.${f.level === "error" || f.level === "warning" ? ` Fix: ${f.rule.fix}` : ""}` },
    locations: [
      {
        physicalLocation: physical(f.location, cwd),
        ...(f.address === undefined ? {} : { logicalLocations: [{ fullyQualifiedName: f.address, kind: "resource" }] }),
      },
    ],
    ...(f.acknowledged === undefined
      ? {}
      : {
          suppressions: [
            {
              kind: f.acknowledged.source === "in-source" ? "inSource" : "external",
              justification: f.acknowledged.reason,
            },
          ],
        }),
  });
  const notifications = [
    ...report.modules.map((m) => ({
      level: "note",
      message: { text: `module.${m.name} (source ${m.source}) was not checked: check its own folder, or a plan` },
      locations: [{ physicalLocation: physical(m.location, cwd) }],
    })),
    ...report.badAcknowledgements.map(({ acknowledgement: a, problem }) => ({
      level: "error",
      message: { text: `acknowledgement of ${a.ruleId} on ${a.address}: ${problem}` },
      locations: [{ physicalLocation: physical(a.location, cwd) }],
    })),
  ];
  const log = {
    $schema: SARIF_SCHEMA,
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "cdktf-cloud-run",
            informationUri: INFORMATION_URI,
            version,
            rules: rules.map((r) => ({
              id: r.id,
              name: r.id.replace(/-/g, ""),
              shortDescription: { text: r.what },
              fullDescription: { text: r.why },
              help: { text: `Fix: ${r.fix}`, markdown: `**Fix:** ${r.fix}` },
              defaultConfiguration: { level: r.severity },
              properties: {
                stages: [...r.stages],
                ...(r.equivalent === undefined ? {} : { equivalent: r.equivalent }),
                tags: ["terraform", "gcp", "cloud-run"],
              },
            })),
          },
        },
        invocations: [{ executionSuccessful: true, toolExecutionNotifications: notifications }],
        results: [...report.findings, ...report.accepted].map(result),
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}
