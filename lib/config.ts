import { distance } from "fastest-levenshtein";
import type { z } from "zod";
import { ArtifactRepositoryProps, validateArtifactRepositoryProps } from "./artifact-repository";
import { CloudRunServiceProps, validateCloudRunServiceProps } from "./cloud-run-service";
import { checkLabels } from "./common";
import { RULES } from "./policies";
import * as rules from "./rules";
import { Problem, Problems, describeProblems, joinPath } from "./validation";
import type * as Schema from "./config-schema";

/**
 * The zod schema (lib/config-schema.ts), loaded on first use: zod takes about 55 ms to load, which
 * users of the constructs alone, who never parse a configuration, should not pay on import.
 */
let schemaModule: typeof Schema | undefined;
function schema(): typeof Schema.environmentSchema {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a lazy load, see above
  schemaModule ??= require("./config-schema") as typeof Schema;
  return schemaModule.environmentSchema;
}

/** An image in the environment's own repository. */
export interface ImageInRepository {
  /** The image name inside the repository, such as `predict-api`. */
  readonly name: string;
  /** A tag (`1.4.2`) or a digest (`sha256:…`); production requires a digest. */
  readonly version: string;
}

/**
 * One service of an environment. The fields are those of {@link CloudRunServiceProps}, with the
 * same defaults; project and location come from the environment.
 */
export interface ServiceConfig extends Omit<
  CloudRunServiceProps,
  | "project"
  | "location"
  | "dependsOn"
  | "name"
  | "image"
  | "serviceAccountEmail"
  | "serviceAccountId"
  | "requireImageDigest"
> {
  /**
   * The Cloud Run service name.
   * @default - the service's key in `services`
   */
  readonly name?: string;
  /** A full image reference, or an image in the environment's repository. */
  readonly image: string | ImageInRepository;
}

/**
 * The environment's Artifact Registry repository. The fields are those of
 * {@link ArtifactRepositoryProps}; `preventDestroy` follows the environment's `deletionProtection`.
 */
export interface RepositoryConfig extends Omit<
  ArtifactRepositoryProps,
  "project" | "location" | "dependsOn" | "preventDestroy"
> {
  /**
   * A region or multi-region.
   * @default - the environment's region
   */
  readonly location?: string;
}

/**
 * One environment: where it runs, its state, its repository and its services.
 *
 * Field paths in errors follow this shape: `services.predict.memory`.
 */
export interface EnvironmentConfig {
  /** The environment: `dev`, `staging`, `prod`. Also the stack id. 1-20 lowercase letters, digits, hyphens. */
  readonly name: string;
  /** The application, in labels and the state prefix (`<app>/<env>`). */
  readonly app: string;
  /**
   * Hold this environment to the production guardrails: deletion protection, destroy protection
   * and immutable tags on the repository, images pinned by digest, at least one minimum instance
   * and an explicit maximum on every service.
   * @default false
   */
  readonly production?: boolean;
  /**
   * Where the environment stands in the promotion order of the deploy workflow: every
   * development environment is applied first, then preproduction ones, then production ones.
   * @default - "production" when `production` is set, otherwise "development"
   */
  readonly stage?: "development" | "preproduction" | "production";
  /** The GCP project id. */
  readonly project: string;
  /** The region of every resource, such as `europe-west1`. */
  readonly region: string;
  /** The GCS bucket holding Terraform state; it must exist, with object versioning, before `init`. */
  readonly stateBucket: string;
  /**
   * Labels on every resource that takes labels (besides `environment`, `app` and `managed-by`).
   * @default - none
   */
  readonly labels?: Readonly<Record<string, string>>;
  /**
   * Deletion protection on every service and `prevent_destroy` on the repository. A service may
   * override it.
   * @default true
   */
  readonly deletionProtection?: boolean;
  /**
   * Refuse images that are not pinned by digest.
   * @default true
   */
  readonly requireImageDigest?: boolean;
  readonly repository: RepositoryConfig;
  /** The services, by construct id; the id is also the service name unless `name` is set. */
  readonly services: Readonly<Record<string, ServiceConfig>>;
  /**
   * Where this environment intentionally differs from the others, for the parity check
   * (`npm run parity`): attribute path as the parity matrix spells it
   * (`google_cloud_run_v2_service.predict_service.template.scaling.min_instance_count`) → the
   * reason, at least 10 characters. A path covers everything below it.
   * @default - none
   */
  readonly differences?: Readonly<Record<string, string>>;
  /**
   * Policy findings this environment accepts, each with its reason (at least 10 characters),
   * on the whole stack or on one service. Recorded in the synthesized stack's metadata; one
   * that accepts no finding fails synthesis.
   * @default - none
   */
  readonly acknowledgements?: readonly PolicyAcknowledgement[];
}

