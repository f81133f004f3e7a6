/**
 * npm run provider-schema -- <source> [--ref <git ref>] [--version <provider version>]
 *
 * Writes the google provider's schema, cut down to the resource and data source types this
 * project uses, to __tests__/fixtures/google-provider-schema.json, which the offline
 * `terraform validate` (scripts/terraform-validate.ts) holds every synthesized stack against.
 * Run it when a construct starts creating a type it has not created before, and when
 * @cdktf/provider-google moves to another provider version: a test fails until it is current.
 *
 * The source is either
 * - the output of `terraform providers schema -json` (a file), run where `terraform init` has
 *   downloaded the provider this project pins; it also holds the provider block's own schema; or
 * - the repository lonegunmanb/terraform-google-schema, which keeps that output for each
 *   provider release as Go string constants (generated/register.go names each type's file): a
 *   clone, bare or not (a shallow clone of the tag will do), read at the tag `v<version>` (or
 *   `--ref`), which the file records with its commit; or files without git, read as they are.
 *   It has no schema of the provider block itself.
 *
 * The version is the one @cdktf/provider-google pins (its package.json), unless `--version`
 * says otherwise. The types are every resource and data source class lib/providers.ts exports,
 * and every type of RESOURCE_TYPES (lib/gcp/resource-types.ts). Descriptions are dropped; what
 * validation reads is kept: types, required, optional, computed, deprecated, nesting, counts.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { TerraformDataSource, TerraformProvider } from "cdktf";
import * as providers from "../lib/providers";
import { RESOURCE_TYPES } from "../lib/gcp/resource-types";
import { AttributeSchema, BlockSchema, BlockTypeSchema, ProviderSchema, SCHEMA_FILE } from "./terraform-validate";

const root = path.join(__dirname, "..");

/** The provider's registry address and local name. */
const ADDRESS = "registry.terraform.io/hashicorp/google";
const NAME = "google";

/** The provider version @cdktf/provider-google wraps and pins in every stack's required_providers. */
export function pinnedVersion(): string {
  const manifest = path.join(root, "node_modules", "@cdktf", "provider-google", "package.json");
  return JSON.parse(fs.readFileSync(manifest, "utf8")).cdktf.provider.version;
}

/**
 * The resource and data source types this project uses: the provider classes lib/providers.ts
 * exports (by their Terraform type), and the types of RESOURCE_TYPES.
 */
export function usedTypes(): { resources: string[]; dataSources: string[] } {
  const resources = new Set<string>();
  const dataSources = new Set<string>();
  for (const exported of Object.values(providers) as unknown[]) {
    if (typeof exported !== "function") continue;
    const type = (exported as { tfResourceType?: unknown }).tfResourceType;
    if (typeof type !== "string" || exported.prototype instanceof TerraformProvider) continue;
    (exported.prototype instanceof TerraformDataSource ? dataSources : resources).add(type);
  }
  for (const type of Object.keys(RESOURCE_TYPES)) {
    if (type.startsWith("data.")) dataSources.add(type.slice("data.".length));
    else resources.add(type);
  }
  return { resources: [...resources].sort(), dataSources: [...dataSources].sort() };
}

/** The schema JSON of `terraform providers schema -json`, as far as it is read here. */
interface Schemas {
  provider?: { block: RawBlock };
  resource_schemas?: Record<string, { block: RawBlock }>;
  data_source_schemas?: Record<string, { block: RawBlock }>;
}
type RawBlock = Record<string, unknown>;

/** What validation reads of a block: descriptions and the like dropped, keys in order. */
export function pruneBlock(raw: RawBlock): BlockSchema {
  const attributes = Object.entries((raw.attributes ?? {}) as Record<string, Record<string, unknown>>);
  const blockTypes = Object.entries((raw.block_types ?? {}) as Record<string, Record<string, unknown>>);
  return {
    ...(attributes.length > 0 && {
      attributes: Object.fromEntries(attributes.sort(byName).map(([n, a]) => [n, pruneAttribute(a)])),
    }),
    ...(blockTypes.length > 0 && {
      block_types: Object.fromEntries(blockTypes.sort(byName).map(([n, b]) => [n, pruneBlockType(b)])),
    }),
    ...(raw.deprecated === true && { deprecated: true }),
  };
}

const byName = ([a]: [string, unknown], [b]: [string, unknown]) => (a < b ? -1 : a > b ? 1 : 0);

