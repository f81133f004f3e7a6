// node scripts/check-package.cjs: what `npm publish ./dist` would ship, checked before it does.
// Runs `npm pack --dry-run --json ./dist` (after `npm run package`) and refuses a tarball that
// holds anything but the library: its compiled modules and their declarations, the manifest, the
// README and licence, and the check command's bundled parsers (dist/node_modules, as published);
// no tests, no app (lib/app), no environments, no sources or source maps, and every module of lib/
// (but the app) present. The Publish workflow runs it, and an e2e test.
"use strict";
const { execFileSync } = require("node:child_process");
const { existsSync, readFileSync, readdirSync } = require("node:fs");
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

/**
 * The packages bundled in the tarball (the check command's parsers and what they depend on, as
 * scripts/package.mjs copies them into dist/node_modules): shipped as they are published.
 */
function bundledPackages() {
  const dir = join(root, "dist", "node_modules");
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((n) => (n.startsWith("@") ? readdirSync(join(dir, n)).map((m) => `${n}/${m}`) : [n]));
}

/** What is wrong with a tarball's file list, if anything. */
function packageProblems(files) {
  const problems = [];
  const expected = new Set(expectedFiles());
  const bundled = bundledPackages();
  const manifest = existsSync(join(root, "dist", "package.json"))
    ? JSON.parse(readFileSync(join(root, "dist", "package.json"), "utf8"))
    : {};
  for (const name of manifest.bundleDependencies ?? []) {
    if (!files.some((f) => f.startsWith(`node_modules/${name}/`))) {
      problems.push(`node_modules/${name}: a bundled dependency is missing (run npm run package)`);
    }
  }
  const inBundle = (f) => bundled.some((name) => f.startsWith(`node_modules/${name}/`));
  const extra = files.filter((f) => !expected.has(f) && f !== "LICENSE" && !inBundle(f));
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
