import { App } from "cdktf";
import { Construct } from "constructs";
import * as fs from "fs";
import * as path from "path";
import { PolicyReport, formatAcknowledged, formatReport, hasErrors } from "../policies";
import { BootstrapStack, bootstrapStackId } from "./bootstrap-stack";
import { Problem, describeProblems } from "../gcp/validation";
import { ConfigError, EnvironmentConfig, parseEnvironmentConfig } from "./config";
import { sharedAcrossEnvironments } from "./config/checks";
import { statedByEnvironment } from "./config/define";
import { EnvironmentStack } from "./environment-stack";
import { parseRelease, releasedEverywhere } from "./release/deployment";
import { historyMessages } from "./release/history";
import { ReleaseError, ReleaseFile } from "./release/model";
import { EnvironmentFile, environmentFiles } from "./environments";

/*
 * The synth driver: every environment validated, every stack's policy findings checked, and only
 * then anything written. main.ts runs it.
 */

/** What {@link synthesize} did: the stacks it wrote, or every configuration problem it found. */
export interface SynthResult {
  /** Every stack written: each environment's, then its bootstrap stack (`bootstrap-<env>`). */
  readonly stacks: readonly string[];
  /** The environments' own stacks among them (no bootstrap stack). */
  readonly environments?: readonly string[];
  /** Every problem that stopped synthesis: invalid configuration, or policy errors. */
  readonly errors: readonly string[];
  /** What kind of problem stopped it. */
  readonly failure?: "configuration" | "policy";
  /** Policy warnings (synthesis went on). */
  readonly warnings?: readonly string[];
  /** Findings an acknowledgement accepted, per stack, with their reasons: printed for reviewers. */
  readonly acknowledged?: readonly string[];
  /** What is declared but not deployed yet: one line per service with no release at its stage. */
  readonly notices?: readonly string[];
}

/** What the app prints when synthesis stopped: every problem, after a line that says what kind. */
export function describeFailure(result: SynthResult): string {
  const what = result.failure === "policy" ? "Policy errors" : "Invalid configuration";
  return `${what}; nothing was synthesized.\n\n${result.errors.join("\n\n")}`;
}

/** A problem of the shared configuration, and the environments it breaks. */
interface SharedProblem {
  readonly problem: Problem;
  readonly environments: string[];
  readonly dir: string;
}

/**
 * The shared configuration's problems, one block per set of environments they break: a value
 * refused past development is one block naming staging and prod, not two copies of it.
 */
function sharedProblems(entries: readonly SharedProblem[]): string[] {
  const groups = new Map<string, SharedProblem[]>();
  for (const entry of entries) {
    const key = JSON.stringify([entry.dir, entry.environments]);
    groups.set(key, [...(groups.get(key) ?? []), entry]);
  }
  return [...groups.values()].map((group) => {
    const { dir, environments } = group[0];
    const base = ["base.ts", "base.js"].map((f) => path.join(dir, f)).find((f) => fs.existsSync(f));
    const where = base === undefined ? "the shared configuration" : `${base} (the shared configuration)`;
    const envs = `${environments.length === 1 ? "environment" : "environments"} ${environments.join(", ")}`;
    // Inherited, not necessarily at fault: a rule that names another field (a maximum, the
    // ingress) may be broken by what an environment file states beside it.
    return describeProblems(
      `${where}, inherited by ${envs},`,
      "field",
      group.map((g) => g.problem),
    );
  });
}

/**
 * Validates every environment in `dir` (or the `files` given), then, only if all are valid,
 * writes one stack per environment to `outdir` (`stacks/<env>/cdk.tf.json`). With any problem,
 * nothing is written.
 */
