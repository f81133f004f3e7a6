import { describeProblems, Problem } from "../../gcp/validation";
import { semanticProblems } from "./checks";
import { environmentSchema } from "./schema";
import type { EnvironmentConfig } from "./types";
import { isRecord, shapeProblems, withoutKeys } from "./zod-issues";

/**
 * Thrown by {@link parseEnvironmentConfig}: every problem of one environment, each with the field
 * path, the value received and what is allowed.
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
  // JSON can hold a key named __proto__, which a schema drops without a word: refused instead.
  const proto = prototypeKeys(raw, "");
  if (proto.length > 0) {
    throw new ConfigError(
      env,
      proto.map((path) => ({ path, value: undefined, allowed: "is not a key a configuration may hold (__proto__)" })),
    );
  }
  const parsed = environmentSchema.safeParse(raw);
  if (parsed.success) {
    const config = parsed.data as EnvironmentConfig;
    const problems = semanticProblems(config);
    if (problems.length > 0) throw new ConfigError(env, problems);
    return config;
  }
  const problems = shapeProblems(parsed.error.issues, raw);
  // When the only shape problems are unknown keys, the rest can still be checked: report both.
  const stripped = withoutKeys(raw, parsed.error.issues);
  if (parsed.error.issues.every((i) => i.code === "unrecognized_keys")) {
    const valid = environmentSchema.safeParse(stripped);
    if (valid.success) problems.push(...semanticProblems(valid.data as EnvironmentConfig));
  } else if (isRecord(stripped) && isRecord(stripped.services)) {
    // A value of the wrong type beside one out of range: the range is checked too, on what has
    // the right shape, so one run reports both. A check that cannot read a mistyped value is
    // skipped; a field already reported is not reported twice.
    problems.push(...semanticBeside(stripped as unknown as EnvironmentConfig, problems));
  }
  throw new ConfigError(env, problems);
}

/** The semantic problems of a configuration with shape problems, apart from the fields those name. */
function semanticBeside(config: EnvironmentConfig, shape: readonly Problem[]): Problem[] {
  let found: Problem[];
  try {
    found = semanticProblems(config);
  } catch {
    return [];
  }
  const related = (a: string, b: string) =>
    a === b || a.startsWith(`${b}.`) || a.startsWith(`${b}[`) || b.startsWith(`${a}.`) || b.startsWith(`${a}[`);
  return found.filter((p) => !shape.some((s) => related(p.path, s.path)));
}

/** The paths of every own `__proto__` key in plain data (JSON.parse makes them; object literals do not). */
function prototypeKeys(value: unknown, at: string): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => prototypeKeys(v, `${at}[${i}]`));
  if (typeof value !== "object" || value === null) return [];
  return Reflect.ownKeys(value)
    .filter((k): k is string => typeof k === "string")
    .flatMap((k) => {
      const path = at === "" ? k : `${at}.${k}`;
      return k === "__proto__" ? [path] : prototypeKeys((value as Record<string, unknown>)[k], path);
    });
}
