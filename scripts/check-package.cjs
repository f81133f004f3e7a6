// node scripts/check-package.cjs: what `npm publish ./dist` would ship, checked before it does.
// Runs `npm pack --dry-run --json ./dist` (after `npm run package`) and refuses a tarball that
// holds anything but the library: its compiled modules and their declarations, the manifest, the
// README and licence; no tests, no app (lib/app), no environments, no sources or source maps, and
// every module of lib/ (but the app) present. The Publish workflow runs it, and an e2e test.
"use strict";
const { execFileSync } = require("node:child_process");
const { readdirSync } = require("node:fs");
const { join } = require("node:path");

const root = join(__dirname, "..");

/** The files the tarball must hold: each module of lib/ but the app's, compiled and declared. */
function expectedFiles() {
  const modules = readdirSync(join(root, "lib"), { recursive: true, encoding: "utf8" })
    .map((f) => f.split("\\").join("/"))
    .filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts") && !f.startsWith("app/"));
  return [
    "README.md",
    "package.json",
    ...modules.flatMap((f) => [f.replace(/\.ts$/, ".js"), f.replace(/\.ts$/, ".d.ts")]),
  ].sort();
}

/** What is wrong with a tarball's file list, if anything. */
function packageProblems(files) {
  const problems = [];
  const expected = new Set(expectedFiles());
  const extra = files.filter((f) => !expected.has(f) && f !== "LICENSE");
  const missing = [...expected].filter((f) => !files.includes(f));
  for (const f of extra) {
    const why = /(^|\/)(app|__tests__|environments)\//.test(f)
      ? "the app and the tests are not the library"
      : /\.map$/.test(f)
        ? "a source map points at sources that are not shipped"
        : /\.ts$/.test(f) && !/\.d\.ts$/.test(f)
          ? "sources are not shipped, only what they compile to"
          : "not part of the library";
    problems.push(`${f}: ${why}`);
  }
  for (const f of missing) problems.push(`${f}: missing (run npm run package, after npm run build)`);
  return problems;
}

/** The files `npm pack ./dist` would put in the tarball, and its unpacked size in bytes. */
function packedFiles() {
  const out = execFileSync("npm", ["pack", "--dry-run", "--json", "./dist"], { cwd: root, encoding: "utf8" });
  const [pack] = JSON.parse(out);
  return { files: pack.files.map((f) => f.path).sort(), unpackedSize: pack.unpackedSize, name: pack.name };
}

module.exports = { expectedFiles, packageProblems, packedFiles };

if (require.main === module) {
  const { files, unpackedSize, name } = packedFiles();
  const problems = packageProblems(files);
  if (problems.length > 0) {
    console.error(
      `${name}: the tarball would hold what it must not, or lack what it must:\n${problems.map((p) => `  - ${p}`).join("\n")}`,
    );
    process.exit(1);
  }
  console.log(`${name}: ${files.length} files, ${(unpackedSize / 1024).toFixed(0)} kB unpacked, the library alone`);
}