function pruneAttribute(raw: Record<string, unknown>): AttributeSchema {
  const nested = raw.nested_type as Record<string, unknown> | undefined;
  return {
    ...(raw.type !== undefined && { type: raw.type as AttributeSchema["type"] }),
    ...(nested !== undefined && {
      nested_type: {
        attributes: Object.fromEntries(
          Object.entries(nested.attributes as Record<string, Record<string, unknown>>)
            .sort(byName)
            .map(([n, a]) => [n, pruneAttribute(a)]),
        ),
        nesting_mode: nested.nesting_mode as "single" | "list" | "set" | "map",
        ...(typeof nested.min_items === "number" && nested.min_items > 0 && { min_items: nested.min_items }),
        ...(typeof nested.max_items === "number" && nested.max_items > 0 && { max_items: nested.max_items }),
      },
    }),
    ...(raw.required === true && { required: true }),
    ...(raw.optional === true && { optional: true }),
    ...(raw.computed === true && { computed: true }),
    ...(raw.deprecated === true && { deprecated: true }),
  };
}

function pruneBlockType(raw: Record<string, unknown>): BlockTypeSchema {
  return {
    nesting_mode: raw.nesting_mode as BlockTypeSchema["nesting_mode"],
    ...(typeof raw.min_items === "number" && raw.min_items > 0 && { min_items: raw.min_items }),
    ...(typeof raw.max_items === "number" && raw.max_items > 0 && { max_items: raw.max_items }),
    block: pruneBlock(raw.block as RawBlock),
  };
}

/** The schema file: the types asked for, from the source's schemas; every type missing is an error. */
export function cutSchema(
  schemas: Schemas,
  types: { resources: readonly string[]; dataSources: readonly string[] },
  meta: { version: string; source: string },
): ProviderSchema {
  const missing: string[] = [];
  const pick = (all: Record<string, { block: RawBlock }> | undefined, wanted: readonly string[], prefix: string) =>
    Object.fromEntries(
      wanted.flatMap((type) => {
        const found = all?.[type];
        if (found === undefined) missing.push(`${prefix}${type}`);
        return found === undefined ? [] : [[type, pruneBlock(found.block)]];
      }),
    );
  const schema: ProviderSchema = {
    name: NAME,
    address: ADDRESS,
    version: meta.version,
    source: meta.source,
    ...(schemas.provider !== undefined && { provider: pruneBlock(schemas.provider.block) }),
    resources: pick(schemas.resource_schemas, types.resources, ""),
    data_sources: pick(schemas.data_source_schemas, types.dataSources, "data."),
  };
  if (missing.length > 0) throw new Error(`the source has no schema for ${missing.join(", ")}`);
  return schema;
}

/** The google provider's schemas in the output of `terraform providers schema -json`. */
export function fromTerraformJson(text: string): Schemas {
  const json = JSON.parse(text) as { provider_schemas?: Record<string, Schemas> };
  const schemas = json.provider_schemas?.[ADDRESS];
  if (schemas === undefined) {
    const found = Object.keys(json.provider_schemas ?? {}).join(", ") || "none";
    throw new Error(`no ${ADDRESS} in provider_schemas (found: ${found}); run terraform init first`);
  }
  return schemas;
}

/**
 * The value of the Go string constant a generated file defines: raw strings joined by `+`, a
 * backtick inside one written as `` ` + "`" + ` ``.
 */
export function goStringConstant(source: string): string {
  const start = /\bconst\s+\w+\s*=\s*/.exec(source);
  if (start === null) throw new Error("no string constant in the file");
  let i = start.index + start[0].length;
  let value = "";
  for (;;) {
    if (source[i] === "`") {
      const end = source.indexOf("`", i + 1);
      value += source.slice(i + 1, end);
      i = end + 1;
    } else if (source[i] === '"') {
      const m = /^"(?:[^"\\]|\\.)*"/.exec(source.slice(i));
      if (m === null) throw new Error("an unterminated string in the constant");
      value += JSON.parse(m[0]) as string;
      i += m[0].length;
    } else throw new Error(`unexpected ${JSON.stringify(source.slice(i, i + 20))} in the constant`);
    const next = /^\s*\+\s*/.exec(source.slice(i));
    if (next === null) return value;
    i += next[0].length;
  }
}

/**
 * The schemas of the types asked for, from lonegunmanb/terraform-google-schema: `read(file)`
 * gives a file of the repository. generated/register.go maps each type to its function, which
 * the file generated/<resource|data>/<function's name, first letter lower case>.go defines.
 */
