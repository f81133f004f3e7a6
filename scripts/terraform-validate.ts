/**
 * An offline `terraform validate`: a synthesized `cdk.tf.json` held against the google provider's
 * schema (`terraform providers schema -json`, cut down to the types this project uses by
 * `npm run provider-schema`, in SCHEMA_FILE), as Terraform holds configuration before it plans.
 * It needs no provider download and no terraform binary, so the tests run it on every stack they
 * synthesize (CONTRIBUTING.md, "Tests", says where).
 *
 * What it checks, each problem as `<address>.<path>: <problem>`:
 * - the top level: only Terraform's block types; `terraform` (its own arguments, one backend, and
 *   no exact google version other than the schema's), `variable`, `output` (a value), `locals`;
 * - resources and data sources: a type the schema has (another provider's type, or one the
 *   schema file lacks, is reported, never skipped); every argument and block known to the type;
 *   no computed-only argument set (null is unset); every required argument present and not null;
 *   each value of its attribute's type, with Terraform's conversions (a number where a string is
 *   wanted, "8080" where a number is, "true" where a bool is; not "eighty"); block counts
 *   (min_items, max_items, at most one `single` block); a block written as an object or an array
 *   of objects, null as none; `dynamic` blocks (their type known, their content checked, their
 *   count unknown);
 * - strings, which Terraform reads as templates: a literal is checked as above; a string that is
 *   one interpolation (`"${var.ports}"`, cdktf's every token) is unknown, of any type, and passes;
 *   any other template is a string, unknown, so it passes where a string, number or bool is
 *   wanted and fails where a list, map or object is;
 * - meta-arguments: `count` and `for_each` (not both, of usable shapes), `depends_on` naming
 *   declared resources, `provider` naming a declared configuration, `lifecycle` with its own
 *   arguments, literal flags, and `ignore_changes` naming arguments of the type;
 * - provider blocks: `alias`, duplicates, references; their arguments only when the schema has
 *   the provider block's own (`terraform providers schema -json` has it, lonegunmanb's Go
 *   constants, the committed file's source, do not);
 * - references in templates: to declared resources, data sources, variables, locals and modules;
 *   to an attribute or block the type has; with an instance key exactly when the resource has
 *   `count` or `for_each`.
 *
 * What it leaves out. The type of an expression's value: Terraform knows some (a variable's
 * declared type, a function's result) and would refuse a string variable where a list is wanted;
 * here every expression is unknown. The provider's own validation, which runs in the provider
 * binary during `terraform validate`: value formats and enums, ConflictsWith, ExactlyOneOf (none
 * is in the schema). The backend's arguments, which `terraform init` checks. `connection`,
 * `provisioner`, `moved`, `import`, `check`, `removed` and `ephemeral` blocks; module inputs;
 * built-in `terraform_*` types; deprecations (warnings in Terraform); references past the first
 * attribute, in `replace_triggered_by`, or in a string quoted within an expression; functions.
 */
import * as fs from "fs";
import * as path from "path";
import { closest, distance } from "fastest-levenshtein";

/** A Terraform type as the schema JSON writes it (cty's JSON form). */
export type TypeJson =
  | "string"
  | "number"
  | "bool"
  | "dynamic"
  | readonly ["list" | "set" | "map", TypeJson]
  | readonly ["object", Readonly<Record<string, TypeJson>>, (readonly string[])?]
  | readonly ["tuple", readonly TypeJson[]];

/** An argument or attribute of a block. */
export interface AttributeSchema {
  readonly type?: TypeJson;
  /** An attribute with attributes of its own (plugin-framework providers). */
  readonly nested_type?: NestedTypeSchema;
  readonly required?: boolean;
  readonly optional?: boolean;
  readonly computed?: boolean;
  readonly deprecated?: boolean;
}

export interface NestedTypeSchema {
  readonly attributes: Readonly<Record<string, AttributeSchema>>;
  readonly nesting_mode: "single" | "list" | "set" | "map";
  readonly min_items?: number;
  readonly max_items?: number;
}

export interface BlockSchema {
  readonly attributes?: Readonly<Record<string, AttributeSchema>>;
  readonly block_types?: Readonly<Record<string, BlockTypeSchema>>;
  readonly deprecated?: boolean;
}

export interface BlockTypeSchema {
  readonly nesting_mode: "single" | "group" | "list" | "set" | "map";
  readonly block: BlockSchema;
  readonly min_items?: number;
  readonly max_items?: number;
}

