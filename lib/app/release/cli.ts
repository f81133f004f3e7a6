import { execFileSync } from "child_process";
import { App, Tokenization, DefaultTokenResolver, StringConcat } from "cdktf";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { STAGES } from "../../policies/rule";
import { ConfigError, EnvironmentConfig, parseEnvironmentConfig } from "../config";
import { bucketProps } from "../config/props";
import { EnvironmentStack, parseRelease } from "../environment-stack";
import { ENVIRONMENTS_DIR, EnvironmentFile, environmentFiles } from "../environments";
import { readRelease, withReleaseLock, writeRelease } from "./files";
import { Provenance, ReleaseError, ReleaseFile, inFlight, releasables } from "./model";
import { CanarySource, Outcome, World, canary, complete, imageOf, pin, promote, rollback, shortDigest } from "./verbs";

/*
 * npm run release -- <verb> …: the one way to change release state. Every verb checks
 * everything first, then writes one release file atomically under the releases lock and prints
 * what changed (exit 0), or prints every problem and changes nothing (exit 1). Usage errors exit 2.
 */

export const USAGE = `npm run release -- status [--markdown]
npm run release -- pin <env> <service> [<image@sha256:…>] [--model <MODEL/VERSION>]
npm run release -- promote <from-env> <to-env> [<service>…]
npm run release -- canary <env> <service> --percent N (--image <image@sha256:…> | --from <env>)
npm run release -- complete <env> <service>
npm run release -- rollback <env> <service>
npm run release -- images <from-env> <to-env> [<service>…]   # what a promotion copies: "SOURCE TARGET" lines
npm run release -- models <from-env> <to-env> [<service>…]   # the model versions it copies: "gs://SOURCE/ gs://TARGET/" lines`;

/** What a run printed and its exit code. */
export interface CliResult {
  readonly code: 0 | 1 | 2;
  readonly stdout: string;
  readonly stderr: string;
}

interface Loaded {
  readonly files: readonly EnvironmentFile[];
  readonly configs: Record<string, EnvironmentConfig>;
  readonly releases: Record<string, ReleaseFile>;
}

/** Every environment's configuration and release, checked; or every problem found. */
function load(dir: string): Loaded | { problems: string[] } {
  const files = environmentFiles(dir);
  const configs: Record<string, EnvironmentConfig> = {};
  const releases: Record<string, ReleaseFile> = {};
  const problems: string[] = [];
  for (const file of files) {
    try {
      const config = parseEnvironmentConfig(file.config);
      configs[config.name] = config;
      releases[config.name] = parseRelease(config, readRelease(dir, file.name));
    } catch (e) {
      if (!(e instanceof ConfigError) && !(e instanceof ReleaseError)) throw e;
      problems.push(`${e instanceof ReleaseError ? file.releaseFile : file.file}: ${e.message}`);
    }
  }
  return problems.length > 0 ? { problems } : { files, configs, releases };
}

/**
 * The name of each service's template revision in an environment, as its stack synthesizes it
 * with the given release: built in memory, in a throwaway output folder.
 */