export function fromGoSources(
  read: (file: string) => string,
  types: { resources: readonly string[]; dataSources: readonly string[] },
): Schemas {
  const register = read("generated/register.go");
  const entries = new Map<string, string>();
  for (const m of register.matchAll(/\b(resources|dataSources)\["([\w-]+)"\]\s*=\s*(\w+)\.(\w+)Schema\(\)/g)) {
    entries.set(`${m[1]}:${m[2]}`, `generated/${m[3]}/${m[4][0].toLowerCase()}${m[4].slice(1)}.go`);
  }
  const load = (kind: string, wanted: readonly string[]) =>
    Object.fromEntries(
      wanted.flatMap((type) => {
        const file = entries.get(`${kind}:${type}`);
        return file === undefined ? [] : [[type, JSON.parse(goStringConstant(read(file))) as { block: RawBlock }]];
      }),
    );
  return {
    resource_schemas: load("resources", types.resources),
    data_source_schemas: load("dataSources", types.dataSources),
  };
}

/** The schema file's text, formatted as Prettier formats the repository's JSON. */
export async function schemaText(schema: ProviderSchema): Promise<string> {
  const prettier = await import("prettier");
  const options = (await prettier.resolveConfig(SCHEMA_FILE)) ?? {};
  return prettier.format(JSON.stringify(schema), { ...options, parser: "json" });
}

/** Whether `dir` is a git repository (a clone, or a bare one) rather than files alone. */
function isGitRepository(dir: string): boolean {
  try {
    return execFileSync("git", ["-C", dir, "rev-parse", "--git-dir"], { stdio: "pipe" }).length > 0;
  } catch {
    return false;
  }
}

const USAGE =
  "usage: npm run provider-schema -- <schema.json | terraform-google-schema dir> [--ref REF] [--version X.Y.Z]";

async function main(argv: string[]): Promise<void> {
  const option = (name: string) => {
    const i = argv.indexOf(`--${name}`);
    return i < 0 ? undefined : argv.splice(i, 2)[1];
  };
  const version = option("version") ?? pinnedVersion();
  const ref = option("ref") ?? `v${version}`;
  if (argv.length !== 1 || argv[0].startsWith("-")) throw new Error(USAGE);
  const input = path.resolve(argv[0]);
  if (!fs.existsSync(input)) throw new Error(`${argv[0]}: no such file or directory\n${USAGE}`);
  const types = usedTypes();
  let schemas: Schemas;
  let source: string;
  const git = (...args: string[]) =>
    execFileSync("git", ["-C", input, ...args], { encoding: "utf8", maxBuffer: 1 << 28, stdio: "pipe" });
  if (fs.statSync(input).isFile()) {
    schemas = fromTerraformJson(fs.readFileSync(input, "utf8"));
    source = `terraform providers schema -json (google ${version})`;
  } else if (isGitRepository(input)) {
    let commit: string;
    try {
      commit = git("rev-parse", "--verify", "--quiet", `${ref}^{commit}`).trim();
    } catch {
      const tags = git("tag", "--list", `v${version.split(".")[0]}.*`, "--sort=-v:refname")
        .split("\n")
        .filter(Boolean)
        .slice(0, 5);
      throw new Error(`${input} has no ${ref}; its latest tags: ${tags.join(" ")}. Pass --ref (and --version).`);
    }
    schemas = fromGoSources((f) => git("show", `${commit}:${f}`), types);
    source = `lonegunmanb/terraform-google-schema ${ref} (${commit})`;
  } else if (fs.existsSync(path.join(input, "generated", "register.go"))) {
    schemas = fromGoSources((f) => fs.readFileSync(path.join(input, f), "utf8"), types);
    source = `lonegunmanb/terraform-google-schema, a copy without git history (said to be ${version})`;
  } else {
    throw new Error(`${argv[0]}: neither a schema JSON file nor a copy of terraform-google-schema\n${USAGE}`);
  }
  const schema = cutSchema(schemas, types, { version, source });
  fs.writeFileSync(SCHEMA_FILE, await schemaText(schema));
  const count = (o: object) => Object.keys(o).length;
  console.log(
    `${path.relative(process.cwd(), SCHEMA_FILE)}: google ${version}, ${count(schema.resources)} resource and ` +
      `${count(schema.data_sources)} data source types${schema.provider ? " and the provider block" : ""}, from ${source}`,
  );
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((e: Error) => {
    console.error(e.message);
    process.exitCode = 1;
  });
}
