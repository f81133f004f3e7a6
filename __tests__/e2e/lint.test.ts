/**
 * The provider's package root loads all 1,474 resource modules; the lint rule that forbids it
 * (and any provider import outside lib/providers.ts) is tested here against the real config.
 * ESLint loads its config with a dynamic import, which jest's VM does not allow, so the cases are
 * linted in one child process.
 */
import { execFileSync } from "child_process";
import * as path from "path";

const root = path.resolve(__dirname, "..", "..");
// Spelt in two parts, so that searches for the forbidden import do not find this test.
const ROOT_IMPORT = `export * as google from "${["@cdktf", "provider-google"].join("/")}";\n`;
const DEEP_IMPORT = 'export { CloudRunV2Service } from "@cdktf/provider-google/lib/cloud-run-v2-service";\n';

const cases: [string, string][] = [
  [ROOT_IMPORT, "lib/example.ts"],
  [ROOT_IMPORT, "lib/providers.ts"],
  [ROOT_IMPORT, "main.ts"],
  [ROOT_IMPORT, "__tests__/example.test.ts"],
  [DEEP_IMPORT, "lib/providers.ts"],
  [DEEP_IMPORT, "lib/example.ts"],
  [DEEP_IMPORT, "environments/dev.ts"],
];

const script = `
const { ESLint } = require("eslint");
const path = require("path");
(async () => {
  const eslint = new ESLint({ cwd: process.cwd() });
  const out = [];
  for (const [code, file] of JSON.parse(process.argv[1])) {
    const [r] = await eslint.lintText(code, { filePath: path.resolve(file) });
    out.push(r.messages.filter((m) => m.ruleId === "no-restricted-imports").map((m) => m.message));
  }
  console.log(JSON.stringify(out));
})();
`;

let results: string[][];
beforeAll(() => {
  results = JSON.parse(
    execFileSync(process.execPath, ["-e", script, JSON.stringify(cases)], { cwd: root, encoding: "utf8" }),
  );
}, 60_000);

const messagesFor = (code: string, file: string) => results[cases.findIndex(([c, f]) => c === code && f === file)];

describe("provider imports", () => {
  test.each(["lib/example.ts", "lib/providers.ts", "main.ts", "__tests__/example.test.ts"])(
    "the package root is refused in %s",
    (file) => {
      expect(messagesFor(ROOT_IMPORT, file)).toEqual([expect.stringContaining("loads all 1,474 resource modules")]);
    },
  );

  test("deep imports are allowed in lib/providers.ts", () => {
    expect(messagesFor(DEEP_IMPORT, "lib/providers.ts")).toEqual([]);
  });

  test.each(["lib/example.ts", "environments/dev.ts"])("deep imports are refused in %s", (file) => {
    expect(messagesFor(DEEP_IMPORT, file)).toEqual([expect.stringContaining("lib/providers.ts only")]);
  });
});
