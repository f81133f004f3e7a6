import { Construct } from "constructs";
import { StackMetadata } from "./common";

/**
 * Environment parity: compares synthesized stacks (`cdk.tf.json`) resource by resource and
 * attribute by attribute, after normalizing what must differ between environments (the project
 * id and the environment name, and names derived from them). Differences an environment declares
 * in its configuration, with a reason, are expected; any other is configuration drift.
 */

/** The key under the stack's `"//".metadata` where {@link ParityMetadata} is written. */
export const METADATA_KEY = "cdktf-cloud-run";

/** What a stack records about itself for the parity check. */
export interface StackParityInfo {
  readonly environment: string;
  readonly project: string;
  /** Attribute path (as the parity matrix spells it) → why this environment differs there. */
  readonly differences: Readonly<Record<string, string>>;
}

/**
 * Writes {@link StackParityInfo} into the stack's `"//"` metadata, which Terraform ignores, so
 * that the parity check needs nothing but the synthesized stacks.
 */
export class ParityMetadata extends StackMetadata {
  constructor(
    scope: Construct,
    id: string,
    private readonly info: StackParityInfo,
  ) {
    super(scope, id, METADATA_KEY);
  }

  protected metadata(): StackParityInfo {
    return this.info;
  }
}

/** A synthesized stack, parsed: `cdktf.out/stacks/<name>/cdk.tf.json`. */
export type StackJson = Record<string, unknown>;