/** The schema file: one provider's schema, cut down to the types a project uses. */
export interface ProviderSchema {
  /** The provider's local name in configuration, and its registry address. */
  readonly name: string;
  readonly address: string;
  /** The provider version the schema is of. */
  readonly version: string;
  /** Where it was read from. */
  readonly source: string;
  /** The provider block's own arguments, when the source has them. */
  readonly provider?: BlockSchema;
  readonly resources: Readonly<Record<string, BlockSchema>>;
  readonly data_sources: Readonly<Record<string, BlockSchema>>;
}

/** The schema of the google provider this project pins, as `npm run provider-schema` writes it. */
export const SCHEMA_FILE = path.join(__dirname, "..", "__tests__", "fixtures", "google-provider-schema.json");

const loaded = new Map<string, ProviderSchema>();

/** The schema file, read once per process. */
export function loadSchema(file: string = SCHEMA_FILE): ProviderSchema {
  const known = loaded.get(file);
  if (known !== undefined) return known;
  const schema = JSON.parse(fs.readFileSync(file, "utf8")) as ProviderSchema;
  loaded.set(file, schema);
  return schema;
}

type Json = unknown;
type Obj = Record<string, Json>;

const isObject = (v: Json): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * What a JSON string is to Terraform, which reads every string of JSON syntax as a template:
 * - `literal`: no interpolation or directive (`"$${x}"` and `"%%{x}"` are escapes);
 * - `expression`: one interpolation and nothing else (`"${var.ports}"`), whose value is the
 *   expression's own, of whatever type: a reference is unknown here, so it passes any type check;
 * - `template`: anything else with an interpolation or a directive (`"v-${var.n}"`, `"%{ if … }"`),
 *   whose value is a string, unknown here.
 */
export function stringKind(s: string): "literal" | "expression" | "template" {
  const spans = templateSpans(s);
  if (spans.length === 0) return "literal";
  const [only] = spans;
  return spans.length === 1 && only.start === 0 && only.end === s.length && s.startsWith("${")
    ? "expression"
    : "template";
}

/** A JSON string Terraform reads as a template with an interpolation or a directive. */
function isExpression(v: Json): boolean {
  return typeof v === "string" && stringKind(v) !== "literal";
}

/** The top-level block types of Terraform's JSON syntax; "//" is a comment. */
const TOP_LEVEL = new Set([
  "//",
  "terraform",
  "provider",
  "variable",
  "locals",
  "output",
  "resource",
  "data",
  "ephemeral",
  "module",
  "moved",
  "import",
  "check",
  "removed",
]);
const TERRAFORM_BLOCK = new Set([
  "//",
  "required_version",
  "required_providers",
  "backend",
  "cloud",
  "experiments",
  "provider_meta",
]);
const OUTPUT = new Set(["//", "value", "description", "sensitive", "ephemeral", "depends_on", "precondition"]);
const VARIABLE = new Set(["//", "type", "default", "description", "sensitive", "nullable", "ephemeral", "validation"]);
const RESOURCE_META = new Set([
  "count",
  "for_each",
  "depends_on",
  "provider",
  "lifecycle",
  "connection",
  "provisioner",
]);
const DATA_META = new Set(["count", "for_each", "depends_on", "provider", "lifecycle"]);
const LIFECYCLE = new Set([
  "//",
  "create_before_destroy",
  "prevent_destroy",
  "ignore_changes",
  "replace_triggered_by",
  "precondition",
  "postcondition",
]);
const DATA_LIFECYCLE = new Set(["//", "precondition", "postcondition"]);
const PROVIDER_META = new Set(["alias", "version"]);

/** A string cty converts to a number: a decimal, with an optional sign, fraction and exponent. */
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** How a value looks, in a problem's text. */
function describe(v: Json): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "a list";
  if (typeof v === "object") return "an object";
  if (typeof v === "string") return `a string (${JSON.stringify(v.length > 60 ? `${v.slice(0, 57)}...` : v)})`;
  return `a ${typeof v === "boolean" ? "bool" : typeof v} (${JSON.stringify(v)})`;
}

/** A type as Terraform names it: `list of string`, `map of number`, `object`. */
function typeName(t: TypeJson): string {
  if (typeof t === "string") return t;
  if (t[0] === "object" || t[0] === "tuple") return t[0];
  return `${t[0]} of ${typeName(t[1])}`;
}

const an = (t: TypeJson) => `${/^[aeiou]/.test(typeName(t)) ? "an" : "a"} ${typeName(t)}`;

/**
 * Every problem of a synthesized configuration (`cdk.tf.json`, parsed) against `schema`, as
 * `<address>.<path>: <problem>`; none for a valid one.
 */
export function validateTerraform(config: Json, schema: ProviderSchema = loadSchema()): string[] {
  return new Validator(config, schema).run();
}

