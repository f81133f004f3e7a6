import { LineIndex } from "./positions";

/*
 * What hcl2json does not give: where things are. A scan of an HCL file's text that finds its
 * top-level blocks (`resource "TYPE" "NAME" {` … `}`, with the line of the header) and its
 * comments. It reads no values: the file has already been parsed by HashiCorp's parser
 * (hcl.ts), so it is valid HCL, and the scan only has to step over strings, template
 * interpolations, heredocs and comments to count the braces of blocks.
 */

/** A block at the top of a file: its type (`resource`), its labels, and where it starts and ends. */
export interface TopBlock {
  readonly kind: string;
  readonly labels: readonly string[];
  readonly line: number;
  readonly column: number;
  /** The offset of the block's type keyword. */
  readonly start: number;
  /** The offset just after its closing brace (the end of the text if it has none). */
  readonly end: number;
}

/** A comment: its text without the `#`, `//` or `/* … *\/` delimiters. */
export interface Comment {
  readonly text: string;
  /** `#` and `//` comments are line comments; `/* … *\/` is a block comment. */
  readonly style: "line" | "block";
  readonly start: number;
  readonly line: number;
  readonly column: number;
}

/** A token of a block header: the block type, or a label (quoted or bare). */
interface HeaderToken {
  readonly text: string;
  readonly start: number;
}

/** Inside a quoted string, or inside a `${…}` / `%{…}` of one (with the braces opened in it). */
type Context = { readonly kind: "string"; readonly start: number } | { kind: "template"; braces: number };

const IDENTIFIER = /[A-Za-z_][A-Za-z0-9_-]*/y;
const HEREDOC = /<<-?([A-Za-z_][A-Za-z0-9_-]*)\r?\n/y;

/** The top-level blocks and the comments of a valid HCL file. */
export function scanHcl(text: string): { blocks: TopBlock[]; comments: Comment[] } {
  const lines = new LineIndex(text);
  const blocks: TopBlock[] = [];
  const comments: Comment[] = [];
  const stack: Context[] = [];
  /** The brace depth of blocks and object expressions outside strings. */
  let depth = 0;
  /** The header being read at the top level; null after anything that is not a header (`x = {`). */
  let header: HeaderToken[] | null = [];
  let open: { kind: string; labels: string[]; start: number } | undefined;

  const comment = (body: string, style: Comment["style"], start: number) =>
    comments.push({ text: body, style, start, ...lines.at(start) });

  let i = 0;
  while (i < text.length) {
    const c = text[i];
    const top = stack[stack.length - 1];

    if (top?.kind === "string") {
      if (c === "\\") i += 2;
      else if (c === '"') {
        stack.pop();
        if (stack.length === 0 && depth === 0 && header !== null)
          header.push({ text: text.slice(top.start + 1, i), start: top.start });
        i++;
      } else if ((c === "$" || c === "%") && text[i + 1] === c && text[i + 2] === "{")
        i += 3; // $${ is literal
      else if ((c === "$" || c === "%") && text[i + 1] === "{") {
        stack.push({ kind: "template", braces: 0 });
        i += 2;
      } else i++;
      continue;
    }

    // Code: the file's body, or an interpolation inside a string.
    if (c === "#" || (c === "/" && text[i + 1] === "/")) {
      const from = i + (c === "#" ? 1 : 2);
      const eol = text.indexOf("\n", from);
      const end = eol === -1 ? text.length : eol;
      comment(text.slice(from, end).replace(/\r$/, ""), "line", i);
      i = end;
      continue;
    }
    if (c === "/" && text[i + 1] === "*") {
      const close = text.indexOf("*/", i + 2);
      const end = close === -1 ? text.length : close;
      comment(text.slice(i + 2, end), "block", i);
      i = close === -1 ? text.length : close + 2;
      continue;
    }
    if (c === '"') {
      stack.push({ kind: "string", start: i });
      i++;
      continue;
    }
    if (c === "<" && text[i + 1] === "<") {
      HEREDOC.lastIndex = i;
      const m = HEREDOC.exec(text);
      if (m) {
        // The body runs to the first line that holds only the marker (indented, for <<-).
        let at = i + m[0].length;
        for (;;) {
          const eol = text.indexOf("\n", at);
          const line = text.slice(at, eol === -1 ? text.length : eol).replace(/\r$/, "");
          if (line.trim() === m[1] || eol === -1) {
            i = at + line.length;
            break;
          }
          at = eol + 1;
        }
        if (stack.length === 0 && depth === 0) header = null;
        continue;
      }
    }
    if (top?.kind === "template") {
      if (c === "{") top.braces++;
      else if (c === "}") {
        if (top.braces === 0) stack.pop();
        else top.braces--;
      }
      i++;
      continue;
    }

    // The file's body.
    if (c === "{") {
      if (depth === 0 && header !== null && header.length > 0) {
        open = { kind: header[0].text, labels: header.slice(1).map((t) => t.text), start: header[0].start };
      }
      depth++;
      header = null;
      i++;
      continue;
    }
    if (c === "}") {
      depth = Math.max(0, depth - 1);
      if (depth === 0 && open !== undefined) {
        blocks.push({ ...open, ...lines.at(open.start), end: i + 1 });
        open = undefined;
      }
      i++;
      continue;
    }
    if (c === "\n") {
      if (depth === 0) header = [];
      i++;
      continue;
    }
    if (depth === 0 && header !== null) {
      IDENTIFIER.lastIndex = i;
      const m = IDENTIFIER.exec(text);
      if (m) {
        header.push({ text: m[0], start: i });
        i += m[0].length;
        continue;
      }
      if (!/\s/.test(c)) header = null;
    }
    i++;
  }
  if (open !== undefined) blocks.push({ ...open, ...lines.at(open.start), end: text.length });
  return { blocks, comments };
}
