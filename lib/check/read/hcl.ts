import { createRequire } from "module";
import { Acknowledgement, InputError, SourceLocation } from "../input";
import { FileDocument, documentOf, locationKey } from "./document";
import { withoutBom } from "./positions";
import { Comment, TopBlock, scanHcl } from "./scan";

/*
 * HCL (`.tf` files), parsed by HashiCorp's own parser: @cdktf/hcl2json, the Go HCL library
 * compiled to WebAssembly. Its output is Terraform JSON's shape with every block body a list and
 * every expression a `${…}` string (document.ts makes it the rules' shape); it has no positions,
 * so the lines of blocks and the acknowledgement comments come from a scan of the text (scan.ts).
 */

interface Hcl2Json {
  parse(filename: string, contents: string): Promise<Record<string, unknown>>;
}

let parser: Hcl2Json | undefined;

/**
 * The parser, loaded on first use: its WebAssembly (1.7 MB compressed, about 0.25 s to start) only
 * when there is HCL to read. Loaded without its type declarations, which would add the DOM's
 * global types to the whole program (`/// <reference lib="dom" />`); the one function used is
 * typed above. Loading it sets globals of Go's WebAssembly runtime (`Go`, `fs`, `require`).
 */
function hcl2json(): Hcl2Json {
  parser ??= createRequire(__filename)("@cdktf/hcl2json") as Hcl2Json;
  return parser;
}

/** The comment that accepts a rule's finding on the resource it is written in. */
export const ACKNOWLEDGE_MARKER = "cdktf-cloud-run:acknowledge";

/** One `.tf` file: its blocks, or the parser's diagnostics with their lines and columns. */
export async function readHcl(
  file: string,
  text: string,
): Promise<{ document?: FileDocument; problems: InputError[] }> {
  const source = withoutBom(text);
  let top: Record<string, unknown>;
  try {
    top = await hcl2json().parse(file, source);
  } catch (error) {
    return { problems: diagnostics(file, error instanceof Error ? error.message : String(error)) };
  }
  const { blocks, comments } = scanHcl(source);
  const locations = new Map<string, SourceLocation[]>();
  for (const b of blocks) {
    const key = locationKey(b.kind, b.labels);
    locations.set(key, [...(locations.get(key) ?? []), { file, line: b.line, column: b.column }]);
  }
  const { acknowledgements, problems } = acknowledgementsOf(file, blocks, comments);
  return { document: documentOf(file, top, locations, acknowledgements), problems };
}

/**
 * hcl2json's error, one problem per diagnostic. It writes them as
 * `parse config: [FILE:LINE,COLUMN-…: Summary; Detail. FILE:LINE,COLUMN-…: …]`.
 */
export function diagnostics(file: string, message: string): InputError[] {
  const text = message.replace(/^parse config: \[/, "").replace(/\]$/, "");
  const escaped = file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const marks = [...text.matchAll(new RegExp(`(?:^|\\s)${escaped}:(\\d+),(\\d+)(?:-\\d+(?:,\\d+)?)?: `, "g"))];
  if (marks.length === 0) return [new InputError(file, message.trim())];
  return marks.map((m, i) => {
    const end = i + 1 < marks.length ? marks[i + 1].index : text.length;
    const problem = text.slice(m.index + m[0].length, end).trim();
    return new InputError(file, problem, Number(m[1]), Number(m[2]));
  });
}

/**
 * The acknowledgements written in a file: `# cdktf-cloud-run:acknowledge RULE-ID reason` (or
 * with `//`, or in a block comment) inside the resource block it accepts findings on. The rule id
 * and the reason are as written; the command checks them. A marker outside a resource block is a
 * problem: it would accept nothing, silently.
 */
function acknowledgementsOf(
  file: string,
  blocks: readonly TopBlock[],
  comments: readonly Comment[],
): { acknowledgements: Acknowledgement[]; problems: InputError[] } {
  const acknowledgements: Acknowledgement[] = [];
  const problems: InputError[] = [];
  for (const c of comments) {
    const text = c.text.trim();
    if (!text.startsWith(ACKNOWLEDGE_MARKER)) continue;
    const rest = text.slice(ACKNOWLEDGE_MARKER.length);
    if (rest !== "" && !/^\s/.test(rest)) continue; // another word that starts alike
    const [, ruleId = "", reason = ""] = /^\s*(\S+)?\s*([\s\S]*)$/.exec(rest) ?? [];
    const location = { file, line: c.line, column: c.column };
    const block = blocks.find((b) => b.start < c.start && c.start < b.end);
    if (block === undefined || block.kind !== "resource" || block.labels.length !== 2) {
      const where = block === undefined ? "outside any block" : `in a ${[block.kind, ...block.labels].join(" ")} block`;
      problems.push(
        new InputError(
          file,
          `an acknowledgement must be written inside the resource block whose findings it accepts; this one is ${where}`,
          c.line,
          c.column,
        ),
      );
      continue;
    }
    if (ruleId === "") {
      problems.push(
        new InputError(
          file,
          `an acknowledgement names no rule: write "# ${ACKNOWLEDGE_MARKER} RULE-ID why this is accepted"`,
          c.line,
          c.column,
        ),
      );
      continue;
    }
    acknowledgements.push({
      ruleId,
      reason: reason.replace(/\s+/g, " ").trim(),
      address: `${block.labels[0]}.${block.labels[1]}`,
      location,
    });
  }
  return { acknowledgements, problems };
}
