import * as fs from "fs";
import * as path from "path";
import { ConfigError, EnvironmentConfig, parseEnvironmentConfig, repositoryUrl } from "./config";
import { isBucketVolume } from "./config/props";
import { identityEmail, identityProviderVariable } from "./identities";
import { firstStage, promotionOrder } from "./promotion";
import { UnreadableReleaseError, readRelease, releasePath } from "./release/files";

/**
 * The environments folder: this repository's (one file per environment, beside base.ts), or the
 * one ENVIRONMENTS_DIR names, for every command alike (synth, release, bootstrap, the CI matrices).
 */
export const ENVIRONMENTS_DIR = process.env.ENVIRONMENTS_DIR
  ? path.resolve(process.env.ENVIRONMENTS_DIR)
  : path.resolve(__dirname, "..", "..", "environments");

/** Files in the environments folder that are not environments. */
const NOT_ENVIRONMENTS = new Set(["base"]);

/**
 * One environment file: its name (the file name) and what it exports, not yet validated; and its
 * release file (releases/<name>.json beside it), parsed as JSON, if it has one.
 */
export interface EnvironmentFile {
  readonly file: string;
  readonly name: string;
  readonly config: unknown;
  /** The release file's path, relative to the working directory. */
  readonly releaseFile?: string;
  readonly release?: unknown;
  /** Why the release file could not be read as JSON: one line naming the file and what to do. */
  readonly releaseUnreadable?: string;
  /**
   * Why the environment file itself could not be read (a syntax error, an error thrown while it
   * runs, no default export): one line with the file, and its line and column where known.
   */
  readonly unreadable?: string;
}

/**
 * Every environment in `dir` (by default environments/), sorted by name: one file per
 * environment, whose default export is its configuration. Adding a file adds an environment (and
 * a stack, and a pipeline stage); nothing else lists them.
 */
export function environmentFiles(dir: string = ENVIRONMENTS_DIR): EnvironmentFile[] {
  const ext = path.extname(__filename); // .ts under ts-node and jest, .js when compiled
  return fs
    .readdirSync(dir)
    .filter((f) => path.extname(f) === ext && !f.endsWith(".d.ts"))
    .map((f) => path.basename(f, ext))
    .filter((name) => !NOT_ENVIRONMENTS.has(name) && !name.startsWith("_"))
    .sort()
    .map((name) => {
      const file = path.join(dir, name + ext);
      const relative = path.relative(process.cwd(), file);
      let mod: { default?: unknown };
      const before = intrinsics();
      try {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        mod = require(file) as { default?: unknown };
      } catch (e) {
        return { file: relative, name, config: undefined, unreadable: unreadableFile(file, e) };
      }
      const changed = restoreIntrinsics(before);
      if (changed.length > 0) {
        const problem =
          `${relative} changes ${changed.join(", ")}: an environment file holds configuration only ` +
          `(it could otherwise change how every check runs); the change was undone and nothing is synthesized`;
        return { file: relative, name, config: undefined, unreadable: problem };
      }
      if (mod.default === undefined) {
        const problem =
          `${relative}: no default export. Every file in environments/ but base and _*.ts is an environment, ` +
          `whose default export is its configuration (export default defineEnvironment({ … })); ` +
          `keep helpers in base or in a file whose name starts with _`;
        return { file: relative, name, config: undefined, unreadable: problem };
      }
      let release: unknown;
      let releaseUnreadable: string | undefined;
      try {
        release = readRelease(dir, name);
      } catch (e) {
        if (!(e instanceof UnreadableReleaseError)) throw e;
        releaseUnreadable = e.message;
      }
      return {
        file: relative,
        name,
        config: mod.default,
        releaseFile: path.relative(process.cwd(), releasePath(dir, name)),
        release,
        ...(releaseUnreadable === undefined ? {} : { releaseUnreadable }),
      };
    });
}

/** The built-ins whose properties an environment file must leave as they are, by name. */
const INTRINSICS: readonly [string, object][] = [
  ["Object", Object],
  ["Object.prototype", Object.prototype],
  ["Array", Array],
  ["Array.prototype", Array.prototype],
  ["Function.prototype", Function.prototype],
  ["String.prototype", String.prototype],
  ["Number.prototype", Number.prototype],
  ["Boolean.prototype", Boolean.prototype],
  ["Symbol.prototype", Symbol.prototype],
  ["RegExp.prototype", RegExp.prototype],
  ["Map.prototype", Map.prototype],
  ["Set.prototype", Set.prototype],
  ["WeakMap.prototype", WeakMap.prototype],
  ["WeakSet.prototype", WeakSet.prototype],
  ["Promise.prototype", Promise.prototype],
  ["Error.prototype", Error.prototype],
  ["Date.prototype", Date.prototype],
  ["JSON", JSON],
  ["Math", Math],
  ["Reflect", Reflect],
  ["globalThis", globalThis],
];

type Snapshot = Map<object, Map<PropertyKey, PropertyDescriptor>>;

