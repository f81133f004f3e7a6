import { PARITY_METADATA_KEY, StackParityInfo } from "./metadata";

/**
 * Environment parity: compares synthesized stacks (`cdk.tf.json`) resource by resource and
 * attribute by attribute, after normalizing what must differ between environments (the project
 * id and the environment name, and names derived from them). A difference an environment declares
 * in its configuration, with a reason, is expected of that environment; any other is
 * configuration drift.
 */

/** A synthesized stack, parsed: `cdktf.out/stacks/<name>/cdk.tf.json`. */
export type StackJson = Record<string, unknown>;

/** One row of the matrix: an attribute path and its value in each environment. */
export interface ParityRow {
  readonly path: string;
  /** Environment → normalized value as JSON text; `undefined` where the attribute is absent. */
  readonly values: Readonly<Record<string, string | undefined>>;
  /**
   * The reasons given by the environments that declare this difference. A drift row may have
   * some: then the environments that did not declare it disagree with one another.
   */
  readonly reasons: Readonly<Record<string, string>>;
  /** `resource` when a whole resource exists in some environments only. */
  readonly kind: "attribute" | "resource";
  /** Environments left out of the comparison: they do not deploy the service yet. */
  readonly notDeployed?: readonly string[];
}

export interface ParityReport {
  readonly environments: readonly string[];
  /** Differences nobody declared: configuration drift. */
  readonly drift: readonly ParityRow[];
  /** Differences declared with a reason. */
  readonly declared: readonly ParityRow[];
  /** Declarations that match no difference any more: `environment`, `path`, `reason`. */
  readonly stale: readonly { environment: string; path: string; reason: string }[];
}

const ABSENT = undefined;

/** Reads the parity info a stack recorded, or fails naming what is missing. */
function parityInfo(name: string, stack: StackJson): StackParityInfo {
  const meta = (stack["//"] as { metadata?: Record<string, unknown> } | undefined)?.metadata?.[PARITY_METADATA_KEY];
  if (typeof meta !== "object" || meta === null) {
    throw new Error(
      `stack ${name} has no "//".metadata["${PARITY_METADATA_KEY}"]: was it synthesized by EnvironmentStack?`,
    );
  }
  return meta as StackParityInfo;
}

/**
 * The attributes of a stack as `path → JSON value`, normalized. Resources are named by their
 * logical id without cdktf's hash suffix (`google_cloud_run_v2_service.predict_service`); list
 * elements that carry a `name` or `id` are keyed by it (`env[LOG_LEVEL]`) so that adding one
 * element does not shift the others.
 */
function flattenStack(stack: StackJson, info: StackParityInfo): Map<string, string> {
  const out = new Map<string, string>();
  const normalize = normalizer(info);
  const visit = (path: string, value: unknown): void => {
    if (Array.isArray(value)) {
      if (value.length === 0) out.set(path, "[]");
      value.forEach((item, i) => visit(`${path}[${elementKey(item) ?? i}]`, item));
    } else if (typeof value === "object" && value !== null) {
      const entries = Object.entries(value).filter(([k]) => k !== "//");
      if (entries.length === 0) out.set(path, "{}");
      for (const [k, v] of entries) visit(`${path}.${k}`, v);
    } else {
      out.set(path, JSON.stringify(typeof value === "string" ? normalize(value) : value));
    }
  };
  for (const [section, body] of Object.entries(stack)) {
    if (section === "//") continue;
    if (section === "resource" || section === "data") {
      const prefix = section === "data" ? "data." : "";
      for (const [type, byId] of Object.entries(body as Record<string, Record<string, unknown>>)) {
        for (const [id, resource] of Object.entries(byId)) {
          visit(`${prefix}${type}.${readableId(id)}`, resource);
        }
      }
    } else {
      visit(section, body);
    }
  }
  return out;
}

/** A logical id without cdktf's 8-character hash suffix; references keep their full id. */
function readableId(id: string): string {
  return id.replace(/_[0-9A-F]{8}$/, "");
}

