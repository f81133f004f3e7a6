/**
 * The table renderer every command's output goes through (release status, bootstrap github and
 * identities, parity): aligned text and Markdown, byte for byte.
 */
import { codeCell, escapeCell, renderTable } from "../../lib/app/table";

const header = ["name", "stage", "note"];
const rows = [
  ["dev", "development", "a|b"],
  ["production-eu", "production", ""],
];

describe("text", () => {
  test("columns as wide as their widest cell, two spaces apart, dashes under the header, no trailing spaces", () => {
    expect(renderTable(header, rows)).toBe(
      [
        "name           stage        note",
        "-------------  -----------  ----",
        "dev            development  a|b",
        "production-eu  production",
        "",
      ].join("\n"),
    );
  });

  test("a header wider than every cell sets its column's width; no rows is the header and its dashes", () => {
    expect(renderTable(["environment", "x"], [["a", "b"]])).toBe("environment  x\n-----------  -\na            b\n");
    expect(renderTable(["environment", "x"], [])).toBe("environment  x\n-----------  -\n");
  });

  test("cells are shown as they are: no escaping, and `format` is for Markdown only", () => {
    const text = renderTable(header, rows, { format: () => "formatted" });
    expect(text).toBe(renderTable(header, rows));
    expect(text).toContain("a|b");
    expect(text).not.toContain("formatted");
  });

  test("no line ends in a space, the dashes row included", () => {
    const text = renderTable(["a", "b"], [["long value", ""]]);
    expect(text.split("\n").filter((l) => l !== l.trimEnd())).toEqual([]);
    expect(text.split("\n")[1]).toBe("----------  -");
  });
});

describe("Markdown", () => {
  test("a header, a `| --- |` separator, rows; `|` escaped in every cell by default", () => {
    expect(renderTable(header, rows, { markdown: true })).toBe(
      [
        "| name | stage | note |",
        "| --- | --- | --- |",
        "| dev | development | a\\|b |",
        "| production-eu | production |  |",
        "",
      ].join("\n"),
    );
  });

  test("the separator is the one each command wrote before there was one renderer", () => {
    const separator = renderTable(header, [], { markdown: true }).split("\n")[1];
    expect(separator).toBe(`|${header.map(() => " --- |").join("")}`);
    expect(separator).toBe(`| ${header.map(() => "---").join(" | ")} |`);
  });

  test("`format` writes each body cell, given its column and row; the header is escaped, not formatted", () => {
    const seen: [string, number, number][] = [];
    const md = renderTable(
      ["a|1", "b"],
      [
        ["x", "y|z"],
        ["", "w"],
      ],
      {
        markdown: true,
        format: (cell, column, row) => {
          seen.push([cell, column, row]);
          return column === 1 ? codeCell(cell) : escapeCell(cell);
        },
      },
    );
    expect(md).toBe(["| a\\|1 | b |", "| --- | --- |", "| x | `y\\|z` |", "|  | `w` |", ""].join("\n"));
    expect(seen).toEqual([
      ["x", 0, 0],
      ["y|z", 1, 0],
      ["", 0, 1],
      ["w", 1, 1],
    ]);
  });
});

test("codeCell and escapeCell", () => {
  expect(escapeCell("a|b|c")).toBe("a\\|b\\|c");
  expect(escapeCell("plain")).toBe("plain");
  expect(codeCell("100% a|b")).toBe("`100% a\\|b`");
});

test("a row without a cell per column is refused, naming the row", () => {
  expect(() => renderTable(["a", "b"], [["1", "2"], ["3"]])).toThrow("table row 1 has 1 cells; the header has 2");
  expect(() => renderTable(["a"], [["1", "2"]], { markdown: true })).toThrow(/table row 0 has 2 cells/);
});
