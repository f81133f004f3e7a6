import { createHash } from "crypto";
import { codeCell, escapeCell, renderTable } from "../table";
import type { ParityReport, ParityRow } from "./compare";

/** Values up to this long are shown whole; longer ones lose what every environment shares. */
const SHORT = 40;

/**
 * A cell longer than this, even with the shared parts cut (a dashboard's JSON), is shown by its
 * length and a fingerprint of the whole value: equal fingerprints, equal values.
 */
const LONGEST = 120;

/** The note under a table with such a cell. */
const ELIDED = `Values longer than ${LONGEST} characters are shown by length and fingerprint; read them in cdktf.out/stacks/<env>/cdk.tf.json.`;
/** The same in Markdown, where `<env>` outside code would be taken for an HTML tag and dropped. */
const ELIDED_MARKDOWN = ELIDED.replace("cdktf.out/stacks/<env>/cdk.tf.json", "`cdktf.out/stacks/<env>/cdk.tf.json`");

function fitted(cell: string, whole: string | undefined): string {
  if (cell.length <= LONGEST || whole === undefined) return cell;
  const fingerprint = createHash("sha256").update(whole).digest("hex").slice(0, 8);
  return `(${whole.length.toLocaleString("en-US")} characters, sha256 ${fingerprint})`;
}

/** Where a shared part may be cut: just after one of these, so the shown part starts cleanly. */
const SEPARATORS = new Set(["/", "@", ":", ".", "[", "-", '"', "_"]);

/**
 * The cells of one row. A value too long for a column keeps, in full, the part where the
 * environments' values differ (a digest, a tag), and stands "…" for what they all share: the
 * registry path before, a closing quote after. Values that are short enough are shown as they are.
 */
function cells(row: ParityRow, environments: readonly string[]): string[] {
  return shortened(row, environments).map((cell, i) => fitted(cell, row.values[environments[i]]));
}

function shortened(row: ParityRow, environments: readonly string[]): string[] {
  const show = (e: string, v = row.values[e]) =>
    row.notDeployed?.includes(e) ? "(not deployed)" : v === undefined ? "(absent)" : v;
  const present = environments.map((e) => row.values[e]).filter((v): v is string => v !== undefined);
  const long = present.some((v) => v.length > SHORT);
  if (!long || new Set(present).size < 2) return environments.map((e) => show(e));
  let prefix = commonPrefix(present);
  let suffix = commonPrefix(present.map(reverse));
  const shortest = Math.min(...present.map((v) => v.length));
  if (prefix + suffix > shortest) suffix = shortest - prefix;
  // Keep the separator and the word before the first difference (`predict-api@sha256:…`); a
  // shared end of a few characters (a closing quote) is not worth an ellipsis.
  prefix = cutBack(present[0], prefix);
  suffix = suffix <= 3 ? 0 : cutForward(reverse(present[0]), suffix);
  return environments.map((e) => {
    const v = row.values[e];
    if (v === undefined) return show(e);
    return show(e, `${prefix > 0 ? "…" : ""}${v.slice(prefix, v.length - suffix)}${suffix > 0 ? "…" : ""}`);
  });
}

function elided(row: ParityRow, environments: readonly string[]): boolean {
  return shortened(row, environments).some((cell) => cell.length > LONGEST);
}

function commonPrefix(values: readonly string[]): number {
  let n = 0;
  while (values.every((v) => n < v.length && v[n] === values[0][n])) n++;
  return n;
}

function reverse(text: string): string {
  return [...text].reverse().join("");
}

/** The end of the shared start, moved back to just after a separator, one word before the difference. */
function cutBack(value: string, shared: number): number {
  let at = shared;
  while (at > 0 && !SEPARATORS.has(value[at - 1])) at--;
  at = Math.max(0, at - 1);
  while (at > 0 && !SEPARATORS.has(value[at - 1])) at--;
  return at;
}

/** The same for the shared end, read on the reversed value. */
function cutForward(reversed: string, shared: number): number {
  let at = shared;
  while (at > 0 && !SEPARATORS.has(reversed[at - 1])) at--;
  return at;
}

