import type { IConstruct } from "constructs";
import { isUnresolved } from "./tokens";

/**
 * One invalid value: where it is (a prop or field path such as `traffic[1].percent`), what was
 * received, and what is allowed instead.
 */
export interface Problem {
  readonly path: string;
  readonly value: unknown;
  /** What the value must be, such as `must be a whole number from 1 to 1000`. */
  readonly allowed: string;
}

/**
 * A constraint checks one value and returns what is allowed when the value breaks it, or
 * `undefined` when the value is fine. Constraints never see unresolved tokens:
 * {@link Problems.check} skips them. (Policy rules, in lib/policies, are a different thing: they
 * read a whole synthesized stack.)
 */
export type Constraint<T> = (value: T) => string | undefined;

/** A constraint that a string matches `re`. */
export function pattern(re: RegExp, allowed: string): Constraint<string> {
  return (value) => (typeof value === "string" && re.test(value) ? undefined : allowed);
}

/** A constraint that a number is a whole number from `min` to `max`. */
export function intRange(min: number, max: number, allowed: string): Constraint<number> {
  return (value) => (Number.isInteger(value) && value >= min && value <= max ? undefined : allowed);
}

/**
 * A constraint that a value is one of a table's keys (or of a list): `must be "a" or "b"`, or
 * `must be one of "a", "b", "c"`. Only own keys count, never `toString` or `constructor`.
 */
export function oneOf(allowed: object | readonly string[]): Constraint<string> {
  const values = Array.isArray(allowed) ? (allowed as readonly string[]) : Object.keys(allowed);
  const quoted = values.map((v) => `"${v}"`);
  const text = quoted.length === 2 ? `must be ${quoted[0]} or ${quoted[1]}` : `must be one of ${quoted.join(", ")}`;
  return (value) => ((Array.isArray(allowed) ? values.includes(value) : hasOwn(allowed, value)) ? undefined : text);
}

/** How many letters a reason needs: a few words, counted as letters, never as code units. */
export const REASON_LETTERS = 10;

/**
 * A reason given for an exception (an acknowledged finding, a declared difference): it must say
 * why, in words a reviewer can read. Control, format (zero-width), private-use and unassigned
 * characters are refused, since they print as nothing or mislead; then letters (any script) are
 * counted, not characters, so punctuation, digits or spaces alone do not make a reason.
 */
export const reasonText: Constraint<string> = (value) => {
  if (typeof value !== "string") return "the reason must be text";
  // Hangul fillers (U+3164, U+115F, U+FFA0) are letters that print as nothing: default-ignorable.
  const hidden = [...value].find((c) => /\p{C}|\p{Default_Ignorable_Code_Point}/u.test(c));
  if (hidden !== undefined) {
    const code = `U+${hidden.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`;
    return `the reason must be plain words: ${code} is a control or invisible character`;
  }
  const letters = value.match(/\p{L}/gu) ?? [];
  // Words, not one key held down: "aaaaaaaaaa" has ten letters and says nothing.
  const distinct = new Set(letters.map((l) => l.toLowerCase())).size;
  return letters.length >= REASON_LETTERS && distinct >= 4
    ? undefined
    : `the reason must say why, in at least ${REASON_LETTERS} letters (of at least 4 different ones)`;
};

/** Renders a received value for an error message: strings quoted, objects as JSON. */
function formatValue(value: unknown): string {
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

/** One line per problem, in the order found: `path: got VALUE; ALLOWED`. */
function formatProblems(problems: readonly Problem[], indent = "  - "): string {
  return problems.map((p) => `${indent}${p.path}: got ${formatValue(p.value)}; ${p.allowed}`).join("\n");
}

/**
 * Thrown by a construct whose props break one or more constraints. The message lists every
 * problem at once, each naming the construct path, the prop, the value received and what is
 * allowed.
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

/**
 * Collects problems so that one error can list them all. Values that are unresolved tokens are
 * skipped: they cannot be checked before Terraform runs.
 */
export class Problems {
  private readonly found: Problem[] = [];

  /** Applies `constraint` to `value` unless it is undefined or an unresolved token. */
  check<T>(path: string, value: T | undefined, constraint: Constraint<T>): this {
    if (value === undefined || isUnresolved(value)) return this;
    const broken = constraint(value);
    if (broken !== undefined) this.found.push({ path, value, allowed: broken });
    return this;
  }

  /** Records a problem found by a check that spans several props. */
  add(path: string, value: unknown, allowed: string): this {
    this.found.push({ path, value, allowed });
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

/**
 * True when `key` is `object`'s own property: a key of a lookup table, never a name every object
 * has (`toString`, `constructor`). `Object.hasOwn` would need the ES2022 library in every
 * consumer's compiler settings.
 */
export function hasOwn(object: object, key: PropertyKey): boolean {
  return Object.prototype.hasOwnProperty.call(object, key);
}

/**
 * `record[key]` when `key` is the record's own key, else undefined: a lookup with a key someone
 * typed (a command's argument, a release file's key) never finds `constructor` or `__proto__`.
 */
export function own<T>(record: Readonly<Record<string, T>> | undefined, key: string): T | undefined {
  return record !== undefined && hasOwn(record, key) ? record[key] : undefined;
}
