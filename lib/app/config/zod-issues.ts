import { distance } from "fastest-levenshtein";
import type { z } from "zod";
import { Problem, joinPath } from "../../gcp/validation";
import { environmentSchema } from "./schema";

/** zod's issues as problems: config paths, the values received, and "did you mean" for typos. */

/** Turns zod's issues into problems with config paths and the values received. */
export function shapeProblems(issues: readonly z.core.$ZodIssue[], raw: unknown): Problem[] {
  const out: Problem[] = [];
  for (const issue of issues.flatMap(closestForm)) {
    const base = issue.path.map(String);
    if (issue.code === "unrecognized_keys") {
      const known = knownKeys(environmentSchema, base, raw);
      for (const key of issue.keys) {
        const near = closest(key, known);
        out.push({
          path: pathOf([...base, key]),
          value: valueAt(raw, [...base, key]),
          allowed: near
            ? `is not a known field; did you mean "${near}"?`
            : `is not a known field; known fields: ${known.join(", ")}`,
        });
      }
      continue;
    }
    const value = valueAt(raw, base);
    out.push({ path: pathOf(base), value, allowed: describeIssue(issue, value) + misspelledKey(raw, base, value) });
  }
  return out;
}

/**
 * An object that matches no form of a union of objects (an event's `source`: a bucket's or a
 * topic's) is reported by the form it comes closest to, the one with the fewest issues, each at
 * its own path; a union told apart by a field (a volume's `kind`), or a value that is no object
 * (an image given as a number), keeps the union's own issue.
 */
function closestForm(issue: z.core.$ZodIssue): z.core.$ZodIssue[] {
  if (issue.code !== "invalid_union" || "discriminator" in issue) return [issue];
  const forms = (issue as { errors?: z.core.$ZodIssue[][] }).errors ?? [];
  // A form the value is of (an object): its issues are inside it, or keys it does not know.
  const objects = forms.filter(
    (f) => f.length > 0 && f.every((i) => i.path.length > 0 || i.code === "unrecognized_keys"),
  );
  if (objects.length === 0) return [issue];
  const closest = objects.reduce((a, b) => (b.length < a.length ? b : a));
  return closest.map((i) => ({ ...i, path: [...issue.path, ...i.path] }) as z.core.$ZodIssue).flatMap(closestForm);
}

/**
 * A required field missing under a service, job or bucket whose key is one letter or two from
 * another's: the key is likely a typo in an environment file (`predcit: { maxInstances: 3 }`),
 * which makes a new, incomplete service rather than changing `predict`.
 */
function misspelledKey(raw: unknown, parts: readonly string[], value: unknown): string {
  const [group, key] = parts;
  if (value !== undefined || parts.length !== 3 || !["services", "jobs", "buckets"].includes(group)) return "";
  const siblings = valueAt(raw, [group]);
  if (!isRecord(siblings)) return "";
  const near = closest(
    key,
    Object.keys(siblings).filter((k) => k !== key),
  );
  return near === undefined ? "" : `; is ${group}.${key} a misspelling of "${near}"?`;
}

function describeIssue(issue: z.core.$ZodIssue, value: unknown): string {
  if (value === undefined && issue.code === "invalid_type") return "is required";
  switch (issue.code) {
    case "invalid_type":
      return issue.expected === "int" ? "must be a whole number" : `must be ${article(issue.expected)}`;
    case "invalid_value":
      return `${value === undefined ? "is required and " : ""}must be one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
    case "invalid_union":
      // A discriminated union (a volume's kind): the value names none of its kinds.
      if ("discriminator" in issue && Array.isArray((issue as { options?: unknown }).options)) {
        const options = (issue as unknown as { options: unknown[] }).options.filter((o) => o != null);
        return `must be one of ${options.map((o) => JSON.stringify(o)).join(", ")}`;
      }
      return UNION_FORMS[String(issue.path[issue.path.length - 1])] ?? "matches none of the forms this field takes";
    default:
      return issue.message;
  }
}

/** What each union of the configuration takes, by the field's name, for a value that is none of them. */
const UNION_FORMS: Readonly<Record<string, string>> = {
  image: "must be an image reference string, or { name, version } for an image in the environment's repository",
  source: "must be { bucket, eventType } (a bucket's objects) or { pubsubTopic } (a topic's messages)",
  uptimeCheck: "must be false (no uptime check) or the check's options",
  instancesAtMax: "must be false (no alert) or the alert's options",
  slo: "must be false (no SLOs) or their options",
  cleanup: "must be false (no cleanup policies) or their options",
};

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

export function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

/**
 * The keys an object schema allows at a path, for "did you mean" hints. Of a union of objects told
 * apart by `kind` (a volume's), the one whose kind the value at the path names.
 */
function knownKeys(schema: z.core.$ZodType, path: readonly string[], raw?: unknown): string[] {
  let at: z.core.$ZodType | undefined = schema;
  const kind = (valueAt(raw, path) as { kind?: unknown } | undefined)?.kind ?? "gcs";
  const step = (s: z.core.$ZodType): z.core.$ZodType => {
    const def = s._zod.def as {
      type: string;
      innerType?: z.core.$ZodType;
      out?: z.core.$ZodType;
      options?: z.core.$ZodType[];
    };
    if (def.type === "optional" && def.innerType) return step(def.innerType);
    if (def.type === "pipe" && def.out) return step(def.out);
    if (def.type === "union" && def.options) {
      const objects = def.options.filter((o) => (o._zod.def as { type: string }).type === "object");
      const kindOf = (o: z.core.$ZodType) =>
        ((o._zod.def as { shape?: Record<string, z.core.$ZodType> }).shape?.kind?._zod.def as { values?: unknown[] })
          ?.values?.[0];
      return objects.find((o) => kindOf(o) === kind) ?? objects[0] ?? s;
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

/** A copy of `raw` without the keys zod did not recognise. */
export function withoutKeys(raw: unknown, issues: readonly z.core.$ZodIssue[]): unknown {
  const copy = structuredClone(raw) as Record<string, unknown>;
  for (const issue of issues) {
    if (issue.code !== "unrecognized_keys") continue;
    const parent = valueAt(copy, issue.path.map(String)) as Record<string, unknown>;
    for (const key of issue.keys) delete parent[key];
  }
  return copy;
}