/** One declared resource or data source, as references see it. */
interface Declared {
  readonly block?: BlockSchema;
  readonly repeated: boolean;
}

/** The instances a JSON value holds for a block type: an object is one, an array one each. */
function instances(v: Json): { body: Json; at: string }[] {
  if (v === null || v === undefined) return [];
  if (Array.isArray(v)) return v.map((body, i) => ({ body, at: `[${i}]` }));
  return [{ body: v, at: "" }];
}

class Validator {
  private readonly problems: string[] = [];
  private readonly declared = new Map<string, Declared>();
  private readonly variables = new Set<string>();
  private readonly locals = new Set<string>();
  private readonly modules = new Set<string>();
  private readonly providers = new Set<string>();

  constructor(
    private readonly config: Json,
    private readonly schema: ProviderSchema,
  ) {}

  private report(at: string, problem: string): void {
    this.problems.push(`${at}: ${problem}`);
  }

  run(): string[] {
    if (!isObject(this.config)) {
      this.report("(root)", `a JSON object is required, got ${describe(this.config)}`);
      return this.problems;
    }
    const c = this.config;
    this.declare(c);
    for (const key of Object.keys(c)) {
      if (!TOP_LEVEL.has(key)) this.report(key, "not a block type of Terraform's JSON syntax");
    }
    this.checkTerraformBlock(c.terraform);
    this.checkProviders(c.provider);
    for (const [name, body] of this.labelled(c.variable, "variable")) this.checkKeys(body, VARIABLE, `var.${name}`);
    for (const [name, body] of this.labelled(c.output, "output")) {
      const at = `output.${name}`;
      if (!this.checkKeys(body, OUTPUT, at)) continue;
      if (!("value" in body)) this.report(`${at}.value`, "required argument missing");
      if (body.sensitive !== undefined) this.checkValue(body.sensitive, "bool", `${at}.sensitive`);
      this.checkDependsOn(body.depends_on, `${at}.depends_on`);
      this.checkReferences(body.value, `${at}.value`);
    }
    for (const body of this.localsBodies(c.locals)) {
      for (const [name, value] of Object.entries(body)) if (name !== "//") this.checkReferences(value, `local.${name}`);
    }
    for (const [name, body] of this.labelled(c.module, "module")) {
      for (const [key, value] of Object.entries(body)) this.checkReferences(value, `module.${name}.${key}`);
    }
    for (const [type, name, body] of this.entities(c.resource, "resource"))
      this.checkEntity("resource", type, name, body);
    for (const [type, name, body] of this.entities(c.data, "data")) this.checkEntity("data", type, name, body);
    return this.problems;
  }

  /** What references may name: resources, data sources, variables, locals, modules, provider aliases. */
  private declare(c: Obj): void {
    for (const kind of ["resource", "data"] as const) {
      for (const [type, name, body] of this.entities(c[kind], kind, false)) {
        const block = (kind === "resource" ? this.schema.resources : this.schema.data_sources)[type];
        const repeated = isObject(body) && (body.count !== undefined || body.for_each !== undefined);
        this.declared.set(`${kind === "data" ? "data." : ""}${type}.${name}`, { block, repeated });
      }
    }
    for (const [name] of this.labelled(c.variable, "variable", false)) this.variables.add(name);
    for (const body of this.localsBodies(c.locals)) for (const n of Object.keys(body)) this.locals.add(n);
    for (const [name] of this.labelled(c.module, "module", false)) this.modules.add(name);
    for (const [name, body] of this.providerConfigs(c.provider)) {
      this.providers.add(isObject(body) && typeof body.alias === "string" ? `${name}.${body.alias}` : name);
    }
  }

  /** The bodies of a block type with one label, `{NAME: body}` (either level may be an array). */
  private labelled(v: Json, at: string, report = true): [string, Obj][] {
    const out: [string, Obj][] = [];
    for (const { body: level, at: i } of instances(v)) {
      if (!isObject(level)) {
        if (report) this.report(`${at}${i}`, `a JSON object is required, got ${describe(level)}`);
        continue;
      }
      for (const [name, value] of Object.entries(level)) {
        if (name === "//") continue;
        for (const { body, at: j } of instances(value)) {
          if (isObject(body)) out.push([name, body]);
          else if (report) this.report(`${at}.${name}${j}`, `a JSON object is required, got ${describe(body)}`);
        }
      }
    }
    return out;
  }

  /** The bodies of `locals` (one object, or an array of them). */
  private localsBodies(v: Json): Obj[] {
    return instances(v)
      .map(({ body }) => body)
      .filter(isObject);
  }