export function synthesize(
  options: {
    dir?: string;
    files?: readonly EnvironmentFile[];
    outdir?: string;
    /** Leave out the bootstrap stacks: for tools (and tests) that read the environments' only. */
    environmentsOnly?: boolean;
  } = {},
): SynthResult {
  const configs: { file: EnvironmentFile; config: EnvironmentConfig }[] = [];
  const errors: string[] = [];
  const shared = new Map<string, SharedProblem>();
  const releases: Record<string, ReleaseFile> = {};
  for (const file of options.files ?? environmentFiles(options.dir)) {
    if (file.unreadable !== undefined) {
      errors.push(file.unreadable);
      continue;
    }
    try {
      const config = parseEnvironmentConfig(file.config);
      if (config.name !== file.name) {
        errors.push(`${file.file}: name is "${config.name}"; it must be "${file.name}", the file's name`);
      }
      configs.push({ file, config });
      if (file.releaseUnreadable !== undefined) {
        errors.push(file.releaseUnreadable);
        continue;
      }
      try {
        releases[config.name] = parseRelease(config, file.release);
      } catch (e) {
        if (!(e instanceof ReleaseError)) throw e;
        errors.push(`${file.releaseFile ?? `the release of ${file.name}`}: ${e.message}`);
      }
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      // A problem in a field the file does not state is the shared configuration's: reported
      // once, with the environments it breaks, not once per environment file.
      const own = e.problems.filter((p) => statedByEnvironment(file.config, p.path) !== false);
      for (const p of e.problems.filter((x) => !own.includes(x))) {
        const key = JSON.stringify([p.path, p.value, p.allowed]);
        const entry = shared.get(key) ?? { problem: p, environments: [], dir: path.dirname(file.file) };
        entry.environments.push(e.environment);
        shared.set(key, entry);
      }
      if (own.length > 0) {
        errors.push(`${file.file}: ${describeProblems(`environment ${JSON.stringify(e.environment)}`, "field", own)}`);
      }
    }
  }
  errors.push(...sharedProblems([...shared.values()]));
  const sharing = sharedAcrossEnvironments(configs.map((c) => c.config));
  for (const { file, config } of configs) {
    const problems = sharing.get(config.name);
    if (problems === undefined) continue;
    errors.push(`${file.file}: ${describeProblems(`environment ${JSON.stringify(config.name)}`, "field", problems)}`);
  }
  // Across the release files, once each is sound on its own: what a later stage serves has
  // served at the stage before (a hand-edited file is refused here, and so in CI).
  if (errors.length === 0) {
    errors.push(
      ...historyMessages(
        configs.map((c) => c.file),
        configs.map((c) => c.config),
        releases,
      ),
    );
  }
  if (configs.length === 0 && errors.length === 0) errors.push("no environment files found");
  if (errors.length > 0) return { stacks: [], errors, failure: "configuration" };

  // Policy findings are checked for every stack before any is written: an error in the last
  // stack must not leave the first ones written.
  // cdktf's App creates <outdir>/stacks when it is constructed; if the policy check then stops
  // synthesis, what it created is removed again, so the folder is as it was.
  const outdir = path.resolve(options.outdir ?? process.env.CDKTF_OUTDIR ?? "cdktf.out");
  const created = [outdir, path.join(outdir, "stacks")].filter((d) => !fs.existsSync(d));
  const app = new App({ outdir });
  const warnings: string[] = [];
  const notices: string[] = [];
  const acknowledged: string[] = [];
  const check = (stack: string, report: PolicyReport) => {
    const text = formatReport(report);
    if (hasErrors(report)) errors.push(`stack ${stack}: policy findings\n${text}`);
    else if (text !== "") warnings.push(`stack ${stack}: policy warnings\n${text}`);
    const accepted = formatAcknowledged(report);
    if (accepted !== "") acknowledged.push(`stack ${stack}: accepted findings\n${accepted}`);
  };
  for (const { file, config } of configs) {
    // The file's own export, so that findings can tell what it states from what it inherits.
    const stack = new EnvironmentStack(app, config.name, file.config, { source: file.file, release: file.release });
    for (const key of stack.notDeployed) {
      notices.push(
        `${config.name}: ${key} is not deployed (no release at the ${config.stage} stage): ` +
          `npm run release -- promote <earlier environment> ${config.name} ${key} deploys it; ` +
          `one being retired stays so until the configuration drops it`,
      );
    }
    // With services not deployed yet, the pack checks the stack as it will be once they are (in
    // a detached tree that writes nothing): their findings belong to the change that adds them.
    const checked =
      stack.notDeployed.length === 0
        ? stack
        : new EnvironmentStack(new Construct(undefined as never, ""), config.name, file.config, {
            source: file.file,
            release: releasedEverywhere(config, parseRelease(config, file.release)),
          });
    check(config.name, checked.policyPack.check(checked));
    // Its day-one stack, from the same file: state bucket, federation, pipeline identities.
    if (options.environmentsOnly) continue;
    const bootstrap = new BootstrapStack(app, bootstrapStackId(config.name), file.config, {
      environments: configs.map((c) => c.config),
      source: file.file,
      environmentStack: checked,
    });
    check(bootstrap.node.id, bootstrap.policyPack.check(bootstrap));
  }
  if (errors.length > 0) {
    for (const dir of created.reverse()) if (fs.existsSync(dir) && fs.readdirSync(dir).length === 0) fs.rmdirSync(dir);
    return { stacks: [], errors, failure: "policy", warnings, acknowledged };
  }
  app.synth();
  removeStaleStacks(
    outdir,
    configs.flatMap((c) => [c.config.name, bootstrapStackId(c.config.name)]),
  );
  return {
    stacks: configs.flatMap((c) =>
      options.environmentsOnly ? [c.config.name] : [c.config.name, bootstrapStackId(c.config.name)],
    ),
    environments: configs.map((c) => c.config.name),
    errors: [],
    warnings,
    acknowledged,
    notices,
  };
}

/**
 * Removes the stack folders of environments that no longer exist (a deleted or renamed
 * environment file), so that `<outdir>/stacks` holds today's stacks only and nothing (parity, a
 * deploy) reads a stale one. Only folders that hold a synthesized stack (`cdk.tf.json`) go.
 */
function removeStaleStacks(outdir: string, keep: readonly string[]): void {
  const stacks = path.join(outdir, "stacks");
  if (!fs.existsSync(stacks)) return;
  for (const entry of fs.readdirSync(stacks, { withFileTypes: true })) {
    if (!entry.isDirectory() || keep.includes(entry.name)) continue;
    const dir = path.join(stacks, entry.name);
    if (fs.existsSync(path.join(dir, "cdk.tf.json"))) fs.rmSync(dir, { recursive: true, force: true });
  }
}