export function templateRevisions(file: EnvironmentFile, release: ReleaseFile): Record<string, string> {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "cdktf-cloud-run-release-"));
  try {
    const stack = new EnvironmentStack(new App({ outdir }), file.name, file.config, { release });
    return Object.fromEntries(
      Object.entries(stack.services).map(([key, service]) => [
        key,
        String(
          Tokenization.resolve(service.revisionName, {
            scope: stack,
            resolver: new DefaultTokenResolver(new StringConcat()),
          }),
        ),
      ]),
    );
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

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

/** Splits arguments into positionals and `--flag value` options (`--markdown` takes none). */
function parseArgs(argv: readonly string[]): { positional: string[]; options: Record<string, string> } {
  const positional: string[] = [];
  const options: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--markdown") options.markdown = "true";
    else if (arg.startsWith("--")) options[arg.slice(2)] = argv[++i] ?? "";
    else positional.push(arg);
  }
  return { positional, options };
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
  const { positional, options } = parseArgs(argv);
  const [verb, ...args] = positional;
  const usage = (why: string): CliResult => ({ code: 2, stdout: "", stderr: `${why}\n\nUsage:\n${USAGE}\n` });
  const arity: Record<string, [number, number]> = {
    status: [0, 0],
    pin: [2, 3],
    promote: [2, Infinity],
    canary: [2, 2],
    complete: [2, 2],
    rollback: [2, 2],
    images: [2, Infinity],
    models: [2, Infinity],
  };
  if (verb === undefined || !(verb in arity)) return usage(`unknown verb ${JSON.stringify(verb ?? "")}`);
  const [min, max] = arity[verb];
  if (args.length < min || args.length > max)
    return usage(
      `${verb} takes ${min === max ? min : max === Infinity ? `${min} or more` : `${min} or ${max}`} arguments`,
    );
  const known =
    verb === "status"
      ? ["markdown"]
      : verb === "canary"
        ? ["percent", "image", "from"]
        : verb === "pin"
          ? ["model"]
          : [];
  const unknownOption = Object.keys(options).find((o) => !known.includes(o));
  if (unknownOption !== undefined) return usage(`${verb} takes no --${unknownOption}`);

  if (verb === "status" || verb === "images" || verb === "models") {
    const loaded = load(dir);
    if ("problems" in loaded) return { code: 1, stdout: "", stderr: `${loaded.problems.join("\n\n")}\n` };
    if (verb === "status") return { code: 0, stdout: renderStatus(loaded, options.markdown === "true"), stderr: "" };
    return copies(loaded, verb, args[0], args[1], args.slice(2));
  }

  return withReleaseLock(dir, () => {
    const loaded = load(dir);
    holdForTest();
    if ("problems" in loaded) return { code: 1, stdout: "", stderr: `${loaded.problems.join("\n\n")}\n` };
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
        ((env, key) => templateRevisions(loaded.files.find((f) => f.name === env)!, loaded.releases[env])[key]),
    };
    let outcome: Outcome;
    switch (verb) {
      case "pin":
        outcome = pin(world, args[0], args[1], args[2], options.model);
        break;
      case "promote":
        outcome = promote(world, args[0], args[1], args.slice(2));
        break;
      case "canary": {
        const sources = ["image", "from"].filter((o) => options[o] !== undefined);
        if (sources.length !== 1 || options.percent === undefined) {
          return usage("canary takes --percent N and one of --image <image@sha256:…> or --from <env>");
        }
        const source: CanarySource = options.image !== undefined ? { image: options.image } : { from: options.from };
        outcome = canary(world, args[0], args[1], options.percent, source);
        break;
      }
      case "complete":
        outcome = complete(world, args[0], args[1]);
        break;
      default:
        outcome = rollback(world, args[0], args[1]);
    }
    if (!outcome.ok) {
      return {
        code: 1,
        stdout: "",
        stderr: `release ${verb} refused; nothing was changed:\n${outcome.problems.map((p) => `  - ${p}`).join("\n")}\n`,
      };
    }
    writeRelease(dir, outcome.environment, outcome.release);
    return { code: 0, stdout: `${outcome.changes.join("\n")}\n`, stderr: "" };
  });
}

/**
 * `images FROM TO [SERVICE…]`: for each service or job a promotion from FROM to TO would move, the
 * image in FROM's repository and the same digest in TO's, on one line: what the release workflow
 * copies (gcrane cp) before it promotes. `models …`: the same for model versions, the versioned
 * prefix in FROM's model bucket and in TO's (gcloud storage cp -r).
 */
