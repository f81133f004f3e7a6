/**
 * The app as users run it, in child processes: the cdktf.json app command (what `npm run synth`
 * runs, and what `cdktf synth` runs inside the CLI) writes the same bytes from any checkout,
 * writes the same as `cdktf synth`, and on bad configuration exits 1 leaving earlier output alone.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { environmentFiles } from "../../lib/app";

const root = path.resolve(__dirname, "..", "..");
const app: string = JSON.parse(fs.readFileSync(path.join(root, "cdktf.json"), "utf8")).app;
const names = environmentFiles().map((f) => f.name);
const temporary: string[] = [];
afterAll(() => temporary.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function tmp(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `cdktf-cloud-run-${prefix}-`));
  temporary.push(dir);
  return dir;
}

/** Every file an output folder holds, relative path → content. */
function filesIn(dir: string): Record<string, string> {
  return Object.fromEntries(
    fs
      .readdirSync(dir, { recursive: true, encoding: "utf8" })
      .filter((f) => fs.statSync(path.join(dir, f)).isFile())
      .sort()
      .map((f) => [f, fs.readFileSync(path.join(dir, f), "utf8")]),
  );
}

function sh(command: string, cwd: string, env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync("sh", ["-c", command], {
    cwd,
    env: { ...process.env, CHECKPOINT_DISABLE: "1", ...env },
    encoding: "utf8",
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** What `npm run synth` writes in this checkout: the first two tests compare with it. */
let ours: Record<string, string>;

test("`npm run synth` runs the app command, and writes the same bytes as the app command in a copy elsewhere", () => {
  const out = tmp("npm-synth");
  const npm = sh("npm run -s synth", root, { CDKTF_OUTDIR: out });
  expect(npm.status).toBe(0);
  // Each environment's stack, then its bootstrap stack.
  const stacks = names.flatMap((n) => [n, `bootstrap-${n}`]);
  expect(npm.stdout).toContain(`Synthesized ${stacks.join(", ")}`);
  // Notes and accepted findings are output, not errors: cdktf shows stderr as [ERROR] lines.
  expect(npm.stderr).not.toMatch(/is not deployed|accepted findings/);
  ours = filesIn(out);
  expect(Object.keys(ours)).toEqual(["manifest.json", ...[...stacks].sort().map((n) => `stacks/${n}/cdk.tf.json`)]);
  expect(JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")).scripts.synth).toBe(app);

  const copy = tmp("checkout-copy");
  for (const entry of ["lib", "environments", "scripts", "main.ts", "package.json", "tsconfig.json", "cdktf.json"]) {
    fs.cpSync(path.join(root, entry), path.join(copy, entry), { recursive: true });
  }
  fs.symlinkSync(path.join(root, "node_modules"), path.join(copy, "node_modules"), "dir");
  const elsewhere = tmp("determinism");
  expect(sh(app, copy, { CDKTF_OUTDIR: elsewhere }).status).toBe(0);
  expect(filesIn(elsewhere)).toEqual(ours);
}, 60_000);

test("`cdktf synth` writes what `npm run synth` writes, so `cdktf plan/deploy --skip-synth` can use it", () => {
  const cli = tmp("cdktf-synth");
  expect(sh(`node_modules/.bin/cdktf synth --output ${cli}`, root).status).toBe(0);
  expect(filesIn(cli)).toEqual(ours);
}, 60_000);

test("on invalid configuration the app command exits 1, prints every problem and leaves earlier output as it was", () => {
  const outdir = tmp("earlier");
  const marker = path.join(outdir, "stacks", "any", "cdk.tf.json");
  fs.mkdirSync(path.dirname(marker), { recursive: true });
  fs.writeFileSync(marker, '{"earlier": true}');
  const fixtures = path.join(root, "__tests__", "fixtures", "invalid-environments");
  const { status, stderr } = sh(app, root, { CDKTF_OUTDIR: outdir, ENVIRONMENTS_DIR: fixtures });
  expect(status).toBe(1);
  expect(stderr).toContain("Invalid configuration; nothing was synthesized.");
  expect(stderr).toContain('services.predict.minInstance: got 1; is not a known field; did you mean "minInstances"?');
  expect(stderr).toContain('services.predict.memory: got "8Gi"; 1 vCPU allows at most 4Gi');
  expect(stderr).not.toMatch(/\n\s+at /); // no stack trace
  expect(fs.readFileSync(marker, "utf8")).toBe('{"earlier": true}');
  expect(fs.readdirSync(outdir)).toEqual(["stacks"]);
}, 60_000);
