import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { bootstrapStackId } from "./bootstrap-stack";

/**
 * `npm run bootstrap -- first-apply <env>`: the one run of an environment's bootstrap stack
 * before its state bucket exists. The stack declares its GCS backend in the bucket it creates, so
 * the first apply runs on local state (a `backend_override.tf.json` beside the stack replaces the
 * backend: Terraform's "Override files"), then moves the state into the bucket
 * (`terraform init -migrate-state`), and only then deletes the local copy. Every step stops the
 * run when it fails, saying where the state is. Later runs: `npx cdktf deploy bootstrap-<env>`.
 *
 * It runs the real `gcloud` and `terraform` from PATH, in the synthesized stack's folder.
 */

/** Where the local state lives during the first apply: beside the repository, never in cdktf.out/. */
export const LOCAL_STATE_DIR = ".bootstrap";

type Step = { code: number; stdout: string; stderr: string };

function run(cmd: string, args: string[], cwd: string, interactive: boolean): Step {
  const r = spawnSync(cmd, args, {
    cwd,
    encoding: "utf8",
    stdio: interactive ? "inherit" : ["ignore", "pipe", "pipe"],
  });
  if (r.error) return { code: 127, stdout: "", stderr: `${cmd}: ${r.error.message}` };
  return { code: r.status ?? 1, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
}

/**
 * True when a failed `gcloud storage ls` said the bucket or the prefix does not exist ("One or
 * more URLs matched no objects", "The following URLs matched no objects or files", "gs://… not
 * found: 404") and nothing about credentials or permissions.
 */
export function definitelyAbsent(stderr: string): boolean {
  const absent = /matched no objects|not found|\b404\b|NoSuchBucket|does not exist/i.test(stderr);
  const doubt = /\b40[13]\b|permission|denied|unauthori[sz]ed|auth|credential|token|forbidden/i.test(stderr);
  return absent && !doubt;
}

/** The outcome of a first apply: an exit code and what to tell the user. */
export interface FirstApplyResult {
  readonly code: 0 | 1;
  readonly message: string;
}

/**
 * Runs the first apply of `bootstrap-<environment>` from `outdir` (what `npm run synth` wrote).
 * `root` is where the local state is kept (`.bootstrap/<env>.tfstate`, git-ignored).
 */
export function firstApply(environment: string, outdir: string, root: string): FirstApplyResult {
  const id = bootstrapStackId(environment);
  const stackDir = path.join(outdir, "stacks", id);
  const file = path.join(stackDir, "cdk.tf.json");
  if (!fs.existsSync(file)) {
    return { code: 1, message: `${file} does not exist: run npm run synth first` };
  }
  const backend = JSON.parse(fs.readFileSync(file, "utf8"))?.terraform?.backend?.gcs as
    | { bucket?: string; prefix?: string }
    | undefined;
  if (!backend?.bucket || !backend.prefix) return { code: 1, message: `${file} has no GCS backend` };
  const remote = `gs://${backend.bucket}/${backend.prefix}/`;

  // Refuse when the bucket already holds this stack's state: -force-copy would overwrite it.
  // Go on only when gcloud says, in so many words, that there is nothing there: any other
  // failure (expired credentials, no permission, no network) could be hiding state.
  const listed = run("gcloud", ["storage", "ls", remote], stackDir, false);
  if (listed.code === 127) return { code: 1, message: listed.stderr };
  if (listed.code === 0 && listed.stdout.trim() !== "") {
    return { code: 1, message: `${remote} already holds ${id}'s state: run npx cdktf deploy ${id} instead` };
  }
  if (listed.code !== 0 && !definitelyAbsent(listed.stderr)) {
    return {
      code: 1,
      message:
        `gcloud storage ls ${remote} failed (exit ${listed.code}), so whether it already holds ${id}'s state is unknown; ` +
        `nothing was applied. Fix the cause (gcloud auth login, the project's permissions) and run this command again.\n${listed.stderr}`,
    };
  }

  const stateDir = path.join(root, LOCAL_STATE_DIR);
  fs.mkdirSync(stateDir, { recursive: true });
  const localState = path.join(stateDir, `${environment}.tfstate`);
  const override = path.join(stackDir, "backend_override.tf.json");
  fs.writeFileSync(
    override,
    `${JSON.stringify({ terraform: { backend: { local: { path: path.relative(stackDir, localState) } } } }, null, 2)}\n`,
  );
  const keep = () =>
    fs.existsSync(localState)
      ? `The state is in ${path.relative(root, localState)}; fix the cause and run this command again.`
      : "Nothing was applied yet; fix the cause and run this command again.";

  const steps: [string, string[], boolean][] = [
    ["terraform", ["init", "-input=false"], false],
    ["terraform", ["apply"], true],
  ];
  for (const [cmd, args, interactive] of steps) {
    const r = run(cmd, args, stackDir, interactive);
    if (r.code !== 0) {
      // Nothing left behind in the stack's folder: with the override there, a later
      // `cdktf deploy` of this stack would run on local state.
      fs.rmSync(override, { force: true });
      return { code: 1, message: `${cmd} ${args.join(" ")} failed (exit ${r.code}).\n${r.stderr}${keep()}` };
    }
  }

  // Into the bucket, then check Terraform reads it back, and only then drop the local copy.
  fs.rmSync(override);
  for (const [cmd, args] of [
    ["terraform", ["init", "-input=false", "-migrate-state", "-force-copy"]],
    ["terraform", ["state", "list"]],
  ] as [string, string[]][]) {
    const r = run(cmd, args, stackDir, false);
    if (r.code !== 0) {
      return {
        code: 1,
        message: `${cmd} ${args.join(" ")} failed (exit ${r.code}).\n${r.stderr}The local state is kept in ${path.relative(root, localState)}; to retry the move: cd ${path.relative(root, stackDir)} && terraform init -migrate-state`,
      };
    }
  }
  for (const f of [localState, `${localState}.backup`]) fs.rmSync(f, { force: true });
  return {
    code: 0,
    message:
      `${id} is applied and its state is in ${remote}.\n` +
      `Next: terraform -chdir=${path.relative(root, stackDir)} output -raw workload_identity_provider, ` +
      `for the GitHub variable npm run bootstrap -- github names. Later runs: npx cdktf deploy ${id}`,
  };
}
