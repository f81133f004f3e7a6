import { own } from "../../gcp/validation";
import { execFileSync } from "child_process";
import { ArgumentSpec, CliResult, Invocation, VerbSpec, parseCommand, usageLine } from "../command-line";
import { ENVIRONMENTS_DIR } from "../environments";
import { rolloutOf } from "../config/rollout";
import { getService } from "./cloud-run-api";
import {
  Analysis,
  LiveReader,
  MetricsReader,
  analysisJson,
  analyzeCanary,
  canariesInFlight,
  decisionRecord,
  drillable,
  renderAnalysis,
} from "./analyze";
import { ReleaseLockError, withReleaseLock, writeRelease } from "./files";
import { readRevisionMetrics } from "./metrics";
import { Provenance } from "./model";
import { copies, renderStatus } from "./reading";
import { revertTraffic } from "./revert";
import {
  CanarySource,
  Outcome,
  World,
  advance,
  canary,
  complete,
  drill,
  pin,
  promote,
  recordDecision,
  retire,
  rollback,
  shortDigest,
} from "./verbs";
import { Loaded, load, templateRevisions } from "./workspace";

export type { CliResult } from "../command-line";

/*
 * npm run release -- <verb> …: the one way to change release state. Every verb checks
 * everything first, then writes one release file atomically under the releases lock and prints
 * what changed (exit 0), or prints every problem and changes nothing (exit 1). Usage errors exit 2.
 *
 * Each verb is declared once, in VERBS: its arguments, its options, its help, whether it writes,
 * and the function that runs it. The usage, the checks of a command line and the dispatch are
 * read from that table; a new verb is one entry and its function.
 */

/**
 * Keeps the lock held between reading the release files and writing one, for as many
 * milliseconds as RELEASE_TEST_HOLD_MS says: the concurrency test widens the window in which two
 * commands would lose an update without the lock. Unset, it does nothing.
 */
