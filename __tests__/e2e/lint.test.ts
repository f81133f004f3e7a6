/**
 * The provider's package root loads all 1,474 resource modules; the lint rule that forbids it
 * (and any provider import outside lib/providers.ts) is tested here against the real config, with
 * the rule that keeps environment files to configuration: they cannot import the policy pack.
 * ESLint loads its config with a dynamic import, which jest's VM does not allow, so the cases are
 * linted in one child process.
 */
import { execFileSync } from "child_process";
import * as path from "path";

const root = path.resolve(__dirname, "..", "..");
// Spelt in two parts, so that searches for the forbidden import do not find this test.
const ROOT_IMPORT = `export * as google from "${["@cdktf", "provider-google"].join("/")}";\n`;
const DEEP_IMPORT = 'export { CloudRunV2Service } from "@cdktf/provider-google/lib/cloud-run-v2-service";\n';

/** What an environment file might import: the first two are its own; the rest reach past config. */
const ENVIRONMENT_IMPORTS = [
  'export { defineEnvironment } from "./base";\n',
  'export { extendEnvironment } from "../lib/app/config";\n',
  'export { RULES } from "../lib/policies";\n',
  'export { RULES } from "../lib/policies/rules";\n',
  'export { PolicyPack } from "../lib";\n',
  'export { EnvironmentStack } from "../lib/app";\n',
  'export { Aspects } from "cdktf";\n',
  'export { writeFileSync } from "fs";\n',
  'export const rules = import("../lib/policies");\n',
];

const cases: [string, string][] = [
  [ROOT_IMPORT, "lib/example.ts"],
  [ROOT_IMPORT, "lib/providers.ts"],
  [ROOT_IMPORT, "main.ts"],
  [ROOT_IMPORT, "__tests__/example.test.ts"],
  [DEEP_IMPORT, "lib/providers.ts"],
  [DEEP_IMPORT, "lib/example.ts"],
  [DEEP_IMPORT, "environments/dev.ts"],
  ...ENVIRONMENT_IMPORTS.map((code) => [code, "environments/prod.ts"] as [string, string]),
];

const script = `
const { ESLint } = require("eslint");
const path = require("path");
(async () => {
  const eslint = new ESLint({ cwd: process.cwd() });
  const out = [];
  for (const [code, file] of JSON.parse(process.argv[1])) {
    const [r] = await eslint.lintText(code, { filePath: path.resolve(file) });
    out.push(
      r.messages
        .filter((m) => m.ruleId === "no-restricted-imports" || m.ruleId === "no-restricted-syntax")
        .map((m) => m.message),
    );
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

  test("deep imports are refused in lib/example.ts, and in an environment file, which imports no provider", () => {
    expect(messagesFor(DEEP_IMPORT, "lib/example.ts")).toEqual([expect.stringContaining("lib/providers.ts only")]);
    expect(messagesFor(DEEP_IMPORT, "environments/dev.ts")).toEqual([
      expect.stringContaining("An environment file imports ./base"),
    ]);
  });
});

describe("environment files are configuration", () => {
  test("they import their siblings and the app's config helpers", () => {
    for (const code of ENVIRONMENT_IMPORTS.slice(0, 2)) expect(messagesFor(code, "environments/prod.ts")).toEqual([]);
  });

  test.each(ENVIRONMENT_IMPORTS.slice(2))("and nothing else: %s", (code) => {
    expect(messagesFor(code, "environments/prod.ts")).toEqual([
      expect.stringMatching(/An environment file imports (\.\/base|statically)/),
    ]);
  });
});
