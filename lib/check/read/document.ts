import { Acknowledgement, Configuration, InputError, ModuleCall, SourceLocation } from "../input";
import type { ResourceView, StackView } from "../../policies/view";

/*
 * One file's configuration, HCL or Terraform JSON, in the shape the rules read (view.ts), and
 * how the files of a folder make one configuration.
 *
 * The shape, as Terraform JSON writes it:
 * - Attributes keep their names (snake_case) and JSON values. One that is not set is absent:
 *   `x = null` is dropped, as Terraform reads it as not set.
 * - A nested block written once is an object, as cdktf writes a block of at most one
 *   (`template: { containers: { image } }`); written more than once, a list of objects. So is a
 *   list of one object anywhere (hcl2json gives every block as a list; a plan's values too, and a
 *   `.tf.json` may): Terraform reads both forms alike, and the rules read both through
 *   `get()` and `list()`, but a rule reading a block last (`get(env, "value_source",
 *   "secret_key_ref").version`) reads it as an object.
 * - Anything known only at plan or apply is a string with `${`: references, function calls,
 *   `count.index`, `each.value`, locals, variables, template strings and heredocs that interpolate.
 *   Nothing is evaluated.
 * - A `dynamic "X"` block makes X unknown: the attribute X becomes `${dynamic X}` (dynamicBlock);
 *   beside static X blocks, one more entry of their list. A rule that reads it cannot pass on what
 *   it cannot see, and its findings on the static blocks stand (evaluate.ts).
 * - The meta-arguments that name things, as Terraform JSON writes them: `provider = google-beta`
 *   is `"google-beta"` (`"google.beta"` with an alias), `depends_on` and `lifecycle`'s
 *   `ignore_changes` and `replace_triggered_by` are plain strings. `count` and `for_each` stay as
 *   written: one ResourceView per block, at its unexpanded address `TYPE.NAME`.
 */

/** The value of an attribute set by a `dynamic "name"` block: its blocks are known only at plan. */
export function dynamicBlock(name: string): string {
  return `\${dynamic ${name}}`;
}

/** A resource or data source block of a file. */
export interface Block {
  readonly type: string;
  readonly name: string;
  readonly address: string;
  attrs: Record<string, unknown>;
  readonly location: SourceLocation;
}

/** A provider block of a file. */
export interface ProviderBlock {
  readonly name: string;
  attrs: Record<string, unknown>;
  readonly location: SourceLocation;
}

/** The blocks of one file that the view, the locations and the module list are made of. */
export interface FileDocument {
  readonly file: string;
  /** An override file (`override.tf`, `*_override.tf`, and their `.tf.json`): merged into the others. */
  readonly override: boolean;
  readonly resources: Block[];
  readonly dataSources: Block[];
  readonly providers: ProviderBlock[];
  readonly modules: ModuleCall[];
  readonly backends: { type: string; config: Record<string, unknown>; location: SourceLocation }[];
  readonly acknowledgements: Acknowledgement[];
}

/** Where each labelled block starts, by `KIND LABEL…` (`resource google_x api`), in the order written. */
export type BlockLocations = ReadonlyMap<string, readonly SourceLocation[]>;

export function locationKey(kind: string, labels: readonly string[]): string {
  return [kind, ...labels].join(" ");
}

/** Override files, as Terraform names them. */
export function isOverrideFile(file: string): boolean {
  return /(^|[/\\])(override|[^/\\]*_override)\.tf(\.json)?$/.test(file);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** The bodies of a block written once or more: an object, or a list of objects. */
export function bodies(value: unknown): Record<string, unknown>[] {
  return (Array.isArray(value) ? value : [value]).filter(isObject);
}

/** The labels under a block type and the bodies of each: `{ LABEL: body | [body…] }`, or a list of such maps. */
export function labelled(value: unknown): [string, unknown][] {
  return bodies(value).flatMap((m) => Object.entries(m));
}

/** `"${google-beta.x}"` → `"google-beta.x"`: a reference that Terraform JSON writes as a plain string. */
function bareReference(value: unknown): unknown {
  if (typeof value !== "string") return value;
  const m = /^\$\{\s*([A-Za-z_][\w-]*(?:\.[\w-]+|\[[^\]]*\])*)\s*\}$/.exec(value);
  return m ? m[1] : value;
}

/** `dynamic "X" { for_each = …; content { … } }` blocks, by name: `{ X: [spec] }` or `{ X: spec }`. */
function isDynamic(value: unknown): boolean {
  const specs = labelled(value);
  return (
    specs.length > 0 &&
    specs.every(([, spec]) => bodies(spec).length > 0 && bodies(spec).every((s) => "content" in s || "for_each" in s))
  );
}

