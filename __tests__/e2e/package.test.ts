/**
 * What `npm publish ./dist` would ship (scripts/check-package.cjs, which the Publish workflow runs
 * before publishing): the library alone, every module of it, nothing of the app or the tests.
 */
import { execFileSync } from "child_process";
import * as path from "path";
import { expectedFiles, packageProblems, packedFiles } from "../../scripts/check-package.cjs";

const repo = path.resolve(__dirname, "..", "..");

beforeAll(() => {
  // What `npm run package` does; after npm test has built dist/, the build is a no-op.
  execFileSync(
    process.execPath,
    [path.join(repo, "node_modules", "typescript", "bin", "tsc"), "-b", "tsconfig.build.json"],
    {
      cwd: repo,
    },
  );
  execFileSync(process.execPath, [path.join(repo, "scripts", "package.mjs")], { cwd: repo });
});

test("the tarball holds the library alone: every module compiled and declared, the manifest, the README", () => {
  const { files, name, unpackedSize } = packedFiles();
  expect(name).toBe("cdktf-cloud-run");
  expect(packageProblems(files)).toEqual([]);
  expect(files).toContain("index.js");
  expect(files).toContain("constructs/workload/props.d.ts");
  expect(files.filter((f) => f.startsWith("app/"))).toEqual([]);
  // The library, and the check command's parsers bundled (2.3 MB, most of it HashiCorp's HCL
  // parser in WebAssembly): 2.7 MB unpacked when measured.
  expect(files.filter((f) => f.startsWith("node_modules/")).map((f) => f.split("/")[1])).toEqual(
    expect.arrayContaining(["@cdktf", "jsonc-parser"]),
  );
  expect(unpackedSize).toBeLessThan(4 * 1024 * 1024);
});

test("a tarball with the app, a test, a source, a source map or a missing module is refused, naming each", () => {
  const good = packedFiles().files;
  expect(good).toEqual(expect.arrayContaining(expectedFiles()));
  const bad = [
    ...good.filter((f) => f !== "constructs/grants.js"),
    "app/synth.js",
    "__tests__/layout.test.js",
    "index.ts",
    "index.js.map",
  ];
  expect(packageProblems(bad)).toEqual([
    "app/synth.js: the app and the tests are not the library",
    "__tests__/layout.test.js: the app and the tests are not the library",
    "index.ts: sources are not shipped, only what they compile to",
    "index.js.map: a source map points at sources that are not shipped",
    "constructs/grants.js: missing (run npm run package, after npm run build)",
  ]);
  // And a bundled parser left out.
  expect(packageProblems(good.filter((f) => !f.startsWith("node_modules/jsonc-parser/")))).toEqual([
    "node_modules/jsonc-parser: a bundled dependency is missing (run npm run package)",
  ]);
});

test("the command says what the tarball holds (the workflow fails on what packageProblems finds)", () => {
  const out = execFileSync(process.execPath, [path.join(repo, "scripts", "check-package.cjs")], {
    cwd: repo,
    encoding: "utf8",
  });
  expect(out).toMatch(/^cdktf-cloud-run: \d+ files, \d+ kB unpacked, the library alone\n$/);
});
