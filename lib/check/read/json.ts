import { Node, ParseError, getNodeValue, parseTree, printParseErrorCode } from "jsonc-parser";
import { InputError, SourceLocation } from "../input";
import { FileDocument, documentOf, locationKey } from "./document";
import { LineIndex, withoutBom } from "./positions";

/*
 * Terraform JSON (`.tf.json`, cdktf's `cdk.tf.json` included), parsed with Microsoft's
 * jsonc-parser, whose tree keeps each key's offset: the line of `"NAME": {` is the block's line.
 * Strict JSON, as Terraform reads it: no comments, no trailing commas. cdktf's `"//"` metadata
 * keys are dropped (document.ts); everything else is as written.
 */

/** `CloseBraceExpected` → `close brace expected`. */
function describe(error: ParseError): string {
  return printParseErrorCode(error.error)
    .replace(/([a-z])([A-Z])/g, "$1 $2")
    .toLowerCase();
}

/** A JSON file's tree and value, or its first syntax error (the rest follow from it) with line and column. */
export function parseJson(
  file: string,
  text: string,
): { root: Node; value: unknown; lines: LineIndex; problems: [] } | { root?: undefined; problems: InputError[] } {
  const source = withoutBom(text);
  const lines = new LineIndex(source);
  const errors: ParseError[] = [];
  const root = parseTree(source, errors, { disallowComments: true, allowTrailingComma: false });
  if (errors.length > 0 || root === undefined) {
    const first = errors[0];
    if (first === undefined) return { problems: [new InputError(file, "is empty, not JSON")] };
    const { line, column } = lines.at(first.offset);
    return { problems: [new InputError(file, `is not valid JSON: ${describe(first)}`, line, column)] };
  }
  return { root, value: getNodeValue(root), lines, problems: [] };
}

/** How many labels each located block type has: `resource "TYPE" "NAME"`, `module "NAME"`. */
const LABELS: Record<string, number> = { resource: 2, data: 2, provider: 1, module: 1 };

/**
 * Where each resource, data source, provider and module block starts: the line of its name's key,
 * or of its object when a list gives several. Terraform JSON allows an object or a list of
 * objects at each level; this walks them in the order document.ts reads the values.
 */
function locationsOf(file: string, root: Node, lines: LineIndex): Map<string, SourceLocation[]> {
  const found = new Map<string, SourceLocation[]>();
  const put = (key: string, offset: number) =>
    found.set(key, [...(found.get(key) ?? []), { file, ...lines.at(offset) }]);
  const objects = (node: Node): Node[] =>
    node.type === "array"
      ? (node.children ?? []).filter((c) => c.type === "object")
      : node.type === "object"
        ? [node]
        : [];
  const properties = (node: Node): [string, Node, Node][] =>
    objects(node).flatMap((o) =>
      (o.children ?? []).flatMap((p) =>
        p.children?.length === 2
          ? [[String(p.children[0].value), p.children[0], p.children[1]] as [string, Node, Node]]
          : [],
      ),
    );
  const walk = (kind: string, node: Node, labels: string[], left: number): void => {
    for (const [label, key, value] of properties(node)) {
      if (left > 1) walk(kind, value, [...labels, label], left - 1);
      else if (value.type === "array")
        for (const body of objects(value)) put(locationKey(kind, [...labels, label]), body.offset);
      else put(locationKey(kind, [...labels, label]), key.offset);
    }
  };
  for (const [kind, , value] of properties(root)) if (LABELS[kind] !== undefined) walk(kind, value, [], LABELS[kind]);
  return found;
}

/** One `.tf.json` file: its blocks with their lines, or why it cannot be read. */
export function readTerraformJson(file: string, text: string): { document?: FileDocument; problems: InputError[] } {
  const parsed = parseJson(file, text);
  if (parsed.root === undefined) return { problems: parsed.problems };
  const { root, value, lines } = parsed;
  if (typeof value !== "object" || value === null || Array.isArray(value))
    return { problems: [new InputError(file, "is not Terraform JSON: its top level is not an object")] };
  return { document: documentOf(file, value as Record<string, unknown>, locationsOf(file, root, lines)), problems: [] };
}
