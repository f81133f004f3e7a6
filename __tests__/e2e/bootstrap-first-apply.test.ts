/**
 * `npm run bootstrap -- first-apply <env>` as a process, with `gcloud` and `terraform` replaced
 * on PATH by scripts that record each call and act out their part (no network, no provider):
 * the order of the steps, the backend override while on local state, and the local state kept
 * whenever a step fails.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { environmentFiles, parseEnvironmentConfig } from "../../lib/app";

const root = path.resolve(__dirname, "..", "..");
// The first environment of environments/, whatever it is called.
const config = parseEnvironmentConfig(environmentFiles()[0].config);
const temporary: string[] = [];
afterAll(() => temporary.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

/**
 * The stand-ins. terraform: `init` records whether the override is there; `apply` writes the
 * local state where the override points; `init -migrate-state` copies it into a folder that
 * stands for the bucket; `state list` reads it back. FAIL=init, apply, init-migrate-state or
 * state makes that step fail after doing its part (an apply that fails half way has state).
 */
const TERRAFORM = `#!/bin/sh
echo "terraform $* | override=$([ -f backend_override.tf.json ] && echo yes || echo no)" >> "$CALLS"
case "$1 $3" in
  "apply ") p=$(sed -n 's/.*"path": "\\(.*\\)".*/\\1/p' backend_override.tf.json); echo '{"version":4}' > "$p" ;;
  "init -migrate-state") cp "$LOCAL_STATE" "$BUCKET/default.tfstate" ;;
  "state ") [ -f "$BUCKET/default.tfstate" ] || exit 4 ;;
esac
[ "$FAIL" = "$1$3" ] && { echo "fake failure of $1 $2" >&2; exit 3; }
exit 0
`;
const GCLOUD = `#!/bin/sh
echo "gcloud $*" >> "$CALLS"
[ -n "$EXISTING" ] && { echo "$EXISTING"; exit 0; }
echo "\${GCLOUD_ERROR:-ERROR: (gcloud.storage.ls) One or more URLs matched no objects.}" >&2
exit 1
`;

function firstApply(env: Record<string, string> = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cdktf-cloud-run-first-apply-"));
  temporary.push(dir);
  const bin = path.join(dir, "bin");
  const bucket = path.join(dir, "bucket");
  fs.mkdirSync(bin);
  fs.mkdirSync(bucket);
  fs.writeFileSync(path.join(bin, "terraform"), TERRAFORM, { mode: 0o755 });
  fs.writeFileSync(path.join(bin, "gcloud"), GCLOUD, { mode: 0o755 });
  const calls = path.join(dir, "calls.log");
  const localState = path.join(dir, ".bootstrap", `${config.name}.tfstate`);
  const r = spawnSync(
    process.execPath,
    [
      "--require",
      path.join(root, "scripts", "register.cjs"),
      path.join(root, "scripts", "bootstrap.ts"),
      "first-apply",
      config.name,
    ],
    {
      cwd: dir,
      encoding: "utf8",
      env: {
        ...process.env,
        PATH: `${bin}${path.delimiter}${process.env.PATH}`,
        CDKTF_OUTDIR: path.join(dir, "cdktf.out"),
        CALLS: calls,
        BUCKET: bucket,
        LOCAL_STATE: localState,
        ...env,
      },
    },
  );
  const log = fs.existsSync(calls) ? fs.readFileSync(calls, "utf8").trim().split("\n") : [];
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, log, localState, dir };
}

const remote = `gs://${config.stateBucket}/${config.app}/bootstrap-${config.name}/`;

test("on local state first, then into the bucket; the local copy goes only once the bucket holds it", () => {
  const r = firstApply();
  expect(r.stderr).toBe("");
  expect(r.status).toBe(0);
  expect(r.log).toEqual([
    `gcloud storage ls ${remote}`,
    "terraform init -input=false | override=yes",
    "terraform apply | override=yes",
    "terraform init -input=false -migrate-state -force-copy | override=no",
    "terraform state list | override=no",
  ]);
  expect(r.stdout).toContain(`bootstrap-${config.name} is applied and its state is in ${remote}`);
  expect(fs.existsSync(r.localState)).toBe(false);
  // The override pointed at the state beside the repository, not inside cdktf.out/.
  expect(fs.existsSync(path.join(r.dir, "bucket", "default.tfstate"))).toBe(true);
}, 60_000);