/** Every own property of the built-ins, as its descriptor: what an environment file could patch. */
function intrinsics(): Snapshot {
  return new Map(
    INTRINSICS.map(([, o]) => [
      o,
      new Map(Reflect.ownKeys(o).map((k) => [k, Object.getOwnPropertyDescriptor(o, k)!] as const)),
    ]),
  );
}

/**
 * What changed among the built-ins since `before` (a method replaced, added or removed), each
 * put back as it was. Environment files are evaluated in this process (they are TypeScript,
 * importing the shared configuration); a patched Array.prototype.filter could drop policy rules.
 */
function restoreIntrinsics(before: Snapshot): string[] {
  const changed: string[] = [];
  for (const [label, o] of INTRINSICS) {
    const was = before.get(o)!;
    for (const key of new Set([...was.keys(), ...Reflect.ownKeys(o)])) {
      const old = was.get(key);
      const now = Object.getOwnPropertyDescriptor(o, key);
      const same =
        old !== undefined &&
        now !== undefined &&
        Object.is(old.value, now.value) &&
        old.get === now.get &&
        old.set === now.set;
      if (same || (old === undefined && now === undefined)) continue;
      // A global a file declares with var, or a property of globalThis Node sets lazily, is not a patch.
      if (o === globalThis && old === undefined) continue;
      changed.push(`${label}.${String(key)}`);
      if (old === undefined) Reflect.deleteProperty(o, key);
      else Object.defineProperty(o, key, old);
    }
  }
  return changed;
}

/**
 * One line for an environment file that failed to load: esbuild's "file:line:column: ERROR: …"
 * for a syntax error under TypeScript, Node's "file:line" for compiled JavaScript, or the error
 * and the first place in the file it came from.
 */
function unreadableFile(file: string, e: unknown): string {
  const relative = path.relative(process.cwd(), file);
  const error = e instanceof Error ? e : new Error(String(e));
  const transform = /^(.+?):(\d+):(\d+): ERROR: (.*)$/m.exec(error.message);
  if (transform)
    return `${path.relative(process.cwd(), transform[1])}:${transform[2]}:${transform[3]}: ${transform[4]}`;
  const escaped = file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const where = new RegExp(`${escaped}:(\\d+)(?::(\\d+))?`).exec(error.stack ?? "");
  const at = where ? `:${where[1]}${where[2] ? `:${where[2]}` : ""}` : "";
  return `${relative}${at}: ${error.name}: ${error.message.split("\n")[0]}`;
}

/**
 * Every environment's configuration, parsed; or an {@link EnvironmentFilesError} with every
 * problem, one block per file (a file that does not load, or a configuration that is invalid).
 * For the tools that read the environments only to list them (the CI matrices).
 */
export function environmentConfigs(dir?: string): EnvironmentConfig[] {
  const configs: EnvironmentConfig[] = [];
  const problems: string[] = [];
  for (const file of environmentFiles(dir)) {
    if (file.unreadable !== undefined) {
      problems.push(file.unreadable);
      continue;
    }
    try {
      configs.push(parseEnvironmentConfig(file.config));
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      problems.push(`${file.file}: ${e.message}`);
    }
  }
  if (problems.length > 0) throw new EnvironmentFilesError(problems.join("\n\n"));
  return configs;
}

/** The environments cannot be read: every problem, for a tool to print as it is. */
export class EnvironmentFilesError extends Error {
  override readonly name = "EnvironmentFilesError";
}

/** One entry of a GitHub Actions matrix. */
export interface MatrixEntry {
  readonly environment: string;
  readonly project: string;
  /** The repository variable holding its workload identity provider: `vars[matrix.provider_variable]`. */
  readonly provider_variable: string;
}

/**
 * The environments as GitHub Actions matrices: all of them, and each promotion stage's
 * (`development`, `preproduction`, `production`), sorted by name.
 */
export function environmentMatrix(
  dir?: string,
): Record<"all" | "development" | "preproduction" | "production", MatrixEntry[]> {
  const configs = environmentConfigs(dir).sort((a, b) => a.name.localeCompare(b.name));
  const entries = (stage?: string) =>
    configs
      .filter((c) => stage === undefined || c.stage === stage)
      .map((c) => ({ environment: c.name, project: c.project, provider_variable: identityProviderVariable(c.name) }));
  return {
    all: entries(),
    development: entries("development"),
    preproduction: entries("preproduction"),
    production: entries("production"),
  };
}

/** One image the build workflow builds and pushes. */
export interface BuildEntry {
  /** The service's or job's key: what `npm run release -- pin` names. */
  readonly service: string;
  /** The environment it is pinned in first: the first environment of the first stage. */
  readonly environment: string;
  readonly project: string;
  /** The repository variable holding that environment's workload identity provider. */
  readonly provider_variable: string;
  /** The repository it is pushed to, and the image (repository and name, no tag). */
  readonly repository: string;
  readonly image: string;
  readonly context: string;
  readonly dockerfile: string;
}

/**
 * What the build workflow builds: every service with a `build`, in the first environment of the
 * first stage (where `release pin` puts its digest). With `changed` (paths changed since the last
 * build), only the services whose build context holds one of them; with `only`, those services.
 */
