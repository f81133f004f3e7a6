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
  return merge(shared, overrides) as EnvironmentConfig;
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
