import { own } from "../../gcp/validation";
import { execFileSync } from "child_process";
import { ArgumentSpec, CliResult, Invocation, VerbSpec, parseCommand, usageLine } from "../command-line";
import { ENVIRONMENTS_DIR } from "../environments";
import { ReleaseLockError, withReleaseLock, writeRelease } from "./files";
import { Provenance } from "./model";
import { copies, renderStatus } from "./reading";
import { CanarySource, Outcome, World, canary, complete, pin, promote, retire, rollback } from "./verbs";
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
  readonly run: (loaded: Loaded, call: Invocation) => CliResult;
}

/**
 * A verb that changes release state: it runs under the releases lock, and the release file of
 * the environment its outcome names is written when the outcome is a change.
 */
export interface WritingVerb extends VerbSpec {
  readonly writes: true;
  readonly run: (world: World, call: Invocation) => Outcome;
}

export type Verb = ReadingVerb | WritingVerb;

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
    run: (loaded, { flags }) => ({ code: 0, stdout: renderStatus(loaded, flags.has("markdown")), stderr: "" }),
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
  overrides: { templateRevision?: World["templateRevision"]; provenance?: World["provenance"] } = {},
): CliResult {
  if (argv.length === 1 && HELP.has(argv[0])) return { code: 0, stdout: `Usage:\n${USAGE}\n`, stderr: "" };
  const parsed = parseReleaseCommand(argv);
  if ("usage" in parsed) return { code: 2, stdout: "", stderr: `${parsed.usage}\n\nUsage:\n${USAGE}\n` };
  const { verb, call } = parsed;
  const unloadable = (problems: readonly string[]): CliResult => ({
    code: 1,
    stdout: "",
    stderr: `${problems.join("\n\n")}\n`,
  });

  if (!verb.writes) {
    const loaded = load(dir);
    return "problems" in loaded ? unloadable(loaded.problems) : verb.run(loaded, call);
  }

  try {
    return withReleaseLock(dir, () => write(verb, call, dir, overrides, unloadable));
  } catch (e) {
    if (!(e instanceof ReleaseLockError)) throw e;
    return { code: 1, stdout: "", stderr: `${e.message}\n` };
  }
}

/** A writing verb, run under the lock: everything read and checked, then one file written. */
function write(
  verb: WritingVerb,
  call: Invocation,
  dir: string,
  overrides: { templateRevision?: World["templateRevision"]; provenance?: World["provenance"] },
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
    templateRevision:
      overrides.templateRevision ??
      ((env, key) => templateRevisions(loaded.files.find((f) => f.name === env)!, own(loaded.releases, env)!)[key]),
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
