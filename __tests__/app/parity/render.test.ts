/**
 * The parity report as text (npm run parity) and as Markdown (the job summary): long values by
 * length and fingerprint, the attribute matrix.
 */
import { StackJson, compareStacks, renderMarkdown, renderText } from "../../../lib/app/parity";
import { SERVICE, parityStacks } from "../../fixtures/parity";
import { Json } from "../../helpers";
import { editedStacks, service } from "./stacks";

let original: Record<string, StackJson>;

beforeAll(() => {
  original = parityStacks().stacks;
});

/** The stacks with `edit` applied to a copy of one or more of them. */
const edited = (edits: Record<string, (stack: Json) => void>) => editedStacks(original, edits);

describe("environment parity, rendered", () => {
  test("a value too long to read in a column is shown by length and fingerprint, equal where equal", () => {
    const long = (c: string) => Array.from({ length: 50 }, (_, i) => `${c}${i}`).join(",");
    const report = compareStacks(
      edited({
        alpha: (s) => (service(s).description = long("a")),
        beta: (s) => (service(s).description = long("b")),
        gamma: (s) => (service(s).description = long("a")),
      }),
    );
    const row = report.drift.find((r) => r.path === `${SERVICE}.description`)!;
    expect(row.values.alpha).toBe(JSON.stringify(long("a")));
    const text = renderText(report);
    const cell = /\((\d+) characters, sha256 ([0-9a-f]{8})\)/g;
    const line = text.split("\n").find((l) => l.startsWith(`${SERVICE}.description`))!;
    const shown = [...line.matchAll(cell)].map((m) => [m[1], m[2]]);
    expect(shown).toHaveLength(3);
    expect(shown[0]).toEqual(shown[2]);
    expect(shown[1][1]).not.toBe(shown[0][1]);
    expect(Number(shown[0][0])).toBe(row.values.alpha!.length);
    expect(line.length).toBeLessThan(300);
    expect(text).toContain("shown by length and fingerprint; read them in cdktf.out/stacks/<env>/cdk.tf.json");
    // In Markdown the path is code: a bare <env> would be taken for an HTML tag and dropped.
    expect(renderMarkdown(report)).toContain("read them in `cdktf.out/stacks/<env>/cdk.tf.json`.");
    // Short differences carry no such note.
    expect(renderText(compareStacks(edited({ beta: (s) => (service(s).description = "short") })))).not.toContain(
      "fingerprint",
    );
  });

  test("the markdown matrix for the job summary", () => {
    const md = renderMarkdown(compareStacks(edited({ beta: (s) => (service(s).template.timeout = "90s") })));
    expect(md).toContain("| attribute | alpha | beta | gamma |");
    expect(md).toContain(`| \`${SERVICE}.template.timeout\` | \`"60s"\` | \`"90s"\` | \`"60s"\` |`);
  });
});