/** A policy finding an environment accepts. */
export interface PolicyAcknowledgement {
  /** The rule id, such as `RUN-009`. */
  readonly rule: string;
  /** Why the finding is accepted; at least 10 characters. */
  readonly reason: string;
  /**
   * The service (its key in `services`) the acknowledgement is limited to.
   * @default - the whole stack
   */
  readonly service?: string;
}

// Compile-time proof that the schema and the interfaces agree: what the schema accepts is an
// EnvironmentConfig, and every field of the interfaces is in the schema.
type Parsed = z.infer<typeof Schema.environmentSchema>;
type ParsedService = Parsed["services"][string];
type ParsedRepository = Parsed["repository"];
const _schemaIsSound: [Parsed] extends [EnvironmentConfig] ? true : false = true;
const _allFieldsInSchema: [
  Exclude<keyof EnvironmentConfig, keyof Parsed>,
  Exclude<keyof ServiceConfig, keyof ParsedService>,
  Exclude<keyof RepositoryConfig, keyof ParsedRepository>,
] extends [never, never, never]
  ? true
  : false = true;
void _schemaIsSound;
void _allFieldsInSchema;

/**
 * Thrown by {@link parseEnvironmentConfig}: every problem of one environment, each with the field
 * path, the value received and the rule.
 */
export class ConfigError extends Error {
  override readonly name = "ConfigError";

  constructor(
    readonly environment: string,
    readonly problems: readonly Problem[],
  ) {
    super(describeProblems(`environment ${JSON.stringify(environment)}`, "field", problems));
  }
}

/** The environment name at the start of every message, before its own validity is known. */
function environmentName(raw: unknown): string {
  const name = isRecord(raw) ? raw.name : undefined;
  return typeof name === "string" && name !== "" ? name : "(unnamed)";
}

/**
 * Checks untyped configuration (from TypeScript, JSON or YAML) and returns it typed, or throws a
 * {@link ConfigError} that lists every problem at once. Unknown keys are errors.
 */
export function parseEnvironmentConfig(raw: unknown): EnvironmentConfig {
  const env = environmentName(raw);
  const parsed = schema().safeParse(raw);
  if (parsed.success) {
    const config = parsed.data as EnvironmentConfig;
    const problems = semanticProblems(config);
    if (problems.length > 0) throw new ConfigError(env, problems);
    return config;
  }
  const problems = shapeProblems(parsed.error.issues, raw);
  // When the only shape problems are unknown keys, the rest can still be checked: report both.
  if (parsed.error.issues.every((i) => i.code === "unrecognized_keys")) {
    const stripped = schema().safeParse(withoutKeys(raw, parsed.error.issues));
    if (stripped.success) problems.push(...semanticProblems(stripped.data as EnvironmentConfig));
  }
  throw new ConfigError(env, problems);
}

/** A copy of `raw` without the keys zod did not recognise. */
function withoutKeys(raw: unknown, issues: readonly z.core.$ZodIssue[]): unknown {
  const copy = structuredClone(raw) as Record<string, unknown>;
  for (const issue of issues) {
    if (issue.code !== "unrecognized_keys") continue;
    const parent = valueAt(copy, issue.path.map(String)) as Record<string, unknown>;
    for (const key of issue.keys) delete parent[key];
  }
  return copy;
}

/** The props of the environment's repository, as {@link EnvironmentStack} creates it. */
export function repositoryProps(config: EnvironmentConfig): ArtifactRepositoryProps {
  const { location, ...rest } = config.repository;
  return {
    ...rest,
    project: config.project,
    location: location ?? config.region,
    preventDestroy: config.deletionProtection ?? true,
  };
}

/**
 * The props of one service, as {@link EnvironmentStack} creates it. `image` is left as written
 * when it names an image in the repository: the stack turns it into the repository's URI.
 */
export function serviceProps(config: EnvironmentConfig, id: string): Omit<CloudRunServiceProps, "image"> {
  const { image: _image, name, deletionProtection, ...rest } = config.services[id];
  return {
    ...rest,
    name: name ?? id,
    project: config.project,
    location: config.region,
    deletionProtection: deletionProtection ?? config.deletionProtection ?? true,
    requireImageDigest: config.requireImageDigest ?? true,
  };
}

