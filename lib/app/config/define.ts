import type { EnvironmentConfig } from "./types";

/** What every environment states itself: the rest may come from the shared configuration. */
type Identity = "name" | "stage" | "project" | "stateBucket";

/** What environments share (environments/base.ts): everything but their identity. */
export type SharedConfig = Omit<EnvironmentConfig, Identity>;

/** Makes every field optional, all the way down; arrays are replaced, not merged. */
export type DeepPartial<T> = T extends readonly unknown[]
  ? T
  : T extends object
    ? { [K in keyof T]?: DeepPartial<T[K]> }
    : T;

/** What an environment file states: its identity, and whatever differs from the shared configuration. */
export type EnvironmentOverrides = Pick<EnvironmentConfig, Identity> & DeepPartial<SharedConfig>;

/**
 * The configuration of one environment: `shared` with `overrides` merged in. Objects merge key by
 * key; arrays and other values replace what `shared` has. The result is validated when the stack
 * is built (`parseEnvironmentConfig`), so a bad value fails with its field path.
 */
export function extendEnvironment(shared: SharedConfig, overrides: EnvironmentOverrides): EnvironmentConfig {
  const config = merge(shared, overrides) as EnvironmentConfig;
  OVERRIDES.set(config, { overrides, shared });
  return config;
}

/** What each configuration made by {@link extendEnvironment} stated itself, and what it shared, for messages. */
const OVERRIDES = new WeakMap<object, { overrides: EnvironmentOverrides; shared: SharedConfig }>();

/** The fields every environment states itself: a problem with one is always its own. */
const IDENTITY: readonly string[] = ["name", "stage", "project", "stateBucket"] satisfies Identity[];

/**
 * True when `path` (such as `services.predict.ingress`, or `services.predict.sidecars[0].image`)
 * is stated by the environment itself, false when it comes from the shared configuration,
 * undefined when the configuration was not made by {@link extendEnvironment}. Keys are matched
 * as written, longest first, so a key that holds dots or brackets itself (a `differences`
 * attribute path) is one key; an array is stated whole.
 */
export function statedByEnvironment(config: unknown, path: string | readonly string[]): boolean | undefined {
  const made = typeof config === "object" && config !== null ? OVERRIDES.get(config) : undefined;
  if (made === undefined) return undefined;
  const at = typeof path === "string" ? path : path.join(".");
  if (IDENTITY.some((field) => at === field || at.startsWith(`${field}.`))) return true;
  return statedAt(made.overrides, made.shared, at);
}

/**
 * Whether the environment states `rest` of `at`. Below a key the environment adds (a service the
 * shared configuration does not have, a misspelled one included), everything is the
 * environment's, stated or missing.
 */
function statedAt(at: unknown, shared: unknown, rest: string): boolean {
  if (rest === "" || Array.isArray(at)) return true;
  if (!isPlainObject(at)) return false;
  const key = Object.keys(at)
    .filter((k) => rest === k || rest.startsWith(`${k}.`) || rest.startsWith(`${k}[`))
    .sort((a, b) => b.length - a.length)[0];
  if (key === undefined) return false;
  if (!isPlainObject(shared) || !Object.prototype.hasOwnProperty.call(shared, key)) return true;
  return statedAt(at[key], shared[key], rest.slice(key.length).replace(/^\./, ""));
}

function merge(a: unknown, b: unknown): unknown {
  if (b === undefined) return a;
  if (!isPlainObject(a) || !isPlainObject(b)) return b;
  const out: Record<string, unknown> = { ...a };
  for (const [key, value] of Object.entries(b)) out[key] = merge(a[key], value);
  return out;
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}
