/**
 * The one table renderer of the command-line outputs (`release status`, `bootstrap github` and
 * `identities`, `parity`): aligned text for a terminal, or a Markdown table for a pull request or
 * a job summary.
 */

export interface TableOptions {
  /**
   * A Markdown table instead of aligned text.
   * @default false
   */
  readonly markdown?: boolean;
  /**
   * How a body cell is written in a Markdown table, given its column and its row (both from 0):
   * a code span, a cell with `|` escaped. Text tables show cells as they are.
   * @default escapeCell
   */
  readonly format?: (cell: string, column: number, row: number) => string;
}

/** A cell's text with `|` escaped, so that it stays in its Markdown table cell. */
export function escapeCell(text: string): string {
  return text.replace(/\|/g, "\\|");
}

/** A cell's text as a Markdown code span, `|` escaped (GitHub reads `\|` in a table cell's code as `|`). */
export function codeCell(text: string): string {
  return `\`${escapeCell(text)}\``;
}

/**
 * A table, one line per row, each line ending in a newline. Every row has a cell per column.
 *
 * Text: each column as wide as its widest cell, columns two spaces apart, a row of dashes as wide
 * as each column under the header, and no trailing spaces. Markdown: `| a | b |` rows, a
 * `| --- | --- |` separator under the header, the header with `|` escaped and each body cell
 * written by `format`.
 */
export function renderTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  options: TableOptions = {},
): string {
  const ragged = rows.findIndex((r) => r.length !== header.length);
  if (ragged >= 0) {
    throw new Error(`table row ${ragged} has ${rows[ragged].length} cells; the header has ${header.length}`);
  }
  if (options.markdown) {
    const format = options.format ?? escapeCell;
    const line = (cells: readonly string[]) => `| ${cells.join(" | ")} |`;
    return (
      [
        line(header.map(escapeCell)),
        line(header.map(() => "---")),
        ...rows.map((r, row) => line(r.map((cell, column) => format(cell, column, row)))),
      ].join("\n") + "\n"
    );
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join("  ")
      .trimEnd();
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n") + "\n";
}