/** One row of the matrix: an attribute path and its value in each environment. */
export interface ParityRow {
  readonly path: string;
  /** Environment → normalized value as JSON text; `undefined` where the attribute is absent. */
  readonly values: Readonly<Record<string, string | undefined>>;
  /** The reasons given by environments that declare this difference; empty when undeclared. */
  readonly reasons: Readonly<Record<string, string>>;
  /** `resource` when a whole resource exists in some environments only. */
  readonly kind: "attribute" | "resource";
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
export function parityInfo(name: string, stack: StackJson): StackParityInfo {
  const meta = (stack["//"] as { metadata?: Record<string, unknown> } | undefined)?.metadata?.[METADATA_KEY];
  if (typeof meta !== "object" || meta === null) {
    throw new Error(`stack ${name} has no "//".metadata["${METADATA_KEY}"]: was it synthesized by EnvironmentStack?`);
  }
  return meta as StackParityInfo;
}

/**
 * The attributes of a stack as `path → JSON value`, normalized. Resources are named by their
 * logical id without cdktf's hash suffix (`google_cloud_run_v2_service.predict_service`); list
 * elements that carry a `name` or `id` are keyed by it (`env[LOG_LEVEL]`) so that adding one
 * element does not shift the others.
 */
export function flattenStack(stack: StackJson, info: StackParityInfo): Map<string, string> {
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
    value
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

/** A declared path covers itself and everything below it. */
function covers(declared: string, path: string): boolean {
  return path === declared || path.startsWith(`${declared}.`) || path.startsWith(`${declared}[`);
}

/** Compares every stack with every other; `stacks` maps environment name → parsed stack. */
export function compareStacks(stacks: Readonly<Record<string, StackJson>>): ParityReport {
  const environments = Object.keys(stacks).sort();
  const infos = Object.fromEntries(environments.map((e) => [e, parityInfo(e, stacks[e])]));
  const flat = Object.fromEntries(environments.map((e) => [e, flattenStack(stacks[e], infos[e])]));
  const paths = [...new Set(environments.flatMap((e) => [...flat[e].keys()]))].sort();
  const resourcesIn = Object.fromEntries(environments.map((e) => [e, new Set([...flat[e].keys()].map(resourceOf))]));

  const used = new Set<string>(); // `${env}\u0000${declared path}` that matched a difference
  const reasonsFor = (path: string): Record<string, string> => {
    const reasons: Record<string, string> = {};
    for (const e of environments) {
      for (const [declared, reason] of Object.entries(infos[e].differences)) {
        if (covers(declared, path)) {
          reasons[e] = reason;
          used.add(`${e}\u0000${declared}`);
        }
      }
    }
    return reasons;
  };

  const drift: ParityRow[] = [];
  const declared: ParityRow[] = [];
  const reportedResources = new Set<string>();
  for (const path of paths) {
    const resource = resourceOf(path);
    const missingIn = environments.filter((e) => !resourcesIn[e].has(resource));
    if (missingIn.length > 0) {
      if (reportedResources.has(resource)) continue;
      reportedResources.add(resource);
      const values = Object.fromEntries(
        environments.map((e) => [e, resourcesIn[e].has(resource) ? "(present)" : ABSENT]),
      );
      const row: ParityRow = { path: resource, values, reasons: reasonsFor(resource), kind: "resource" };
      (Object.keys(row.reasons).length > 0 ? declared : drift).push(row);
      continue;
    }
    const values = Object.fromEntries(environments.map((e) => [e, flat[e].get(path)]));
    if (new Set(Object.values(values)).size <= 1) continue;
    const row: ParityRow = { path, values, reasons: reasonsFor(path), kind: "attribute" };
    (Object.keys(row.reasons).length > 0 ? declared : drift).push(row);
  }

  const stale = environments.flatMap((e) =>
    Object.entries(infos[e].differences)
      .filter(([path]) => !used.has(`${e}\u0000${path}`))
      .map(([path, reason]) => ({ environment: e, path, reason })),
  );
  return { environments, drift, declared, stale };
}

/** True when there is no undeclared difference and no stale declaration. */
export function isClean(report: ParityReport): boolean {
  return report.drift.length === 0 && report.stale.length === 0;
}

const CELL_WIDTH = 48;

/** A value for the matrix; a long one keeps its start and its end, where values usually differ. */
function cell(value: string | undefined): string {
  if (value === undefined) return "(absent)";
  if (value.length <= CELL_WIDTH) return value;
  const head = 16;
  return `${value.slice(0, head)}…${value.slice(value.length - (CELL_WIDTH - head - 1))}`;
}

/** The report as a plain-text matrix: attribute × environment, values side by side. */
export function renderText(report: ParityReport): string {
  const lines: string[] = [];
  const table = (rows: readonly ParityRow[], withReasons: boolean): void => {
    const header = ["attribute", ...report.environments, ...(withReasons ? ["reason"] : [])];
    const body = rows.map((r) => [
      r.kind === "resource" ? `${r.path} (resource)` : r.path,
      ...report.environments.map((e) => cell(r.values[e])),
      ...(withReasons
        ? [
            Object.entries(r.reasons)
              .map(([e, why]) => `${e}: ${why}`)
              .join("; "),
          ]
        : []),
    ]);
    const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
    const fmt = (cols: string[]) =>
      cols
        .map((c, i) => c.padEnd(widths[i]))
        .join("  ")
        .trimEnd();
    lines.push(fmt(header), widths.map((w) => "-".repeat(w)).join("  "), ...body.map(fmt));
  };
  lines.push(`Environment parity: ${report.environments.join(", ")}`);
  if (report.drift.length > 0) {
    lines.push("", `Configuration drift: ${report.drift.length} undeclared difference(s)`);
    table(report.drift, false);
    lines.push(
      "",
      "Make the environments agree, or declare the difference with a reason in the environment's",
      'configuration: differences: { "<attribute>": "<why>" }.',
    );
  } else {
    lines.push("", "No undeclared differences.");
  }
  if (report.stale.length > 0) {
    lines.push("", `Stale declarations: ${report.stale.length} declared difference(s) no longer exist; remove them:`);
    for (const s of report.stale) lines.push(`  ${s.environment}: ${s.path} ("${s.reason}")`);
  }
  if (report.declared.length > 0) {
    lines.push("", `Declared differences: ${report.declared.length}`);
    table(report.declared, true);
  }
  return lines.join("\n") + "\n";
}

/** The report as Markdown tables, for a CI job summary. */
export function renderMarkdown(report: ParityReport): string {
  const esc = (text: string) => text.replace(/\|/g, "\\|");
  const code = (text: string | undefined) => (text === undefined ? "_(absent)_" : `\`${esc(cell(text))}\``);
  const table = (rows: readonly ParityRow[], withReasons: boolean): string[] => [
    `| attribute | ${report.environments.join(" | ")}${withReasons ? " | reason |" : " |"}`,
    `| --- |${report.environments.map(() => " --- |").join("")}${withReasons ? " --- |" : ""}`,
    ...rows.map(
      (r) =>
        `| \`${esc(r.path)}\`${r.kind === "resource" ? " (resource)" : ""} | ${report.environments
          .map((e) => code(r.values[e]))
          .join(" | ")} |${
          withReasons
            ? ` ${esc(
                Object.entries(r.reasons)
                  .map(([e, why]) => `${e}: ${why}`)
                  .join("; "),
              )} |`
            : ""
        }`,
    ),
  ];
  const out = [`## Environment parity: ${report.environments.join(", ")}`, ""];
  if (report.drift.length > 0) {
    out.push(
      `### :x: Configuration drift: ${report.drift.length} undeclared difference(s)`,
      "",
      ...table(report.drift, false),
      "",
    );
  } else {
    out.push("No undeclared differences.", "");
  }
  if (report.stale.length > 0) {
    out.push("### :x: Stale declarations (remove them)", "");
    for (const s of report.stale) out.push(`- ${s.environment}: \`${esc(s.path)}\` (${esc(s.reason)})`);
    out.push("");
  }
  if (report.declared.length > 0) {
    out.push(`### Declared differences: ${report.declared.length}`, "", ...table(report.declared, true), "");
  }
  return out.join("\n");
}
