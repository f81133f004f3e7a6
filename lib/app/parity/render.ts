import type { ParityReport, ParityRow } from "./compare";

const CELL_WIDTH = 48;

/** A value for the matrix; a long one keeps its start and its end, where values usually differ. */
function cell(value: string | undefined): string {
  if (value === undefined) return "(absent)";
  if (value.length <= CELL_WIDTH) return value;
  const head = 16;
  return `${value.slice(0, head)}…${value.slice(value.length - (CELL_WIDTH - head - 1))}`;
}

/** The report as a plain-text matrix: attribute × environment, values side by side. */
export function renderText(report: ParityReport): string {
  const lines: string[] = [];
  const table = (rows: readonly ParityRow[], withReasons: boolean): void => {
    const header = ["attribute", ...report.environments, ...(withReasons ? ["reason"] : [])];
    const body = rows.map((r) => [
      r.kind === "resource" ? `${r.path} (resource)` : r.path,
      ...report.environments.map((e) => cell(r.values[e])),
      ...(withReasons
        ? [
            Object.entries(r.reasons)
              .map(([e, why]) => `${e}: ${why}`)
              .join("; "),
          ]
        : []),
    ]);
    const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
    const fmt = (cols: string[]) =>
      cols
        .map((c, i) => c.padEnd(widths[i]))
        .join("  ")
        .trimEnd();
    lines.push(fmt(header), widths.map((w) => "-".repeat(w)).join("  "), ...body.map(fmt));
  };
  lines.push(`Environment parity: ${report.environments.join(", ")}`);
  if (report.drift.length > 0) {
    lines.push("", `Configuration drift: ${report.drift.length} undeclared difference(s)`);
    table(report.drift, false);
    lines.push(
      "",
      "Make the environments agree, or declare the difference with a reason in the environment's",
      'configuration: differences: { "<attribute>": "<why>" }.',
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
    table(report.declared, true);
  }
  return lines.join("\n") + "\n";
}

/** The report as Markdown tables, for a CI job summary. */
export function renderMarkdown(report: ParityReport): string {
  const esc = (text: string) => text.replace(/\|/g, "\\|");
  const code = (text: string | undefined) => (text === undefined ? "_(absent)_" : `\`${esc(cell(text))}\``);
  const table = (rows: readonly ParityRow[], withReasons: boolean): string[] => [
    `| attribute | ${report.environments.join(" | ")}${withReasons ? " | reason |" : " |"}`,
    `| --- |${report.environments.map(() => " --- |").join("")}${withReasons ? " --- |" : ""}`,
    ...rows.map(
      (r) =>
        `| \`${esc(r.path)}\`${r.kind === "resource" ? " (resource)" : ""} | ${report.environments
          .map((e) => code(r.values[e]))
          .join(" | ")} |${
          withReasons
            ? ` ${esc(
                Object.entries(r.reasons)
                  .map(([e, why]) => `${e}: ${why}`)
                  .join("; "),
              )} |`
            : ""
        }`,
    ),
  ];
  const out = [`## Environment parity: ${report.environments.join(", ")}`, ""];
  if (report.drift.length > 0) {
    out.push(
      `### :x: Configuration drift: ${report.drift.length} undeclared difference(s)`,
      "",
      ...table(report.drift, false),
      "",
    );
  } else {
    out.push("No undeclared differences.", "");
  }
  if (report.stale.length > 0) {
    out.push("### :x: Stale declarations (remove them)", "");
    for (const s of report.stale) out.push(`- ${s.environment}: \`${esc(s.path)}\` (${esc(s.reason)})`);
    out.push("");
  }
  if (report.declared.length > 0) {
    out.push(`### Declared differences: ${report.declared.length}`, "", ...table(report.declared, true), "");
  }
  return out.join("\n");
}