test("refuses when the bucket already holds the stack's state, before running terraform", () => {
  const r = firstApply({ EXISTING: `${remote}default.tfstate` });
  expect(r.status).toBe(1);
  expect(r.stderr).toContain(
    `already holds bootstrap-${config.name}'s state: run npx cdktf deploy bootstrap-${config.name} instead`,
  );
  expect(r.log).toEqual([`gcloud storage ls ${remote}`]);
}, 60_000);

test.each([
  ["the prefix is empty", "ERROR: (gcloud.storage.ls) The following URLs matched no objects or files:\n-gs://b/p/"],
  ["the bucket does not exist yet", `ERROR: (gcloud.storage.ls) gs://${config.stateBucket} not found: 404.`],
])(
  "goes on when gcloud says there is nothing there: %s",
  (_case, error) => {
    const r = firstApply({ GCLOUD_ERROR: error });
    expect(r.status).toBe(0);
    expect(r.log[1]).toBe("terraform init -input=false | override=yes");
  },
  60_000,
);

test.each([
  [
    "expired credentials",
    "ERROR: (gcloud.storage.ls) There was a problem refreshing your current auth tokens: Reauthentication failed.",
  ],
  [
    "no permission",
    "ERROR: (gcloud.storage.ls) HTTPError 403: ci@p.iam.gserviceaccount.com does not have storage.objects.list access.",
  ],
  ["no network", "ERROR: (gcloud.storage.ls) Could not connect to storage.googleapis.com: Network is unreachable"],
  ["a 404 with a credentials problem", "ERROR: (gcloud.storage.ls) 404 not found, or your credentials lack access"],
])(
  "stops before terraform when gcloud cannot tell: %s",
  (_case, error) => {
    const r = firstApply({ GCLOUD_ERROR: error });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(
      `gcloud storage ls ${remote} failed (exit 1), so whether it already holds bootstrap-${config.name}'s state is unknown; nothing was applied.`,
    );
    expect(r.stderr).toContain(error);
    expect(r.log).toEqual([`gcloud storage ls ${remote}`]);
    expect(fs.existsSync(r.localState)).toBe(false);
  },
  60_000,
);

test("a failed init stops the run: nothing was applied", () => {
  const r = firstApply({ FAIL: "init" });
  expect(r.status).toBe(1);
  expect(r.stderr).toContain("terraform init -input=false failed (exit 3)");
  expect(r.stderr).toContain("Nothing was applied yet; fix the cause and run this command again.");
  expect(
    fs.existsSync(path.join(r.dir, "cdktf.out", "stacks", `bootstrap-${config.name}`, "backend_override.tf.json")),
  ).toBe(false);
  expect(r.log.some((l) => l.startsWith("terraform apply"))).toBe(false);
}, 60_000);

test("a failed apply stops the run before any move, saying where the state is", () => {
  const r = firstApply({ FAIL: "apply" });
  expect(r.status).toBe(1);
  expect(r.stderr).toContain("terraform apply failed (exit 3)");
  expect(r.stderr).toContain(`The state is in .bootstrap/${config.name}.tfstate`);
  expect(r.log.some((l) => l.includes("-migrate-state"))).toBe(false);
  // Nothing left in the stack's folder that a later deploy would run on.
  const stack = path.join(r.dir, "cdktf.out", "stacks", `bootstrap-${config.name}`);
  expect(fs.existsSync(path.join(stack, "backend_override.tf.json"))).toBe(false);
}, 60_000);

test.each(["init-migrate-state", "state"])(
  "a failed %s keeps the local state, and says how to retry the move",
  (step) => {
    const r = firstApply({ FAIL: step });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/failed \(exit \d\)/);
    expect(r.stderr).toContain(`The local state is kept in .bootstrap/${config.name}.tfstate`);
    expect(fs.existsSync(r.localState)).toBe(true);
  },
  60_000,
);