export function buildMatrix(
  options: { dir?: string; changed?: readonly string[]; only?: readonly string[] } = {},
): BuildEntry[] {
  const configs = environmentConfigs(options.dir);
  const first = promotionOrder(configs)[0];
  if (first === undefined) return [];
  const entries: BuildEntry[] = [];
  const workloads = [
    ...Object.entries(first.services),
    ...Object.entries(first.jobs ?? {}),
    ...Object.entries(first.workerPools ?? {}),
  ];
  for (const [service, svc] of workloads.sort(([a], [b]) => a.localeCompare(b))) {
    if (svc.build === undefined) continue;
    if (options.only && options.only.length > 0 && !options.only.includes(service)) continue;
    const context = svc.build.context.replace(/\/+$/, "");
    if (options.changed && !options.changed.some((f) => f === context || f.startsWith(`${context}/`))) continue;
    const outside = buildPathProblem(
      path.dirname(options.dir ?? ENVIRONMENTS_DIR),
      context,
      svc.build.dockerfile ?? "Dockerfile",
    );
    if (outside !== undefined) throw new BuildPathError(`${service}: ${outside}`);
    const repository = repositoryUrl(first);
    entries.push({
      service,
      environment: first.name,
      project: first.project,
      provider_variable: identityProviderVariable(first.name),
      repository,
      image: `${repository}/${svc.image}`,
      context,
      dockerfile: svc.build.dockerfile ?? "Dockerfile",
    });
  }
  return entries;
}

/** A build context or Dockerfile that leads outside its folder: one line, for the build workflow's log. */
export class BuildPathError extends Error {
  override readonly name = "BuildPathError";
}

/**
 * Why a build context (a folder below `root`) and its Dockerfile would send more than that folder
 * into an image build, or undefined. The configuration refuses `.`, `..` and absolute paths; a
 * symbolic link (`services/root -> ..`) passes that check by name, so the paths are resolved on
 * disk: the context must really be a folder below the repository's root, never the root itself
 * (it holds the auth step's credentials file), and the Dockerfile really inside the context.
 */
export function buildPathProblem(root: string, context: string, dockerfile: string): string | undefined {
  const realRoot = fs.realpathSync(root);
  const contextPath = path.join(root, context);
  if (!fs.existsSync(contextPath)) return undefined; // missing: a test and the build say so
  const realContext = fs.realpathSync(contextPath);
  if (!realContext.startsWith(`${realRoot}${path.sep}`)) {
    return `build context ${context} is ${path.relative(realRoot, realContext) || "."} on disk (through a link): it must be a folder below the repository's root`;
  }
  const file = path.join(contextPath, dockerfile);
  if (fs.existsSync(file) && !fs.realpathSync(file).startsWith(`${realContext}${path.sep}`)) {
    return `Dockerfile ${dockerfile} leads outside ${context} (through a link): it must be a file inside the build context`;
  }
  return undefined;
}

/** What the Train workflow needs to run one job of an environment (`npm run -s environments -- --job ENV JOB`). */
export interface JobTarget {
  /** The Cloud Run job's name. */
  readonly name: string;
  readonly region: string;
  readonly project: string;
  readonly provider_variable: string;
  /** The identity that runs it: the bootstrap stack's job runner. */
  readonly runner: string;
  /**
   * The prefix of the model versions it writes (its MODEL_NAME variable, or its key), when it
   * mounts read-write a bucket that a service reads its model from; empty otherwise.
   */
  readonly model: string;
  /** The services that serve models from the buckets it writes, space-separated. */
  readonly serves: string;
  /** Whether the environment is in the first stage, where a model version is pinned. */
  readonly first: boolean;
}

/** The job `key` of environment `env`, for the Train workflow; or why there is none. */
export function jobTarget(env: string, key: string, dir?: string): JobTarget | { problem: string } {
  const files = environmentFiles(dir);
  const file = files.find((f) => f.name === env);
  if (file === undefined) return { problem: `${env} is not an environment: ${files.map((f) => f.name).join(", ")}` };
  const configs = environmentConfigs(dir);
  const config = configs.find((c) => c.name === env)!;
  const job = config.jobs?.[key];
  if (job === undefined) {
    return { problem: `${key} is not a job of ${env}: ${Object.keys(config.jobs ?? {}).join(", ") || "it has none"}` };
  }
  const writes = new Set(
    (job.volumes ?? [])
      .filter(isBucketVolume)
      .filter((v) => v.readOnly === false)
      .map((v) => v.bucket),
  );
  const serves = Object.keys(config.services)
    .filter((s) => writes.has(config.services[s].model?.bucket ?? ""))
    .sort();
  const first = firstStage(configs);
  return {
    name: job.name ?? key,
    region: config.region,
    project: config.project,
    provider_variable: identityProviderVariable(config.name),
    runner: identityEmail(config, "runner"),
    model: serves.length > 0 ? (job.env?.MODEL_NAME ?? key) : "",
    serves: serves.join(" "),
    first: config.stage === first,
  };
}