function elementKey(item: unknown): string | undefined {
  if (typeof item !== "object" || item === null) return undefined;
  const { name, id } = item as { name?: unknown; id?: unknown };
  return typeof name === "string" ? name : typeof id === "string" ? id : undefined;
}

/**
 * Replaces the project id, and the environment name as a whole word, with placeholders. A word
 * next to a dot is part of a host name (`docker.pkg.dev`), not the environment.
 */
function normalizer(info: StackParityInfo): (value: string) => string {
  const env = new RegExp(`(?<![A-Za-z0-9.])${escape(info.environment)}(?![A-Za-z0-9.])`, "g");
  return (value) =>
    (info.stateBucket === undefined ? value : value.split(info.stateBucket).join("<state bucket>"))
      .split(info.project)
      .join("<project>")
      .replace(env, "<env>")
      .replace(/(\$\{[^}]*?)_[0-9A-F]{8}(?=[.}\]])/g, "$1");
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** The resource a path belongs to: `type.name` (or `data.type.name`), or the top-level section. */
function resourceOf(path: string): string {
  const parts = path.split(".");
  if (parts[0] === "data") return parts.slice(0, 3).join(".");
  // Resource types have an underscore (google_…); sections (provider, terraform, output) do not.
  return parts.length >= 2 && /^[a-z0-9]+_[a-z0-9_]+$/.test(parts[0]) ? parts.slice(0, 2).join(".") : parts[0];
}

/**
 * What a path belongs to, finer than {@link resourceOf}: a resource (`type.name`,
 * `data.type.name`), an output (`output.name`), or a top-level section.
 */
function unitOf(path: string): string {
  const parts = path.split(".");
  if (parts[0] === "output" && parts.length >= 2) return parts.slice(0, 2).join(".");
  return resourceOf(path);
}

/**
 * A declared path covers itself and everything below it; `*` stands for any one segment (a
 * resource name, a key): `google_cloud_run_v2_service.*.deletion_protection` covers every
 * service's.
 */
function coverage(declared: string): RegExp {
  const pattern = declared.split("*").map(escape).join("[^.\\[\\]]+");
  return new RegExp(`^${pattern}(?:$|[.[])`);
}

/**
 * Compares every stack with every other; `stacks` maps environment name → parsed stack.
 *
 * A difference an environment declares exempts that environment's value only: the environments
 * that did not declare it must still agree with one another. So dev declaring its image as
 * different says nothing about staging and prod, which are still compared. A declaration is
 * stale when its environment's value no longer differs from those of the environments it is
 * compared with.
 */