  /** Every provider configuration as [name, body, where]: `{NAME: body}` or `{NAME: [body, ...]}`. */
  private providerConfigs(v: Json): [string, Json, string][] {
    const out: [string, Json, string][] = [];
    for (const { body: level } of instances(v)) {
      if (!isObject(level)) continue;
      for (const [name, value] of Object.entries(level)) {
        if (name === "//") continue;
        for (const { body, at } of instances(value)) out.push([name, body, `provider.${name}${at}`]);
      }
    }
    return out;
  }

  /** Every resource or data source as [type, name, body], from `{TYPE: {NAME: body}}` (or arrays of such). */
  private entities(v: Json, at: string, report = true): [string, string, Json][] {
    const out: [string, string, Json][] = [];
    for (const { body: byType } of instances(v)) {
      if (!isObject(byType)) {
        if (report) this.report(at, `a JSON object is required, got ${describe(byType)}`);
        continue;
      }
      for (const [type, byName] of Object.entries(byType)) {
        if (type === "//") continue;
        for (const { body: names } of instances(byName)) {
          if (!isObject(names)) {
            if (report) this.report(`${at}.${type}`, `a JSON object is required, got ${describe(names)}`);
            continue;
          }
          for (const [name, body] of Object.entries(names)) if (name !== "//") out.push([type, name, body]);
        }
      }
    }
    return out;
  }

  /** Reports the keys of `body` that `allowed` lacks; false when it is not an object at all. */
  private checkKeys(body: Json, allowed: ReadonlySet<string>, at: string): body is Obj {
    if (!isObject(body)) {
      this.report(at, `a JSON object is required, got ${describe(body)}`);
      return false;
    }
    for (const key of Object.keys(body))
      if (!allowed.has(key)) this.report(`${at}.${key}`, this.unsupported(key, allowed));
    return true;
  }

  /** What an unknown key is told: none of that name here, and the nearest name if one is near. */
  private unsupported(key: string, names: Iterable<string>, what = "argument or block"): string {
    const candidates = [...names].filter((n) => n !== "//");
    const near = candidates.length === 0 ? undefined : closest(key, candidates);
    const hint =
      near !== undefined && distance(key, near) <= Math.max(2, key.length / 3) ? ` (did you mean "${near}"?)` : "";
    return `unsupported ${what}: none of that name here${hint}`;
  }

  private checkTerraformBlock(v: Json): void {
    for (const { body, at } of instances(v)) {
      const here = `terraform${at}`;
      if (!this.checkKeys(body, TERRAFORM_BLOCK, here)) continue;
      if (body.backend !== undefined) {
        if (!isObject(body.backend) || Object.keys(body.backend).length !== 1)
          this.report(`${here}.backend`, "exactly one backend type is required");
      }
      for (const { body: providers } of instances(body.required_providers)) {
        if (!isObject(providers)) continue;
        const ours = providers[this.schema.name];
        if (!isObject(ours) || typeof ours.version !== "string") continue;
        const exact = /^=?\s*(\d+\.\d+\.\d+)$/.exec(ours.version.trim());
        if (exact && exact[1] !== this.schema.version) {
          this.report(
            `${here}.required_providers.${this.schema.name}.version`,
            `requires ${exact[1]}, but the schema is of ${this.schema.version} (npm run provider-schema regenerates it)`,
          );
        }
      }
    }
  }

  private checkProviders(v: Json): void {
    if (v !== undefined && !instances(v).every(({ body }) => isObject(body)))
      this.report("provider", `a JSON object is required, got ${describe(v)}`);
    const seen = new Set<string>();
    for (const [name, body, here] of this.providerConfigs(v)) {
      if (!isObject(body)) {
        this.report(here, `a JSON object is required, got ${describe(body)}`);
        continue;
      }
      if (body.alias !== undefined && (typeof body.alias !== "string" || !/^[A-Za-z_][\w-]*$/.test(body.alias)))
        this.report(`${here}.alias`, `a name is required, got ${describe(body.alias)}`);
      const key = typeof body.alias === "string" ? `${name}.${body.alias}` : name;
      if (seen.has(key)) this.report(here, `duplicate provider configuration ${key}`);
      seen.add(key);
      for (const [arg, value] of Object.entries(body)) this.checkReferences(value, `${here}.${arg}`);
      if (name === this.schema.name && this.schema.provider !== undefined) {
        this.checkBody(body, this.schema.provider, here, PROVIDER_META);
      }
    }
  }

