// npm test: type-check (tsc -b, which also builds dist/), ESLint, Prettier and jest. Arguments go
// to jest (`npm test -- -u` accepts new snapshots). Every step runs even when an earlier one
// fails, so one run shows every problem; the exit code is non-zero if any failed.
//
// The machine has two cores and every step is CPU-bound, so the order only matters for idle
// time: the library is built first (jest's consumer test packs dist/), side by side with ESLint
// and Prettier; jest starts as soon as dist/ is there, beside the type-check of everything else.
// tsc (build info, in node_modules/.cache and, for the library, in dist/ beside what it built),
// ESLint and Prettier keep caches: a second run re-checks only what changed. tsc decides what is
// up to date from the project's own files, not from node_modules, so the caches and dist/ are
// dropped whenever package-lock.json changes (`npm ci` also empties node_modules).
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";

const bin = (name) => `node_modules/.bin/${name}`;

const CACHES = "node_modules/.cache";
const STAMP = `${CACHES}/cdktf-cloud-run-lock.sha256`;
const lockHash = createHash("sha256").update(readFileSync("package-lock.json")).digest("hex");
if (!existsSync(STAMP) || readFileSync(STAMP, "utf8") !== lockHash) {
  for (const tool of ["tsc", "eslint", "prettier"]) rmSync(`${CACHES}/${tool}`, { recursive: true, force: true });
  rmSync("dist", { recursive: true, force: true });
  mkdirSync(CACHES, { recursive: true });
  writeFileSync(STAMP, lockHash);
}
// ESLint takes a folder for its cache (with the trailing slash), Prettier a file (its default).
const cache = (location) => ["--cache", "--cache-strategy", "content", "--cache-location", `${CACHES}/${location}`];

function run(name, cmd, args, { buffered }) {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: buffered ? ["ignore", "pipe", "pipe"] : "inherit" });
    let output = "";
    if (buffered) {
      child.stdout.on("data", (d) => (output += d));
      child.stderr.on("data", (d) => (output += d));
    }
    child.on("close", (code) => {
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      resolve({ name, code, seconds, output: buffered ? `\n> ${name} (${seconds} s, exit ${code})\n${output}` : "" });
    });
  });
}

const started = Date.now();
// The documentation's TypeScript blocks become files that tsc type-checks and jest runs (a few ms).
await run("node scripts/doc-examples.cjs", process.execPath, ["scripts/doc-examples.cjs"], { buffered: false });
const build = run("tsc -b tsconfig.build.json", bin("tsc"), ["-b", "tsconfig.build.json"], { buffered: true });
const lint = run("eslint .", bin("eslint"), [".", ...cache("eslint/")], { buffered: true });
const format = run(
  "prettier --check .",
  bin("prettier"),
  ["--check", ".", "--log-level", "warn", ...cache("prettier/.prettier-cache")],
  {
    buffered: true,
  },
);
const built = await build;
const typecheck = run("tsc -b", bin("tsc"), ["-b"], { buffered: true });
process.stdout.write(`\n> jest ${process.argv.slice(2).join(" ")}\n`);
// Kept after the run, where jest says it wrote them: the last run's results, for reading.
const resultsFile = `${CACHES}/jest-results.json`;
rmSync(resultsFile, { force: true });
// The unit tier runs as the one test file `npm run test:unit` runs (__tests__/unit/all.ts), not
// as its ~50 files: each file would load jest, cdktf, the provider's classes and the library
// again (0.3-0.4 CPU-s a file). So CI runs what the inner loop runs; `npx jest <file>` still runs
// one file alone. The other tiers, and services/, run file by file.
const tiers = [
  "--testMatch",
  "**/__tests__/unit/all.ts",
  "**/*.test.ts",
  "--testPathIgnorePatterns",
  "/__tests__/(constructs|policies|app|gcp)/",
];
const jest = await run(
  "jest",
  bin("jest"),
  [...tiers, ...process.argv.slice(2), "--json", `--outputFile=${resultsFile}`],
  { buffered: false },
);
let counts = "";
try {
  const r = JSON.parse(readFileSync(resultsFile, "utf8"));
  counts = `tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests} skipped`;
  // A snapshot no test checks any more (an environment removed, a test renamed) fails the full
  // run, as a snapshot nobody wrote fails under CI: `npm test -- -u` removes it.
  if (process.argv.length === 2 && r.snapshot.unchecked > 0) {
    counts += `\n${r.snapshot.unchecked} obsolete snapshot(s): run npm test -- -u to remove them, and review the diff`;
    jest.code = jest.code || 1;
  }
} catch {
  counts = "tests: 0 passed, 1 failed (jest wrote no results)";
}

const checks = [built, await typecheck, await lint, await format];
for (const c of checks) process.stdout.write(c.output);
const all = [...checks, jest];
const failed = all.filter((r) => r.code !== 0);
process.stdout.write(
  `\n${all.map((r) => `${r.code === 0 ? "ok  " : "FAIL"} ${r.name} (${r.seconds} s)`).join("\n")}\n` +
    `npm test: ${((Date.now() - started) / 1000).toFixed(1)} s, ${failed.length === 0 ? "every step passed" : `${failed.length} step(s) failed`}\n` +
    `${counts}\n`,
);
process.exitCode = failed.length === 0 ? 0 : 1;