export function compareStacks(stacks: Readonly<Record<string, StackJson>>): ParityReport {
  const environments = Object.keys(stacks).sort();
  const infos = Object.fromEntries(environments.map((e) => [e, parityInfo(e, stacks[e])]));
  const flat = Object.fromEntries(environments.map((e) => [e, flattenStack(stacks[e], infos[e])]));
  const managed = [...new Set(environments.flatMap((e) => infos[e].releaseManaged ?? []))].map(coverage);
  const paths = [...new Set(environments.flatMap((e) => [...flat[e].keys()]))]
    .filter((p) => !managed.some((m) => m.test(p)))
    .sort();
  const resourcesIn = Object.fromEntries(environments.map((e) => [e, new Set([...flat[e].keys()].map(resourceOf))]));
  const declarations = environments.flatMap((environment) =>
    Object.entries(infos[environment].differences).map(([path, reason]) => ({
      environment,
      path,
      reason,
      covers: coverage(path),
      used: false,
    })),
  );

  // A service an environment does not deploy yet (no release at its stage) is absent there on
  // purpose: its resources and outputs (named `<key>_…`) are compared among the others only.
  const unitsIn = Object.fromEntries(environments.map((e) => [e, new Set([...flat[e].keys()].map(unitOf))]));
  const notYetIn = (e: string, path: string): boolean => {
    const unit = unitOf(path);
    const id = unit.slice(unit.lastIndexOf(".") + 1);
    if (!unitsIn[e].has(unit) && (infos[e].notDeployed ?? []).some((key) => id.startsWith(`${key}_`))) return true;
    // A placeholder's containers: what the service's own image needs is not there yet.
    return (infos[e].placeholders ?? []).some((key) =>
      path.startsWith(`google_cloud_run_v2_service.${key}_service.template.containers`),
    );
  };

  const drift: ParityRow[] = [];
  const declared: ParityRow[] = [];
  const classify = (
    path: string,
    kind: ParityRow["kind"],
    values: Record<string, string | undefined>,
    compared: readonly string[],
  ): void => {
    const mine = declarations.filter((d) => d.covers.test(path));
    // A declaration about a service its environment does not deploy yet waits for the release.
    for (const d of mine) if (!compared.includes(d.environment)) d.used = true;
    const declarers = new Set(mine.map((d) => d.environment));
    const reasons = Object.fromEntries(
      mine.filter((d) => compared.includes(d.environment)).map((d) => [d.environment, d.reason]),
    );
    const others = compared.filter((e) => !declarers.has(e));
    // A declaration is needed when its environment's value differs from one it is compared with:
    // the environments that declared nothing, or, when every environment declared, the rest.
    for (const d of mine.filter((m) => compared.includes(m.environment))) {
      const against = others.length > 0 ? others : compared.filter((e) => e !== d.environment);
      if (against.some((e) => values[e] !== values[d.environment])) d.used = true;
    }
    const undeclaredAgree = new Set(others.map((e) => values[e])).size <= 1;
    const notDeployed = environments.filter((e) => !compared.includes(e));
    (undeclaredAgree ? declared : drift).push({
      path,
      values,
      reasons,
      kind,
      ...(notDeployed.length > 0 ? { notDeployed } : {}),
    });
  };

  const reportedResources = new Set<string>();
  for (const path of paths) {
    const compared = environments.filter((e) => !notYetIn(e, path));
    const resource = resourceOf(path);
    const missingIn = compared.filter((e) => !resourcesIn[e].has(resource));
    if (missingIn.length > 0) {
      if (!reportedResources.has(resource)) {
        reportedResources.add(resource);
        const presence = (e: string) => (resourcesIn[e].has(resource) ? "(present)" : ABSENT);
        classify(resource, "resource", Object.fromEntries(compared.map((e) => [e, presence(e)])), compared);
      }
      // The environments that have it still agree on its attributes, or declare why not.
      const having = compared.filter((e) => resourcesIn[e].has(resource));
      const values = Object.fromEntries(having.map((e) => [e, flat[e].get(path)]));
      if (having.length > 1 && new Set(Object.values(values)).size > 1) classify(path, "attribute", values, having);
      continue;
    }
    const values = Object.fromEntries(compared.map((e) => [e, flat[e].get(path)]));
    if (new Set(Object.values(values)).size > 1) classify(path, "attribute", values, compared);
  }

  // A declaration about a service that some environment does not deploy yet waits for the
  // release: its own environment's, or the ones it would be compared with.
  for (const d of declarations) {
    if (!d.used && paths.some((p) => d.covers.test(p) && environments.some((e) => notYetIn(e, p)))) d.used = true;
  }
  // A declaration that matches nothing at all, while some environment does not deploy all its
  // services yet, cannot be judged: what it is about (a service's monitoring, say) exists only
  // once that service is released. From zero, with no release anywhere, every such declaration
  // waits; it is judged again once every service is deployed.
  const waiting = environments.some((e) => (infos[e].notDeployed ?? []).length > 0);
  for (const d of declarations) if (!d.used && waiting && !paths.some((p) => d.covers.test(p))) d.used = true;
  const stale = declarations
    .filter((d) => !d.used)
    .map(({ environment, path, reason }) => ({ environment, path, reason }));
  return { environments, drift, declared, stale };
}

/** True when there is no undeclared difference and no stale declaration. */
export function isClean(report: ParityReport): boolean {
  return report.drift.length === 0 && report.stale.length === 0;
}