  private checkEntity(kind: "resource" | "data", type: string, name: string, body: Json): void {
    const address = `${kind === "data" ? "data." : ""}${type}.${name}`;
    if (!isObject(body)) {
      this.report(address, `a JSON object is required, got ${describe(body)}`);
      return;
    }
    for (const [key, value] of Object.entries(body)) {
      if (!["//", "depends_on", "lifecycle", "provider"].includes(key))
        this.checkReferences(value, `${address}.${key}`);
    }
    this.checkMeta(kind, type, body, address);
    const local =
      typeof body.provider === "string"
        ? body.provider.replace(/^\$\{(.*)\}$/, "$1").split(".")[0]
        : type.split("_")[0];
    if (type.startsWith("terraform_")) return; // built in: terraform_data, terraform_remote_state
    if (local !== this.schema.name) {
      this.report(address, `not checked: the schema is the ${this.schema.name} provider's, this is ${local}'s`);
      return;
    }
    const block = (kind === "resource" ? this.schema.resources : this.schema.data_sources)[type];
    if (block === undefined) {
      this.report(
        address,
        `no schema for ${kind === "data" ? "data source" : "resource"} type ${type}: the schema file holds only ` +
          `the types this project uses (npm run provider-schema regenerates it)`,
      );
      return;
    }
    this.checkBody(body, block, address, kind === "resource" ? RESOURCE_META : DATA_META);
  }

  private checkMeta(kind: "resource" | "data", type: string, body: Obj, address: string): void {
    const { count, for_each: forEach } = body;
    if (count !== undefined && forEach !== undefined)
      this.report(`${address}.count`, "count and for_each may not both be set");
    if (
      count !== undefined &&
      !isExpression(count) &&
      !(typeof count === "number" && Number.isInteger(count) && count >= 0)
    )
      this.report(`${address}.count`, `a whole number is required, got ${describe(count)}`);
    if (
      forEach !== undefined &&
      !isObject(forEach) &&
      !(typeof forEach === "string" && stringKind(forEach) === "expression")
    )
      this.report(
        `${address}.for_each`,
        `a map or a set of strings (an expression) is required, got ${describe(forEach)}`,
      );
    this.checkDependsOn(body.depends_on, `${address}.depends_on`);
    if (body.provider !== undefined) {
      const ref = typeof body.provider === "string" ? body.provider.replace(/^\$\{(.*)\}$/, "$1") : undefined;
      if (ref === undefined || !/^[a-z][\w-]*(\.[A-Za-z_][\w-]*)?$/.test(ref))
        this.report(`${address}.provider`, `a provider reference is required, got ${describe(body.provider)}`);
      else if (ref.includes(".") && !this.providers.has(ref))
        this.report(`${address}.provider`, `no provider configuration ${ref} is declared`);
    }
    for (const { body: lifecycle, at } of instances(body.lifecycle)) {
      const here = `${address}.lifecycle${at}`;
      if (!this.checkKeys(lifecycle, kind === "resource" ? LIFECYCLE : DATA_LIFECYCLE, here)) continue;
      for (const flag of ["create_before_destroy", "prevent_destroy"]) {
        // Read without variables: a literal bool, or a string that converts to one.
        const v = lifecycle[flag];
        if (v !== undefined && typeof v !== "boolean" && !["true", "false", "1", "0"].includes(v as string))
          this.report(`${here}.${flag}`, `a literal bool is required, got ${describe(v)}`);
      }
      const ignore = lifecycle.ignore_changes;
      if (ignore === undefined || ignore === "all") continue;
      if (!Array.isArray(ignore)) {
        this.report(
          `${here}.ignore_changes`,
          `a list of attribute paths or "all" is required, got ${describe(ignore)}`,
        );
        continue;
      }
      const block = (kind === "resource" ? this.schema.resources : this.schema.data_sources)[type];
      ignore.forEach((p, i) => {
        const first = typeof p === "string" ? /^(?:\$\{)?([A-Za-z_][\w-]*)/.exec(p)?.[1] : undefined;
        if (first === undefined)
          this.report(`${here}.ignore_changes[${i}]`, `an attribute path is required, got ${describe(p)}`);
        else if (block !== undefined && !hasName(block, first))
          this.report(`${here}.ignore_changes[${i}]`, `${type} has no argument or block "${first}"`);
      });
    }
  }

  private checkDependsOn(v: Json, at: string): void {
    if (v === undefined) return;
    if (!Array.isArray(v)) {
      this.report(at, `a list of references is required, got ${describe(v)}`);
      return;
    }
    v.forEach((ref, i) => {
      const text = typeof ref === "string" ? ref.replace(/^\$\{(.*)\}$/, "$1") : undefined;
      const m = text === undefined ? null : /^(data\.)?([A-Za-z_][\w-]*)\.([A-Za-z_][\w-]*)(\[[^\]]*\])?$/.exec(text);
      if (m === null) {
        this.report(`${at}[${i}]`, `a reference to a resource or module is required, got ${describe(ref)}`);
        return;
      }
      if (!m[1] && m[2] === "module") {
        if (!this.modules.has(m[3])) this.report(`${at}[${i}]`, `reference to undeclared module ${m[3]}`);
      } else if (!this.declared.has(`${m[1] ?? ""}${m[2]}.${m[3]}`)) {
        this.report(`${at}[${i}]`, `reference to undeclared ${m[1] ? "data source" : "resource"} ${text}`);
      }
    });
  }