/** The image reference a service config stands for, given the repository's URL. */
export function imageReference(image: ServiceConfig["image"], repositoryUrl: string): string {
  if (typeof image === "string") return image;
  return `${repositoryUrl}/${image.name}${image.version.startsWith("sha256:") ? "@" : ":"}${image.version}`;
}

function semanticProblems(config: EnvironmentConfig): Problem[] {
  const p = new Problems();
  p.check("name", config.name, rules.environmentName);
  p.check("app", config.app, rules.appName);
  p.check("project", config.project, rules.projectId);
  p.check("region", config.region, rules.region);
  p.check("stateBucket", config.stateBucket, rules.bucketName);
  checkLabels(p, "labels", config.labels);

  // The repository and each service: the constructs' own rules, with config paths.
  const repo = repositoryProps(config);
  // project is reported at the top; a location taken from region is reported at region.
  const fromTop = (x: Problem) =>
    x.path === "project" || (x.path === "location" && config.repository.location === undefined);
  p.addAll(
    validateArtifactRepositoryProps(repo).filter((x) => !fromTop(x)),
    "repository",
  );
  const repositoryUrl = `${repo.location}-docker.pkg.dev/${config.project}/${repo.repositoryId}`;

  const ids = Object.keys(config.services);
  if (ids.length === 0) p.add("services", config.services, "must define at least one service");
  const names = new Map<string, string>();
  for (const id of ids) {
    const at = `services.${id}`;
    const svc = config.services[id];
    const props = { ...serviceProps(config, id), image: imageReference(svc.image, repositoryUrl) };
    let imagePartsValid = true;
    if (typeof svc.image !== "string") {
      const { name, version } = svc.image;
      const before = p.list.length;
      p.check(`${at}.image.name`, name, rules.imageName);
      p.check(`${at}.image.version`, version, version.startsWith("sha256:") ? rules.imageDigest : rules.imageTag);
      imagePartsValid = p.list.length === before;
    }
    for (const problem of validateCloudRunServiceProps(props)) {
      if (problem.path === "project" || problem.path === "location") continue; // reported above
      if (problem.path === "image" && !imagePartsValid) continue; // reported at image.name or image.version
      // A name taken from the id is reported at the id.
      const path = problem.path === "name" && svc.name === undefined ? "" : problem.path;
      p.add(joinPath(at, path === "" ? "" : path), problem.value, problem.rule);
    }
    const other = names.get(props.name);
    if (other !== undefined) {
      p.add(
        `${at}${svc.name === undefined ? "" : ".name"}`,
        props.name,
        `is the same service name as services.${other}`,
      );
    }
    names.set(props.name, id);
  }

  for (const [path, reason] of Object.entries(config.differences ?? {})) {
    p.check(`differences.${path}`, path, (v) =>
      /^[a-z][a-z0-9_]*(\.[^.\s]+)+$/.test(v)
        ? undefined
        : "must be an attribute path such as google_cloud_run_v2_service.predict_service.template.scaling",
    );
    p.check(`differences.${path}`, reason, (v) =>
      v.trim().length >= 10 ? undefined : "the reason must say why, in at least 10 characters",
    );
  }

  (config.acknowledgements ?? []).forEach((ack, i) => {
    const at = `acknowledgements[${i}]`;
    p.check(`${at}.rule`, ack.rule, (v) =>
      RULES.some((r) => r.id === v)
        ? undefined
        : `must be a rule of the policy pack: ${RULES.map((r) => r.id).join(", ")}`,
    );
    p.check(`${at}.reason`, ack.reason, (v) =>
      v.trim().length >= 10 ? undefined : "the reason must say why, in at least 10 characters",
    );
    p.check(`${at}.service`, ack.service, (v) =>
      v in config.services ? undefined : `must be one of the services: ${Object.keys(config.services).join(", ")}`,
    );
  });

  if ((config.stage === "production") !== Boolean(config.production) && config.stage !== undefined) {
    p.add(
      "stage",
      config.stage,
      `must be "production" exactly when production is true (production is ${Boolean(config.production)})`,
    );
  }
  if (config.production) productionProblems(p, config);
  return [...p.list];
}