/** A plan's value in the rules' shape: a list of one object is the object, at every depth. */
export function singleBlocks(value: unknown): unknown {
  if (Array.isArray(value)) {
    const items = value.map(singleBlocks);
    return items.length === 1 && isObject(items[0]) ? items[0] : items;
  }
  return isObject(value) ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, singleBlocks(v)])) : value;
}

/**
 * A configuration's value in the rules' shape: a list of one object is the object; dynamic blocks are unknown;
 * `//` keys (Terraform JSON's comments, cdktf's metadata) and null arguments (Terraform reads
 * `x = null` as not set) are dropped.
 */
export function normalizeValue(value: unknown): unknown {
  if (Array.isArray(value)) {
    const items = value.map(normalizeValue);
    return items.length === 1 && isObject(items[0]) ? items[0] : items;
  }
  if (!isObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (v === null || key === "//" || (key === "dynamic" && isDynamic(v))) continue;
    out[key] = normalizeValue(v);
  }
  // Last: beside static blocks of the same type, the dynamic ones are one more entry the rules
  // cannot read (a finding on a static block stands; a pass does not); alone, they are the block.
  if (isDynamic(value.dynamic)) {
    for (const [name] of labelled(value.dynamic)) {
      const present = out[name];
      out[name] =
        present === undefined
          ? dynamicBlock(name)
          : [...(Array.isArray(present) ? present : [present]), dynamicBlock(name)];
    }
  }
  return out;
}

/** A resource or data source body in the rules' shape, with its meta-arguments as Terraform JSON writes them. */
export function normalizeBody(body: Record<string, unknown>): Record<string, unknown> {
  const attrs = normalizeValue(body) as Record<string, unknown>;
  if ("provider" in attrs) attrs.provider = bareReference(attrs.provider);
  if (Array.isArray(attrs.depends_on)) attrs.depends_on = attrs.depends_on.map(bareReference);
  if (isObject(attrs.lifecycle)) {
    const lifecycle = { ...attrs.lifecycle };
    for (const key of ["ignore_changes", "replace_triggered_by"]) {
      const v = lifecycle[key];
      if (v !== undefined) lifecycle[key] = Array.isArray(v) ? v.map(bareReference) : bareReference(v);
    }
    attrs.lifecycle = lifecycle;
  }
  return attrs;
}

/** A flat settings block (a backend's): one object, from a list of one. */
function settings(value: unknown): Record<string, unknown> {
  return Object.assign({}, ...bodies(value).map((b) => normalizeValue(b) as Record<string, unknown>));
}

/**
 * The blocks of one file from its top-level object, in hcl2json's shape (`resource.TYPE.NAME` a
 * list of bodies) or Terraform JSON's (an object or a list at each level). `moved`, `import`,
 * `removed`, `check`, `locals`, `variable` and `output` blocks are not read.
 */
export function documentOf(
  file: string,
  top: Record<string, unknown>,
  locations: BlockLocations,
  acknowledgements: Acknowledgement[] = [],
): FileDocument {
  // The n-th block of a kind and labels is at the n-th place the scan or the JSON tree found.
  const seen = new Map<string, number>();
  const where = (kind: string, labels: string[]): SourceLocation => {
    const key = locationKey(kind, labels);
    const n = seen.get(key) ?? 0;
    seen.set(key, n + 1);
    return locations.get(key)?.[n] ?? { file };
  };
  const blocks = (kind: "resource" | "data"): Block[] =>
    labelled(top[kind]).flatMap(([type, byName]) =>
      labelled(byName).flatMap(([name, body]) =>
        bodies(body).map((b) => ({
          type,
          name,
          address: kind === "data" ? `data.${type}.${name}` : `${type}.${name}`,
          attrs: normalizeBody(b),
          location: where(kind, [type, name]),
        })),
      ),
    );
  const providers = labelled(top.provider).flatMap(([name, body]) =>
    bodies(body).map((b) => ({
      name,
      attrs: normalizeValue(b) as Record<string, unknown>,
      location: where("provider", [name]),
    })),
  );
  const modules = labelled(top.module).flatMap(([name, body]) =>
    bodies(body).map((b) => ({
      name,
      source: typeof b.source === "string" ? b.source : String(b.source ?? ""),
      location: where("module", [name]),
    })),
  );
  const backends = bodies(top.terraform).flatMap((t) => [
    ...labelled(t.backend).map(([type, config]) => ({ type, config: settings(config), location: { file } })),
    // HCP Terraform's `cloud` block keeps the state too, as a backend of its own kind.
    ...bodies(t.cloud).map((config) => ({ type: "cloud", config: settings(config), location: { file } })),
  ]);
  // hcl2json orders blocks by name; the file's order is the order of their lines.
  const byLine = <T extends { location: SourceLocation }>(items: T[]) =>
    items.sort((a, b) => (a.location.line ?? 0) - (b.location.line ?? 0));
  return {
    file,
    override: isOverrideFile(file),
    resources: byLine(blocks("resource")),
    dataSources: byLine(blocks("data")),
    providers: byLine(providers),
    modules: byLine(modules),
    backends,
    acknowledgements,
  };
}