  /**
   * A block body against its schema: every key an argument, a block or one of `meta` (checked
   * by the caller), required arguments present, block counts within bounds.
   */
  private checkBody(body: Json, block: BlockSchema, at: string, meta: ReadonlySet<string> = new Set()): void {
    if (!isObject(body)) {
      this.report(at, `a block (a JSON object) is required, got ${describe(body)}`);
      return;
    }
    const attributes = block.attributes ?? {};
    const blockTypes = block.block_types ?? {};
    const dynamic = new Set<string>();
    for (const [key, value] of Object.entries(body)) {
      if (key === "//" || meta.has(key)) continue;
      if (key in attributes) this.checkAttribute(value, attributes[key], `${at}.${key}`);
      else if (key in blockTypes) continue;
      else if (key === "dynamic")
        for (const name of this.checkDynamic(value, blockTypes, `${at}.dynamic`)) dynamic.add(name);
      else this.report(`${at}.${key}`, this.unsupported(key, [...Object.keys(attributes), ...Object.keys(blockTypes)]));
    }
    for (const [name, attribute] of Object.entries(attributes)) {
      if (!attribute.required) continue;
      if (!(name in body)) this.report(`${at}.${name}`, "required argument missing");
      else if (body[name] === null) this.report(`${at}.${name}`, "required argument is null");
    }
    for (const [name, type] of Object.entries(blockTypes)) {
      const value = body[name];
      const found =
        type.nesting_mode === "map"
          ? this.mapBlocks(value, type, `${at}.${name}`)
          : this.listBlocks(value, type, `${at}.${name}`);
      // A dynamic block makes as many as its for_each has: not known here.
      if (found === undefined || dynamic.has(name)) continue;
      const single = type.nesting_mode === "single" || type.nesting_mode === "group";
      const max = single ? 1 : (type.max_items ?? 0);
      const min = type.min_items ?? 0;
      if (found < min)
        this.report(
          `${at}.${name}`,
          `at least ${min} ${name} block${min === 1 ? " is" : "s are"} required, found ${found}`,
        );
      if (max > 0 && found > max)
        this.report(
          `${at}.${name}`,
          `at most ${max} ${name} block${max === 1 ? " is" : "s are"} allowed, found ${found}`,
        );
    }
  }