/** The guardrails an environment marked `production` may not relax. */
function productionProblems(p: Problems, config: EnvironmentConfig): void {
  const why = "production requires it";
  if (config.deletionProtection === false) p.add("deletionProtection", false, `must be true: ${why}`);
  if (config.requireImageDigest === false) p.add("requireImageDigest", false, `must be true: ${why}`);
  if (config.repository.immutableTags === false) p.add("repository.immutableTags", false, `must be true: ${why}`);
  for (const [id, svc] of Object.entries(config.services)) {
    const at = `services.${id}`;
    if (svc.deletionProtection === false) p.add(`${at}.deletionProtection`, false, `must be true: ${why}`);
    if ((svc.minInstances ?? 0) < 1) {
      p.add(`${at}.minInstances`, svc.minInstances, `must be at least 1: ${why} (no cold starts for users)`);
    }
    if (svc.maxInstances === undefined) {
      p.add(`${at}.maxInstances`, undefined, `must be set explicitly: ${why} (a deliberate cost ceiling)`);
    }
  }
}

/** Turns zod's issues into problems with config paths and the values received. */
function shapeProblems(issues: readonly z.core.$ZodIssue[], raw: unknown): Problem[] {
  const out: Problem[] = [];
  for (const issue of issues) {
    const base = issue.path.map(String);
    if (issue.code === "unrecognized_keys") {
      const known = knownKeys(schema(), base);
      for (const key of issue.keys) {
        const near = closest(key, known);
        out.push({
          path: pathOf([...base, key]),
          value: valueAt(raw, [...base, key]),
          rule: near
            ? `is not a known field; did you mean "${near}"?`
            : `is not a known field; known fields: ${known.join(", ")}`,
        });
      }
      continue;
    }
    const value = valueAt(raw, base);
    out.push({ path: pathOf(base), value, rule: describeIssue(issue, value) });
  }
  return out;
}

function describeIssue(issue: z.core.$ZodIssue, value: unknown): string {
  if (value === undefined && issue.code === "invalid_type") return "is required";
  switch (issue.code) {
    case "invalid_type":
      return issue.expected === "int" ? "must be a whole number" : `must be ${article(issue.expected)}`;
    case "invalid_value":
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
    case "invalid_union":
      return "must be an image reference string, or { name, version } for an image in the environment's repository";
    default:
      return issue.message;
  }
}

function article(type: string): string {
  return `${/^[aeiou]/.test(type) ? "an" : "a"} ${type}`;
}

function pathOf(parts: readonly string[]): string {
  return parts.reduce((acc, part) => joinPath(acc, /^[0-9]+$/.test(part) ? `[${part}]` : part), "") || "(root)";
}

function valueAt(raw: unknown, parts: readonly string[]): unknown {
  let at: unknown = raw;
  for (const part of parts) {
    if (!isRecord(at) && !Array.isArray(at)) return undefined;
    at = (at as Record<string, unknown>)[part];
  }
  return at;
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

/** The keys an object schema allows at a path, for "did you mean" hints. */
function knownKeys(schema: z.core.$ZodType, path: readonly string[]): string[] {
  let at: z.core.$ZodType | undefined = schema;
  const step = (s: z.core.$ZodType): z.core.$ZodType => {
    const def = s._zod.def as { type: string; innerType?: z.core.$ZodType; options?: z.core.$ZodType[] };
    if (def.type === "optional" && def.innerType) return step(def.innerType);
    if (def.type === "union" && def.options) {
      const obj = def.options.find((o) => (o._zod.def as { type: string }).type === "object");
      return obj ?? s;
    }
    return s;
  };
  for (const part of path) {
    if (at === undefined) return [];
    const def = step(at)._zod.def as {
      type: string;
      shape?: Record<string, z.core.$ZodType>;
      valueType?: z.core.$ZodType;
      element?: z.core.$ZodType;
    };
    at = def.type === "object" ? def.shape?.[part] : def.type === "record" ? def.valueType : def.element;
  }
  if (at === undefined) return [];
  const def = step(at)._zod.def as { type: string; shape?: Record<string, unknown> };
  return def.type === "object" && def.shape ? Object.keys(def.shape) : [];
}

/** The known key nearest to a typo, if it is close (edit distance at most 2). */
function closest(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const k of known) {
    const d = distance(key.toLowerCase(), k.toLowerCase());
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  return best;
}

/** The promotion stage of an environment (see {@link EnvironmentConfig.stage}). */
export function stageOf(config: EnvironmentConfig): NonNullable<EnvironmentConfig["stage"]> {
  return config.stage ?? (config.production ? "production" : "development");
}