function copies(
  loaded: Loaded,
  verb: "images" | "models",
  from: string,
  to: string,
  services: readonly string[],
): CliResult {
  const source = loaded.configs[from];
  const target = loaded.configs[to];
  const problems: string[] = [];
  if (source === undefined) problems.push(`from ${JSON.stringify(from)} is not an environment`);
  if (target === undefined) problems.push(`to ${JSON.stringify(to)} is not an environment`);
  if (source === undefined || target === undefined) return { code: 1, stdout: "", stderr: `${problems.join("\n")}\n` };
  const released = loaded.releases[from].services;
  const keys = services.length > 0 ? services : releasables(target).filter((k) => released[k] !== undefined);
  const both = (c: EnvironmentConfig, k: string) => releasables(c).includes(k);
  const lines: string[] = [];
  for (const key of keys) {
    const r = released[key];
    if (r === undefined || !both(source, key) || !both(target, key)) {
      problems.push(`${key}: no release in ${from}, or not a service or job of both environments`);
      continue;
    }
    if (verb === "images") lines.push(`${imageOf(source, key, r.digest)} ${imageOf(target, key, r.digest)}`);
    else if (r.model !== undefined && target.services[key]?.model !== undefined) {
      lines.push(`${modelUri(source, key, r.model)} ${modelUri(target, key, r.model)}`);
    }
  }
  if (problems.length > 0) return { code: 1, stdout: "", stderr: `${problems.join("\n")}\n` };
  // Nothing to copy is not a failure (a promotion would say so), but it is said.
  const none =
    lines.length === 0
      ? `nothing to copy: ${from} has no release of ${verb === "images" ? "an image" : "a model"} of ${to}\n`
      : "";
  return { code: 0, stdout: lines.map((l) => `${l}\n`).join(""), stderr: none };
}

/** A model version's prefix in an environment's model bucket: `gs://BUCKET/VERSION/`. */
function modelUri(config: EnvironmentConfig, key: string, version: string): string {
  return `gs://${bucketProps(config, config.services[key].model!.bucket).name}/${version}/`;
}

/** `status`: environment × service, in promotion order. */
function renderStatus(loaded: Loaded, markdown: boolean): string {
  const header = [
    "environment",
    "stage",
    "service",
    "serving",
    "model",
    "revision",
    "traffic",
    "canary",
    "last change",
  ];
  const rows: string[][] = [];
  const ordered = [...loaded.files].sort(
    (a, b) =>
      STAGES.indexOf(loaded.configs[a.name].stage) - STAGES.indexOf(loaded.configs[b.name].stage) ||
      a.name.localeCompare(b.name),
  );
  for (const file of ordered) {
    const config = loaded.configs[file.name];
    const release = loaded.releases[file.name];
    const revisions = templateRevisions(file, release);
    for (const key of releasables(config).sort()) {
      const r = release.services[key];
      const isJob = config.services[key] === undefined;
      const template = isJob ? (r === undefined && config.stage !== "development" ? undefined : "-") : revisions[key];
      // A service with no release runs the placeholder in development; later, it is not deployed.
      let serving = template === undefined ? "(not deployed)" : "(placeholder)";
      let revision = template ?? "-";
      let traffic = template === undefined || isJob ? "-" : `100% ${template}`;
      let canaryCell = "-";
      let model = config.services[key]?.model === undefined ? "-" : "(image's own)";
      if (r !== undefined) {
        serving = shortDigest(r.digest);
        if (r.model !== undefined) model = r.model;
        if (r.canary !== undefined) {
          revision = r.canary.stableRevision;
          traffic = inFlight(r)
            ? `${100 - r.canary.percent}% stable ${r.canary.stableRevision} / ${r.canary.percent}% canary ${template}`
            : `100% stable ${r.canary.stableRevision} (canary rolled back)`;
          canaryCell = `${shortDigest(r.canary.digest)}${r.canary.model === undefined ? "" : ` + ${r.canary.model}`} ${r.canary.percent}%${inFlight(r) ? "" : " (rolled back)"}`;
        }
      }
      const last = r
        ? `${r.provenance.verb}${r.provenance.from ? ` from ${r.provenance.from}` : ""} ${r.provenance.time}`
        : "-";
      rows.push([
        file.name,
        config.stage,
        isJob ? `${key} (job)` : key,
        serving,
        model,
        revision,
        traffic,
        canaryCell,
        last,
      ]);
    }
  }
  if (markdown) {
    const esc = (s: string) => s.replace(/\|/g, "\\|");
    return [
      "## Releases",
      "",
      `| ${header.join(" | ")} |`,
      `|${header.map(() => " --- |").join("")}`,
      ...rows.map(
        (r) =>
          `| ${r.map((c, i) => (i === 3 || i === 4 || i === 5 || i === 7 ? `\`${esc(c)}\`` : esc(c))).join(" | ")} |`,
      ),
      "",
    ].join("\n");
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const fmt = (cols: string[]) =>
    cols
      .map((c, i) => c.padEnd(widths[i]))
      .join("  ")
      .trimEnd();
  return [fmt(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(fmt)].join("\n") + "\n";
}