  /** Checks the blocks of a list, set or single block type; how many there are, or undefined if unknowable. */
  private listBlocks(value: Json, type: BlockTypeSchema, at: string): number | undefined {
    if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") {
      this.report(
        at,
        `a block (a JSON object or an array of objects) is required, got ${describe(value)}` +
          (isExpression(value) ? "; a block made from an expression is a dynamic block" : ""),
      );
      return undefined;
    }
    const all = instances(value);
    for (const { body, at: i } of all) this.checkBody(body, type.block, `${at}${i}`);
    return all.length;
  }

  /** Checks the blocks of a map block type: `{LABEL: body}`; how many there are. */
  private mapBlocks(value: Json, type: BlockTypeSchema, at: string): number | undefined {
    if (value === undefined || value === null) return 0;
    let found = 0;
    for (const { body: level } of instances(value)) {
      if (!isObject(level)) {
        this.report(at, `an object of labelled blocks is required, got ${describe(level)}`);
        return undefined;
      }
      for (const [label, body] of Object.entries(level)) {
        found++;
        this.checkBody(body, type.block, `${at}[${JSON.stringify(label)}]`);
      }
    }
    return found;
  }

  /** `"dynamic": {TYPE: {for_each, iterator, labels, content}}`: checks each; returns the types it makes. */
  private checkDynamic(value: Json, blockTypes: Readonly<Record<string, BlockTypeSchema>>, at: string): string[] {
    const made: string[] = [];
    for (const { body: level, at: i } of instances(value)) {
      if (!isObject(level)) {
        this.report(`${at}${i}`, `a JSON object is required, got ${describe(level)}`);
        continue;
      }
      for (const [name, spec] of Object.entries(level)) {
        const here = `${at}${i}.${name}`;
        if (!(name in blockTypes)) {
          this.report(here, this.unsupported(name, Object.keys(blockTypes), "dynamic block type"));
          continue;
        }
        made.push(name);
        for (const { body: one, at: j } of instances(spec)) {
          if (!this.checkKeys(one, new Set(["//", "for_each", "iterator", "labels", "content"]), `${here}${j}`))
            continue;
          if (one.for_each === undefined) this.report(`${here}${j}.for_each`, "required argument missing");
          if (one.content === undefined) this.report(`${here}${j}.content`, "required block missing");
          else
            for (const { body: content, at: k } of instances(one.content))
              this.checkBody(content, blockTypes[name].block, `${here}${j}.content${k}`);
        }
      }
    }
    return made;
  }

  private checkAttribute(value: Json, attribute: AttributeSchema, at: string): void {
    if (attribute.computed && !attribute.optional && !attribute.required) {
      if (value !== null) this.report(at, "computed-only: the provider sets it, so it cannot be configured");
      return;
    }
    if (attribute.nested_type !== undefined) this.checkNested(value, attribute.nested_type, at);
    else if (attribute.type !== undefined) this.checkValue(value, attribute.type, at);
  }

  /** An attribute with nested attributes: an object, or a list, set or map of them. */
  private checkNested(value: Json, nested: NestedTypeSchema, at: string): void {
    if (value === null || (typeof value === "string" && stringKind(value) === "expression")) return;
    const one = { attributes: nested.attributes };
    if (nested.nesting_mode === "single") return this.checkBody(value, one, at);
    const items: [Json, string][] =
      nested.nesting_mode === "map"
        ? isObject(value)
          ? Object.entries(value).map(([k, v]) => [v, `${at}[${JSON.stringify(k)}]`])
          : []
        : Array.isArray(value)
          ? value.map((v, i) => [v, `${at}[${i}]`])
          : [];
    if (nested.nesting_mode === "map" ? !isObject(value) : !Array.isArray(value)) {
      this.report(
        at,
        `${nested.nesting_mode === "map" ? "an object" : "a list"} of objects is required, got ${describe(value)}`,
      );
      return;
    }
    for (const [v, here] of items) this.checkNested(v, { ...nested, nesting_mode: "single" }, here);
    if (nested.min_items && items.length < nested.min_items)
      this.report(at, `at least ${nested.min_items} element(s) required, found ${items.length}`);
    if (nested.max_items && items.length > nested.max_items)
      this.report(at, `at most ${nested.max_items} element(s) allowed, found ${items.length}`);
  }

  /**
   * A value against a type, with the conversions Terraform makes (cty's): a number or a bool
   * where a string is wanted; a string of a decimal number where a number is, and "true",
   * "false", "1" or "0" where a bool is. Null is any type's. An expression is unknown here and
   * passes; a template is a string, unknown here, so it passes where a string, a number or a bool
   * is wanted, and fails where a collection or an object is.
   */
  private checkValue(v: Json, t: TypeJson, at: string): void {
    if (v === null || t === "dynamic") return;
    const kind = typeof v === "string" ? stringKind(v) : undefined;
    if (kind === "expression") return;
    const wrong = () => this.report(at, `${an(t)} is required, got ${describe(v)}`);
    switch (t) {
      case "string":
        if (typeof v !== "string" && typeof v !== "number" && typeof v !== "boolean") wrong();
        return;
      case "number":
        if (typeof v === "number" || kind === "template") return;
        if (typeof v !== "string" || !DECIMAL.test(v)) wrong();
        return;
      case "bool":
        if (typeof v === "boolean" || kind === "template") return;
        if (typeof v !== "string" || !["true", "false", "1", "0"].includes(v)) wrong();
        return;
    }
    switch (t[0]) {
      case "list":
      case "set":
        if (!Array.isArray(v)) return wrong();
        v.forEach((e, i) => this.checkValue(e, t[1], `${at}[${i}]`));
        return;
      case "tuple":
        if (!Array.isArray(v) || v.length !== t[1].length) return wrong();
        v.forEach((e, i) => this.checkValue(e, t[1][i], `${at}[${i}]`));
        return;
      case "map":
        if (!isObject(v)) return wrong();
        for (const [k, e] of Object.entries(v)) this.checkValue(e, t[1], `${at}[${JSON.stringify(k)}]`);
        return;
      case "object": {
        if (!isObject(v)) return wrong();
        const optional = new Set(t[2] ?? []);
        for (const [name, type] of Object.entries(t[1])) {
          if (name in v) this.checkValue(v[name], type, `${at}.${name}`);
          else if (!optional.has(name)) this.report(`${at}.${name}`, "required attribute missing");
        }
      }
    }
  }

  /** References in the `${...}` of every string in `v`: to what is declared, and what it has. */
  private checkReferences(v: Json, at: string): void {
    if (Array.isArray(v)) return v.forEach((e, i) => this.checkReferences(e, `${at}[${i}]`));
    if (isObject(v)) {
      for (const [k, e] of Object.entries(v)) if (k !== "//") this.checkReferences(e, `${at}.${k}`);
      return;
    }
    if (typeof v !== "string") return;
    for (const { text: expression } of templateSpans(v)) {
      for (const m of expression.matchAll(REFERENCE)) {
        const [, data, first, second, key, attribute] = m;
        if (data === undefined && first === "var") {
          if (!this.variables.has(second)) this.report(at, `reference to undeclared variable var.${second}`);
          continue;
        }
        if (data === undefined && first === "local") {
          if (!this.locals.has(second)) this.report(at, `reference to undeclared local value local.${second}`);
          continue;
        }
        if (data === undefined && first === "module") {
          if (!this.modules.has(second)) this.report(at, `reference to undeclared module module.${second}`);
          continue;
        }
        // Only names that are resource types: a for expression's or iterator's symbols are not.
        if (!/_/.test(first) || !(data !== undefined || this.isTypeName(first))) continue;
        const address = `${data ?? ""}${first}.${second}`;
        const target = this.declared.get(address);
        if (target === undefined) {
          this.report(at, `reference to undeclared ${data ? "data source" : "resource"} ${address}`);
          continue;
        }
        const splat = key === "[*]" || key === ".*";
        if (target.repeated && key === undefined)
          this.report(at, `${address} has count or for_each: a reference names an instance (${address}[...])`);
        if (!target.repeated && key !== undefined && !splat)
          this.report(at, `${address} has neither count nor for_each: a reference takes no instance key`);
        if (attribute !== undefined && target.block !== undefined && !hasName(target.block, attribute))
          this.report(at, `${address} has no attribute "${attribute}"`);
      }
    }
  }

  /** A name that is a resource type: of this provider, or declared. */
  private isTypeName(name: string): boolean {
    if (name.split("_")[0] === this.schema.name) return true;
    for (const address of this.declared.keys()) if (address.startsWith(`${name}.`)) return true;
    return false;
  }
}

