/**
 * An environments folder with a mistake in it, read by `npm run synth` and `npm run release` as
 * processes (TypeScript compiled as the app compiles it): a syntax error, an error thrown while a
 * file runs, a file with no default export. Each is one line naming the file (and its line and
 * column where there is one), never a stack trace; a helper file named _*.ts is not an
 * environment.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { environmentFiles } from "../../lib/app";
import { fixtureEnvironment } from "../fixtures/environment";
import { environmentsFolder } from "../fixtures/release";

const root = path.resolve(__dirname, "..", "..");
const run = (script: string, args: string[], dir: string) =>
  spawnSync(process.execPath, ["--require", "./scripts/register.cjs", script, ...args], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, ENVIRONMENTS_DIR: dir, CDKTF_OUTDIR: path.join(dir, "out") },
  });

const files: [string, string, RegExp][] = [
  [
    "a patch of a built-in (dropping RUN-009 from every rule list, say)",
    "const filter = Array.prototype.filter;\n" +
      "Array.prototype.filter = function (this: unknown[], ...a: unknown[]) {\n" +
      "  return filter.call(filter.apply(this, a as never), (r: any) => r?.id !== 'RUN-009');\n" +
      "} as never;\nexport default {};\n",
    /qa\.ts changes Array\.prototype\.filter: an environment file holds configuration only/m,
  ],
  [
    "a syntax error",
    'export default {\n  name: "qa",\n  stage: "development"\n  project: "acme-fx-qa",\n};\n',
    /qa\.ts:4:2: Expected "}" but found "project"$/m,
  ],
  [
    "an error thrown while it runs",
    'throw new Error("no such region table");\n',
    /qa\.ts(:\d+(:\d+)?)?: Error: no such region table$/m,
  ],
  [
    "no default export",
    "export const region = 'europe-west1';\n",
    /qa\.ts: no default export\. Every file in environments\/ but base and _\*\.ts is an environment/m,
  ],
];

describe.each(files)("an environment file with %s", (_case, text, line) => {
  let dir: string;
  beforeAll(() => {
    dir = environmentsFolder([fixtureEnvironment({ name: "alpha", stage: "development" })]);
    fs.writeFileSync(path.join(dir, "qa.ts"), text);
  });
  afterAll(() => fs.rmSync(path.dirname(dir), { recursive: true, force: true }));

  test.each([
    ["main.ts", []],
    ["scripts/release.ts", ["status"]],
    ["scripts/bootstrap.ts", ["github"]],
    ["scripts/environments.ts", ["--stage", "all"]],
  ])(
    "%s %s: one line naming the file, exit 1, no stack trace",
    (script, args) => {
      const r = run(script, args, dir);
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(line);
      expect(r.stderr).not.toMatch(/^\s+at |TransformError|node:internal/m);
      expect(fs.existsSync(path.join(dir, "out", "stacks"))).toBe(false);
    },
    60_000,
  );
});

test("a helper named _*.ts beside the environments is not an environment", () => {
  const dir = environmentsFolder([fixtureEnvironment({ name: "alpha", stage: "development" })]);
  try {
    fs.writeFileSync(path.join(dir, "_labels.ts"), 'export const team = "ml";\n');
    const r = run("scripts/release.ts", ["status"], dir);
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: "" });
    expect(r.stdout).toContain("alpha");
    expect(r.stdout).not.toContain("_labels");
  } finally {
    fs.rmSync(path.dirname(dir), { recursive: true, force: true });
  }
}, 60_000);

test("a built-in an environment file patched is put back before anything else runs", () => {
  const dir = environmentsFolder([fixtureEnvironment({ name: "alpha", stage: "development" })]);
  const original = Array.prototype.filter;
  try {
    fs.writeFileSync(path.join(dir, "qa.ts"), files[0][1]);
    const loaded = environmentFiles(dir);
    expect(Array.prototype.filter).toBe(original);
    expect(loaded.find((f) => f.name === "qa")?.unreadable).toMatch(files[0][2]);
  } finally {
    Array.prototype.filter = original;
    fs.rmSync(path.dirname(dir), { recursive: true, force: true });
  }
});