function reasonsOf(row: ParityRow): string {
  return Object.entries(row.reasons)
    .map(([e, why]) => `${e}: ${why}`)
    .join("; ");
}

/**
 * One table of the matrix: attribute × environment, and the reasons where a row has any. The
 * first cell is the attribute's path; each renderer says that a row is a whole resource its way.
 */
function matrix(
  report: ParityReport,
  rows: readonly ParityRow[],
  reasonHeader: string,
): { header: string[]; body: string[][] } {
  const withReasons = rows.some((r) => Object.keys(r.reasons).length > 0);
  return {
    header: ["attribute", ...report.environments, ...(withReasons ? [reasonHeader] : [])],
    body: rows.map((r) => [r.path, ...cells(r, report.environments), ...(withReasons ? [reasonsOf(r)] : [])]),
  };
}

/** A rendered table's lines, for a list of lines joined with newlines: without its last newline. */
function withoutLastNewline(table: string): string {
  return table.slice(0, -1);
}

/** The report as a plain-text matrix: attribute × environment, values side by side. */
export function renderText(report: ParityReport): string {
  const lines: string[] = [];
  const table = (rows: readonly ParityRow[], reasonHeader: string): void => {
    const { header, body } = matrix(report, rows, reasonHeader);
    const named = body.map(([path, ...rest], i) => [
      rows[i].kind === "resource" ? `${path} (resource)` : path,
      ...rest,
    ]);
    lines.push(withoutLastNewline(renderTable(header, named)));
    if (rows.some((r) => elided(r, report.environments))) lines.push(ELIDED);
  };
  lines.push(`Environment parity: ${report.environments.join(", ")}`);
  if (report.drift.length > 0) {
    lines.push("", `Configuration drift: ${report.drift.length} undeclared difference(s)`);
    table(report.drift, "declared only by");
    lines.push(
      "",
      "Make the environments agree, or declare the difference with a reason in the configuration of",
      'each environment that differs: differences: { "<attribute>": "<why>" }. A declaration exempts',
      "its own environment only; the others must still agree.",
    );
  } else {
    lines.push("", "No undeclared differences.");
  }
  if (report.stale.length > 0) {
    lines.push("", `Stale declarations: ${report.stale.length} declared difference(s) no longer exist; remove them:`);
    for (const s of report.stale) lines.push(`  ${s.environment}: ${s.path} ("${s.reason}")`);
  }
  if (report.declared.length > 0) {
    lines.push("", `Declared differences: ${report.declared.length}`);
    table(report.declared, "reason");
  }
  return lines.join("\n") + "\n";
}

/** The report as Markdown tables, for a CI job summary. */
export function renderMarkdown(report: ParityReport): string {
  const environments = report.environments.length;
  const table = (rows: readonly ParityRow[], reasonHeader: string): string[] => {
    const { header, body } = matrix(report, rows, reasonHeader);
    // The path and the values as code (an absent value in italics), the reasons as text.
    const format = (cell: string, column: number, row: number): string =>
      column === 0
        ? `${codeCell(cell)}${rows[row].kind === "resource" ? " (resource)" : ""}`
        : column > environments
          ? escapeCell(cell)
          : cell === "(absent)"
            ? "_(absent)_"
            : codeCell(cell);
    return [
      withoutLastNewline(renderTable(header, body, { markdown: true, format })),
      ...(rows.some((r) => elided(r, report.environments)) ? ["", ELIDED_MARKDOWN] : []),
    ];
  };
  const out = [`## Environment parity: ${report.environments.join(", ")}`, ""];
  if (report.drift.length > 0) {
    out.push(
      `### :x: Configuration drift: ${report.drift.length} undeclared difference(s)`,
      "",
      ...table(report.drift, "declared only by"),
      "",
    );
  } else {
    out.push("No undeclared differences.", "");
  }
  if (report.stale.length > 0) {
    out.push("### :x: Stale declarations (remove them)", "");
    for (const s of report.stale) out.push(`- ${s.environment}: ${codeCell(s.path)} (${escapeCell(s.reason)})`);
    out.push("");
  }
  if (report.declared.length > 0) {
    out.push(`### Declared differences: ${report.declared.length}`, "", ...table(report.declared, "reason"), "");
  }
  return out.join("\n");
}