/**
 * `data.TYPE.NAME`, `TYPE.NAME`, `var.NAME`, `local.NAME`, `module.NAME`, each with an optional
 * instance key or splat and the attribute after it; not after a dot or a name (a deeper step).
 */
const REFERENCE =
  /(?<![\w.\-\]])(data\.)?([A-Za-z_][\w-]*)\.([A-Za-z_][\w-]*)(\[[^\]]*\]|\.\*)?(?:\.([A-Za-z_][\w-]*))?/g;

/** One interpolation (`${…}`) or directive (`%{…}`) of a template: where it is, and its text. */
interface Span {
  readonly start: number;
  readonly end: number;
  readonly text: string;
  readonly directive: boolean;
}

/**
 * The interpolations and directives of a template, in order; `$${` and `%%{` are escapes. The
 * text of each has the strings quoted within it emptied (`f("x")` is `f("")`): a reference in
 * one is not read.
 */
function templateSpans(template: string): Span[] {
  const out: Span[] = [];
  for (let i = 0; i < template.length; i++) {
    const ch = template[i];
    if ((ch === "$" || ch === "%") && template[i + 1] === ch && template[i + 2] === "{") {
      i += 2;
      continue;
    }
    if ((ch !== "$" && ch !== "%") || template[i + 1] !== "{") continue;
    let depth = 1;
    let text = "";
    let j = i + 2;
    for (; j < template.length && depth > 0; j++) {
      const c = template[j];
      if (c === '"') {
        for (j++; j < template.length && template[j] !== '"'; j++) if (template[j] === "\\") j++;
        text += '""';
        continue;
      }
      if (c === "{") depth++;
      if (c === "}") depth--;
      if (depth > 0) text += c;
    }
    out.push({ start: i, end: j, text, directive: ch === "%" });
    i = j - 1;
  }
  return out;
}

/** The text inside each `${…}` of a template, quoted strings emptied. */
export function interpolations(template: string): string[] {
  return templateSpans(template)
    .filter((s) => !s.directive)
    .map((s) => s.text);
}

/** Whether a block has an attribute or a block type of that name. */
function hasName(block: BlockSchema, name: string): boolean {
  return name in (block.attributes ?? {}) || name in (block.block_types ?? {});
}