function holdForTest(): void {
  const ms = Number(process.env.RELEASE_TEST_HOLD_MS ?? 0);
  if (ms > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function provenance(): Omit<Provenance, "verb" | "from"> {
  const env = process.env;
  let commit = env.GITHUB_SHA;
  if (commit === undefined) {
    try {
      commit = execFileSync("git", ["rev-parse", "HEAD"], {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "ignore"],
      }).trim();
    } catch {
      commit = undefined;
    }
  }
  const run =
    env.GITHUB_RUN_ID && env.GITHUB_REPOSITORY
      ? `${env.GITHUB_SERVER_URL ?? "https://github.com"}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}`
      : undefined;
  return { ...(commit ? { commit } : {}), ...(run ? { run } : {}), time: new Date().toISOString() };
}

/** A verb that only reads: it runs on every environment's configuration and release, loaded and checked. */
export interface ReadingVerb extends VerbSpec {
  readonly writes: false;
  readonly run: (loaded: Loaded, call: Invocation, overrides: Overrides) => CliResult;
}

/**
 * A verb that changes release state: it runs under the releases lock, and the release file of
 * the environment its outcome names is written when the outcome is a change.
 */
export interface WritingVerb extends VerbSpec {
  readonly writes: true;
  readonly run: (world: World, call: Invocation) => Outcome;
}

/**
 * A verb that asks a Google API before it decides (analyze, revert-traffic): it runs
 * asynchronously, through {@link runReleaseAsync}, and takes the releases lock itself, only
 * around the write, never while it waits on the network.
 */
export interface RemoteVerb extends VerbSpec {
  readonly writes: "after-asking";
  readonly run: (call: Invocation, context: RemoteContext) => Promise<CliResult>;
}

/** What a remote verb is given: the environments folder and what tests replace. */
export interface RemoteContext {
  readonly dir: string;
  readonly overrides: Overrides;
}

export type Verb = ReadingVerb | WritingVerb | RemoteVerb;

/** What tests replace: the revision synthesis, the recorded provenance, the clock, the metrics. */
export interface Overrides {
  readonly templateRevision?: World["templateRevision"];
  readonly provenance?: World["provenance"];
  /** The time an analysis judges at (also RELEASE_TEST_NOW, for tests that run the command). */
  readonly now?: Date;
  readonly readMetrics?: MetricsReader;
  readonly readLive?: LiveReader;
}

const ENV: ArgumentSpec = { name: "env" };
const SERVICE: ArgumentSpec = { name: "service" };
const FROM_ENV: ArgumentSpec = { name: "from-env" };
const TO_ENV: ArgumentSpec = { name: "to-env" };
const SERVICES: ArgumentSpec = { name: "service", repeated: true };

/** Every verb of `npm run release`, in the order the usage lists them. */
export const VERBS: readonly Verb[] = [
  {
    name: "status",
    args: [],
    options: [{ name: "markdown" }],
    writes: false,
    run: (loaded, { flags }, overrides) => ({
      code: 0,
      stdout: renderStatus(loaded, flags.has("markdown"), nowOf(overrides)),
      stderr: "",
    }),
  },
  {
    name: "pin",
    args: [ENV, SERVICE, { name: "image@sha256:…", optional: true }],
    options: [{ name: "model", value: "<MODEL/VERSION>" }],
    writes: true,
    run: (world, { args, values }) => pin(world, args[0], args[1], args[2], values.model),
  },
  {
    name: "promote",
    args: [FROM_ENV, TO_ENV, SERVICES],
    options: [],
    writes: true,
    run: (world, { args: [from, to, ...services] }) => promote(world, from, to, services),
  },
  {
    name: "canary",
    args: [ENV, SERVICE],
    options: [
      { name: "percent", value: "N", required: true },
      {
        oneOf: [
          { name: "image", value: "<image@sha256:…>" },
          { name: "from", value: "<env>" },
        ],
      },
      { name: "model", value: "<MODEL/VERSION>" },
    ],
    writes: true,
    run: (world, { args: [env, key], values }) => {
      if (values.from !== undefined && values.model !== undefined) {
        return { ok: false, problems: [`--model goes with --image: a canary --from ${values.from} takes its model`] };
      }
      const source: CanarySource =
        values.image !== undefined ? { image: values.image, model: values.model } : { from: values.from };
      return canary(world, env, key, values.percent, source);
    },
  },
  {
    name: "complete",
    args: [ENV, SERVICE],
    options: [],
    writes: true,
    run: (world, { args: [env, key] }) => complete(world, env, key),
  },
  {
    name: "rollback",
    args: [ENV, SERVICE],
    options: [],
    writes: true,
    run: (world, { args: [env, key] }) => rollback(world, env, key),
  },
  {
    name: "retire",
    args: [ENV, SERVICE],
    options: [],
    help: "remove a service's release, from the last stage back, before removing it from the configuration",
    writes: true,
    run: (world, { args: [env, key] }) => retire(world, env, key),
  },
  {
    name: "analyze",
    args: [ENV, SERVICE],
    options: [{ name: "json" }, { name: "apply" }],
    help: "judge the canary on its metrics: advance, complete, hold or rollback (--apply carries it out and records it)",
    writes: "after-asking",
    run: (call, context) => analyzeCommand(call, context),
  },
  {
    name: "revert-traffic",
    args: [ENV, SERVICE],
    options: [],
    help: "after a rollback, move the live service's traffic to its stable revision now (Cloud Run API)",
    writes: "after-asking",
    run: ({ args: [env, key] }, { dir }) => revertTraffic(env, key, dir),
  },
  {
    name: "drill",
    args: [ENV, SERVICE],
    options: [{ name: "error-rate", value: "R" }],
    help: "rehearse a rollback in preproduction: a canary of what serves, failing R of its requests (default 0.5)",
    writes: true,
    run: (world, { args: [env, key], values }) => {
      const config = own(world.configs, env);
      const rollout =
        config && own(config.services, key) ? rolloutOf(config, key) : { enabled: true, steps: [10], maxErrorRatio: 0 };
      return drill(world, env, key, rollout, values["error-rate"]);
    },
  },
  {
    name: "in-flight",
    args: [],
    options: [{ name: "json" }],
    help: "the canaries in flight that the analysis judges",
    writes: false,
    run: (loaded, { flags }) =>
      listing(canariesInFlight(loaded), flags, (c) => `${c.environment} ${c.service}${c.drill ? " (drill)" : ""}`),
  },
  {
    name: "drills",
    args: [],
    options: [{ name: "json" }],
    help: "where a drill may start now: preproduction, analyzed, released, no canary in flight",
    writes: false,
    run: (loaded, { flags }) => listing(drillable(loaded), flags, (c) => `${c.environment} ${c.service}`),
  },
  {
    name: "images",
    args: [FROM_ENV, TO_ENV, SERVICES],
    options: [],
    help: 'what a promotion copies: "SOURCE TARGET" lines',
    writes: false,
    run: (loaded, { args: [from, to, ...services] }) => copies(loaded, "images", from, to, services),
  },
  {
    name: "models",
    args: [FROM_ENV, TO_ENV, SERVICES],
    options: [],
    help: 'the model versions it copies: "gs://SOURCE/ gs://TARGET/" lines',
    writes: false,
    run: (loaded, { args: [from, to, ...services] }) => copies(loaded, "models", from, to, services),
  },
];

/** A list a workflow reads: one JSON array with --json, else a line per entry. */
function listing<T>(list: readonly T[], flags: ReadonlySet<string>, line: (entry: T) => string): CliResult {
  const text = flags.has("json") ? `${JSON.stringify(list)}\n` : list.map((entry) => `${line(entry)}\n`).join("");
  return { code: 0, stdout: text, stderr: "" };
}

export const USAGE = VERBS.map((verb) => usageLine("npm run release --", verb)).join("\n");

/** What asks for the usage alone (exit 0): `npm run release -- --help`. */
const HELP = new Set(["--help", "-h", "help"]);

/** Reads a release command line: the verb and what it was given, or why it is a usage error. */
export function parseReleaseCommand(argv: readonly string[]) {
  return parseCommand(VERBS, argv);
}

/**
 * Runs one release command. `dir` is the environments folder. `templateRevision` replaces the
 * synthesis that names a service's current revision (tests that run thousands of commands);
 * `provenance` replaces the commit, run and time recorded (output that must not change).
 */
export function runRelease(
  argv: readonly string[],
  dir: string = ENVIRONMENTS_DIR,
  overrides: Overrides = {},
): CliResult {
  if (argv.length === 1 && HELP.has(argv[0])) return { code: 0, stdout: `Usage:\n${USAGE}\n`, stderr: "" };
  const parsed = parseReleaseCommand(argv);
  if ("usage" in parsed) return { code: 2, stdout: "", stderr: `${parsed.usage}\n\nUsage:\n${USAGE}\n` };
  const { verb, call } = parsed;
  if (verb.writes === "after-asking") {
    return {
      code: 2,
      stdout: "",
      stderr: `${verb.name} asks a Google API: run it with runReleaseAsync (npm run release does)\n`,
    };
  }
  const unloadable = (problems: readonly string[]): CliResult => ({
    code: 1,
    stdout: "",
    stderr: `${problems.join("\n\n")}\n`,
  });

  if (!verb.writes) {
    const loaded = load(dir);
    return "problems" in loaded ? unloadable(loaded.problems) : verb.run(loaded, call, overrides);
  }

  try {
    return withReleaseLock(dir, () => write(verb, call, dir, overrides, unloadable));
  } catch (e) {
    if (!(e instanceof ReleaseLockError)) throw e;
    return { code: 1, stdout: "", stderr: `${e.message}\n` };
  }
}

/** The revision a service's template makes now: the override, or its stack's, synthesized in memory. */
function templateRevisionOf(loaded: Loaded, overrides: Overrides): World["templateRevision"] {
  return (
    overrides.templateRevision ??
    ((env, key) => templateRevisions(loaded.files.find((f) => f.name === env)!, own(loaded.releases, env)!)[key])
  );
}

/** A writing verb, run under the lock: everything read and checked, then one file written. */
function write(
  verb: WritingVerb,
  call: Invocation,
  dir: string,
  overrides: Overrides,
  unloadable: (problems: readonly string[]) => CliResult,
): CliResult {
  const loaded = load(dir);
  holdForTest();
  if ("problems" in loaded) return unloadable(loaded.problems);
  let recorded = overrides.provenance;
  const world: World = {
    configs: loaded.configs,
    releases: loaded.releases,
    // Read only by a change that goes through (it may ask git for the commit).
    get provenance() {
      return (recorded ??= provenance());
    },
    templateRevision: templateRevisionOf(loaded, overrides),
  };
  const outcome = verb.run(world, call);
  if (!outcome.ok) {
    return {
      code: 1,
      stdout: "",
      stderr: `release ${verb.name} refused; nothing was changed:\n${outcome.problems.map((p) => `  - ${p}`).join("\n")}\n`,
    };
  }
  const same = (outcome.unchanged ?? []).map((line) => `${line}: nothing to change`);
  if (outcome.changes.length > 0) writeRelease(dir, outcome.environment, outcome.release);
  else same.push(`nothing was written (${outcome.environment}'s release file is as it was)`);
  return { code: 0, stdout: `${[...outcome.changes, ...same].join("\n")}\n`, stderr: "" };
}

/**
 * Runs any release command: the remote verbs (analyze, revert-traffic) asynchronously, every
 * other one as {@link runRelease} does. What `npm run release` calls.
 */
export async function runReleaseAsync(
  argv: readonly string[],
  dir: string = ENVIRONMENTS_DIR,
  overrides: Overrides = {},
): Promise<CliResult> {
  const parsed = argv.length === 1 && HELP.has(argv[0]) ? undefined : parseReleaseCommand(argv);
  if (parsed === undefined || "usage" in parsed || parsed.verb.writes !== "after-asking") {
    return runRelease(argv, dir, overrides);
  }
  return parsed.verb.run(parsed.call, { dir, overrides });
}

/** RELEASE_TEST_NOW, when a test that runs the command fixes the clock. */
function testNow(): Date | undefined {
  const stated = process.env.RELEASE_TEST_NOW;
  return stated !== undefined && !Number.isNaN(Date.parse(stated)) ? new Date(stated) : undefined;
}

/** The clock of an analysis: the override, RELEASE_TEST_NOW (a test running the command), or now. */
function nowOf(overrides: Overrides): Date {
  return overrides.now ?? testNow() ?? new Date();
}

const refused = (verb: string, problems: readonly string[]): CliResult => ({
  code: 1,
  stdout: "",
  stderr: `release ${verb} refused; nothing was changed:\n${problems.map((p) => `  - ${p}`).join("\n")}\n`,
});

/**
 * `analyze ENV SERVICE [--json] [--apply]`: reads the metrics (no lock held while it waits on
 * Cloud Monitoring), decides, and with --apply carries the decision out under the lock: the
 * release files are read again, and the decision applies only to the canary it judged (the same
 * digest, percent and step start); then the verb's change and the decision record are written
 * in one file, atomically. A hold writes nothing.
 */
async function analyzeCommand(call: Invocation, { dir, overrides }: RemoteContext): Promise<CliResult> {
  const [env, key] = call.args;
  const loaded = load(dir);
  if ("problems" in loaded) return { code: 1, stdout: "", stderr: `${loaded.problems.join("\n\n")}\n` };
  const now = nowOf(overrides);
  const read: MetricsReader = overrides.readMetrics ?? ((query) => readRevisionMetrics(query));
  const readLive: LiveReader =
    overrides.readLive ??
    (async (name) => {
      const service = await getService(name);
      const updated = service.raw.updateTime;
      return { traffic: service.traffic, ...(typeof updated === "string" ? { updateTime: updated } : {}) };
    });
  const analysis = await analyzeCanary(loaded, env, key, now, read, readLive, overrides.templateRevision);
  if ("problems" in analysis) return refused("analyze", analysis.problems);
  let applied: string[] | undefined;
  if (call.flags.has("apply") && !analysis.rollout.enabled) {
    return refused("analyze --apply", [
      `${key}'s rollout is off in ${env} (services.${key}.rollout.enabled): nothing carries its decisions out; analyze without --apply to see the judgement`,
    ]);
  }
  if (call.flags.has("apply")) {
    if (analysis.decision.decision === "hold") applied = [];
    else {
      try {
        const result = withReleaseLock(dir, () => carryOut(dir, overrides, analysis, now));
        if (!result.ok) return refused("analyze --apply", result.problems);
        applied = result.changes;
      } catch (e) {
        if (!(e instanceof ReleaseLockError)) throw e;
        return { code: 1, stdout: "", stderr: `${e.message}\n` };
      }
    }
  }
  const stdout = call.flags.has("json") ? analysisJson(analysis, applied) : renderAnalysis(analysis, applied);
  return { code: 0, stdout, stderr: "" };
}

/** The decision of `analysis`, carried out and recorded, under the lock. */
function carryOut(
  dir: string,
  overrides: Overrides,
  analysis: Analysis,
  now: Date,
): { ok: true; changes: string[] } | { ok: false; problems: string[] } {
  const loaded = load(dir);
  if ("problems" in loaded) return { ok: false, problems: loaded.problems };
  const { environment: env, service: key } = analysis;
  const current = own(own(loaded.releases, env)?.services, key)?.canary;
  const judged = { digest: analysis.canaryDigest, percent: analysis.percent };
  if (
    current === undefined ||
    current.digest !== judged.digest ||
    current.percent !== judged.percent ||
    Date.parse(current.since ?? analysis.since) !== Date.parse(analysis.since)
  ) {
    return {
      ok: false,
      problems: [
        `${key}'s canary in ${env} changed while its metrics were read (it was ${shortDigest(judged.digest)} at ${judged.percent}%): analyze again`,
      ],
    };
  }
  const recorded = overrides.provenance ?? { ...provenance(), time: now.toISOString() };
  const world: World = {
    configs: loaded.configs,
    releases: loaded.releases,
    provenance: { ...recorded, time: now.toISOString() },
    templateRevision: templateRevisionOf(loaded, overrides),
  };
  const d = analysis.decision;
  const outcome =
    d.decision === "advance"
      ? advance(world, env, key, d.to!)
      : d.decision === "complete"
        ? complete(world, env, key)
        : rollback(world, env, key);
  if (!outcome.ok) return outcome;
  const { commit, run } = world.provenance;
  const record = decisionRecord(analysis, { ...(commit ? { commit } : {}), ...(run ? { run } : {}) });
  writeRelease(dir, env, recordDecision(outcome.release, key, record));
  return { ok: true, changes: outcome.changes };
}