const at = (l: SourceLocation) => `${l.file}${l.line === undefined ? "" : `:${l.line}`}`;

/**
 * One configuration from the documents of its files, in Terraform's order: the files as given,
 * then the override files, whose blocks are merged into the blocks they name (each argument, and
 * each type of nested block, replaces the original's). A block defined twice is a problem, as it
 * is for Terraform; the first is kept.
 */
export function configurationOf(
  kind: Configuration["kind"],
  label: string,
  documents: readonly FileDocument[],
  root: boolean,
): { configuration: Configuration; problems: InputError[] } {
  const problems: InputError[] = [];
  const resources = new Map<string, Block>();
  const dataSources = new Map<string, Block>();
  const providers: ProviderBlock[] = [];
  const modules: ModuleCall[] = [];
  let backend: FileDocument["backends"][number] | undefined;
  const ordered = [...documents.filter((d) => !d.override), ...documents.filter((d) => d.override)];

  const add = (into: Map<string, Block>, block: Block, override: boolean) => {
    const existing = into.get(block.address);
    if (override) {
      if (existing === undefined)
        problems.push(
          new InputError(
            block.location.file,
            `${block.address} overrides nothing: no other file defines it`,
            block.location.line,
          ),
        );
      else existing.attrs = { ...existing.attrs, ...block.attrs };
    } else if (existing !== undefined)
      problems.push(
        new InputError(
          block.location.file,
          `${block.address} is defined twice (also at ${at(existing.location)})`,
          block.location.line,
          block.location.column,
        ),
      );
    else into.set(block.address, { ...block, attrs: { ...block.attrs } });
  };

  for (const d of ordered) {
    for (const r of d.resources) add(resources, r, d.override);
    for (const r of d.dataSources) add(dataSources, r, d.override);
    for (const p of d.providers) {
      const same = providers.find((q) => q.name === p.name && q.attrs.alias === p.attrs.alias);
      if (d.override && same !== undefined) same.attrs = { ...same.attrs, ...p.attrs };
      else providers.push({ ...p, attrs: { ...p.attrs } });
    }
    for (const m of d.modules) {
      const same = modules.findIndex((n) => n.name === m.name);
      if (d.override && same >= 0) modules[same] = { ...modules[same], source: m.source || modules[same].source };
      else if (same >= 0)
        problems.push(
          new InputError(
            m.location.file,
            `module.${m.name} is defined twice (also at ${at(modules[same].location)})`,
            m.location.line,
          ),
        );
      else modules.push(m);
    }
    for (const b of d.backends) {
      if (backend !== undefined && !d.override)
        problems.push(
          new InputError(
            b.location.file,
            `a second backend (${b.type}) is configured; ${backend.location.file} has one`,
          ),
        );
      else backend = b;
    }
  }

  const views: ResourceView[] = [];
  const view: StackView = {
    resources: views,
    dataSources: Object.fromEntries([...dataSources.values()].map((d) => [d.address, d.attrs])),
    providers: providers.reduce<Record<string, Record<string, unknown>[]>>((all, p) => {
      (all[p.name] ??= []).push(p.attrs);
      return all;
    }, {}),
    backend: backend !== undefined ? { type: backend.type, config: backend.config } : root ? null : undefined,
  };
  for (const r of resources.values())
    views.push({ type: r.type, name: r.name, address: r.address, path: r.address, attrs: r.attrs, stack: view });

  const locations = new Map<string, SourceLocation>();
  for (const b of [...resources.values(), ...dataSources.values()]) locations.set(b.address, b.location);
  return {
    configuration: {
      kind,
      label,
      files: documents.map((d) => d.file),
      view,
      locations,
      modules,
      acknowledgements: documents.flatMap((d) => d.acknowledgements),
      root,
    },
    problems,
  };
}
