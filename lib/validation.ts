import { Token } from "cdktf";
import { IConstruct } from "constructs";

/**
 * One invalid value: where it is (a prop path such as `traffic[1].percent`), what was received,
 * and the rule it breaks, phrased as what is allowed.
 */
export interface Problem {
  readonly path: string;
  readonly value: unknown;
  readonly rule: string;
}

/**
 * A rule checks one value and returns what is allowed when the value breaks it, or `undefined`
 * when the value is fine. Rules never see unresolved tokens: {@link Problems.check} skips them.
 */
export type Rule<T> = (value: T) => string | undefined;

/** Renders a received value for an error message: strings quoted, objects as JSON. */
export function formatValue(value: unknown): string {
  if (value === undefined) return "undefined";
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number" || typeof value === "boolean" || value === null) return String(value);
  try {
    const json = JSON.stringify(value);
    return json.length > 120 ? `${json.slice(0, 117)}...` : json;
  } catch {
    return String(value);
  }
}

/** `SUBJECT has N invalid NOUNs:` then one line per problem. */
export function describeProblems(subject: string, noun: string, problems: readonly Problem[]): string {
  return `${subject} has ${problems.length} invalid ${noun}${problems.length === 1 ? "" : "s"}:\n${formatProblems(problems)}`;
}

/** One line per problem, in the order found: `path: got VALUE; RULE`. */
export function formatProblems(problems: readonly Problem[], indent = "  - "): string {
  return problems.map((p) => `${indent}${p.path}: got ${formatValue(p.value)}; ${p.rule}`).join("\n");
}

/**
 * Thrown by a construct whose props break one or more rules. The message lists every problem at
 * once, each naming the construct path, the prop, the value received and what is allowed.
 */
export class ValidationError extends Error {
  override readonly name = "ValidationError";

  constructor(
    /** What was being validated, for example `CloudRunService "app/stack/predict"`. */
    readonly subject: string,
    readonly problems: readonly Problem[],
  ) {
    super(describeProblems(subject, "prop", problems));
  }
}

/** True when a value is, or contains, a cdktf token that only resolves at synthesis. */
export function isUnresolved(value: unknown): boolean {
  return (typeof value === "string" || typeof value === "number") && Token.isUnresolved(value);
}

/**
 * Collects problems so that one error can list them all. Values that are unresolved tokens are
 * skipped: they cannot be checked before Terraform runs.
 */
export class Problems {
  private readonly found: Problem[] = [];

  /** Applies `rule` to `value` unless it is undefined or an unresolved token. */
  check<T>(path: string, value: T | undefined, rule: Rule<T>): this {
    if (value === undefined || isUnresolved(value)) return this;
    const broken = rule(value);
    if (broken !== undefined) this.found.push({ path, value, rule: broken });
    return this;
  }

  /** Records a problem found by a check that spans several props. */
  add(path: string, value: unknown, rule: string): this {
    this.found.push({ path, value, rule });
    return this;
  }

  /** Adds problems found elsewhere, with their paths prefixed (`services.predict` + `.memory`). */
  addAll(problems: readonly Problem[], prefix = ""): this {
    for (const p of problems) this.found.push({ ...p, path: joinPath(prefix, p.path) });
    return this;
  }

  get list(): readonly Problem[] {
    return this.found;
  }

  /** Throws one {@link ValidationError} listing every problem, if there is any. */
  throwIfAny(subject: string): void {
    if (this.found.length > 0) throw new ValidationError(subject, this.found);
  }
}

/**
 * Throws a {@link ValidationError} for a construct whose props have problems, after removing the
 * construct from its parent, so that a failed constructor leaves nothing behind in the tree.
 */
export function throwIfInvalid(construct: IConstruct, kind: string, problems: readonly Problem[]): void {
  if (problems.length === 0) return;
  const path = construct.node.path;
  construct.node.scope?.node.tryRemoveChild(construct.node.id);
  throw new ValidationError(`${kind} "${path}"`, problems);
}

/** Joins a prefix and a path: `a` + `b` → `a.b`, `a` + `[0]` → `a[0]`. */
export function joinPath(prefix: string, path: string): string {
  if (prefix === "") return path;
  if (path === "") return prefix;
  return path.startsWith("[") ? `${prefix}${path}` : `${prefix}.${path}`;
}
