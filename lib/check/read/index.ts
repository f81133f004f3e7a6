import * as fs from "fs";
import * as path from "path";
import { Configuration, InputError } from "../input";
import { FileDocument, configurationOf } from "./document";
import { readHcl } from "./hcl";
import { readTerraformJson } from "./json";
import { readPlan } from "./plan";

/*
 * The readers of `cdktf-cloud-run check`: the paths it is given, as the configurations the rules
 * judge (input.ts). A path is a folder (its `*.tf` and `*.tf.json` files, not its subfolders: one
 * configuration, as Terraform reads a module), a `.tf` or `.tf.json` file (a configuration of
 * that one file) or a `.json` plan (`terraform show -json PLANFILE`). Every path is read and
 * every problem is returned, none thrown; nothing is written. Nothing here loads cdktf,
 * constructs or the provider's classes.
 *
 * The view's shape (document.ts, plan.ts): Terraform JSON's, with nested blocks as lists; what is
 * known only at plan or apply is a `${…}` string, `${dynamic X}` for the blocks of a `dynamic`
 * block and `${unknown after apply}` for what a plan marks unknown.
 */

export { ACKNOWLEDGE_MARKER } from "./hcl";
export { dynamicBlock } from "./document";
export { UNKNOWN_AFTER_APPLY } from "./plan";

export interface ReadOptions {
  /**
   * The paths are whole root modules (`--root`): a configuration with no backend has `backend: null`
   * (local state). Otherwise a configuration with no backend block leaves it undefined (the backend
   * may be in a file not given). Plans are always root modules.
   */
  readonly root: boolean;
  /**
   * The folder relative paths are read from; the paths are reported as given.
   * @default process.cwd()
   */
  readonly cwd?: string;
}

export interface ReadResult {
  /** One per path that could be read, in the order given. */
  readonly configurations: Configuration[];
  /** Every problem of every path: files that do not exist, cannot be parsed, or are not what their name says. */
  readonly problems: InputError[];
}

/** Files Terraform ignores in a folder: hidden files, editor backups (`x.tf~`) and Emacs autosaves (`#x.tf#`). */
function ignored(name: string): boolean {
  return name.startsWith(".") || name.endsWith("~") || (name.startsWith("#") && name.endsWith("#"));
}

/** Reads every path: the configurations that could be read, and every problem found. */
export async function readPaths(paths: readonly string[], options: ReadOptions): Promise<ReadResult> {
  const cwd = options.cwd ?? process.cwd();
  const configurations: Configuration[] = [];
  const problems: InputError[] = [];
  const seen = new Set<string>();

  for (const given of paths) {
    const full = path.resolve(cwd, given);
    if (seen.has(full)) continue; // the same path twice would report its findings twice
    seen.add(full);
    let result: Awaited<ReturnType<typeof readPath>>;
    try {
      result = await readPath(given, full, options.root);
    } catch (error) {
      // Valid JSON nested thousands of levels deep exhausts the stack of any reader that walks it.
      if (!(error instanceof RangeError)) throw error;
      result = { problems: [new InputError(given, `is nested too deeply to read (${error.message})`)] };
    }
    if (result.configuration !== undefined) configurations.push(result.configuration);
    problems.push(...result.problems);
  }
  return { configurations, problems };
}

async function readPath(
  given: string,
  full: string,
  root: boolean,
): Promise<{ configuration?: Configuration; problems: InputError[] }> {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(full);
  } catch {
    return { problems: [new InputError(given, "does not exist")] };
  }
  if (stat.isDirectory()) return readFolder(given, full, root);

  const text = readText(given, full);
  if (typeof text !== "string") return { problems: [text] };
  if (given.endsWith(".tf.json")) return single("json", given, readTerraformJson(given, text), root);
  if (given.endsWith(".tf")) return single("hcl", given, await readHcl(given, text), root);
  if (given.endsWith(".json")) return readPlan(given, text);
  return {
    problems: [
      new InputError(given, "is not a folder, a .tf or .tf.json file, or a plan (.json from `terraform show -json`)"),
    ],
  };
}

function readText(given: string, full: string): string | InputError {
  try {
    return fs.readFileSync(full, "utf8");
  } catch (error) {
    return new InputError(given, `cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
}

/** A configuration of one file, when it could be parsed. */
function single(
  kind: Configuration["kind"],
  given: string,
  read: { document?: FileDocument; problems: InputError[] },
  root: boolean,
): { configuration?: Configuration; problems: InputError[] } {
  if (read.document === undefined) return { problems: read.problems };
  const { configuration, problems } = configurationOf(kind, given, [read.document], root);
  return { configuration, problems: [...read.problems, ...problems] };
}

/**
 * A folder: its `.tf` and `.tf.json` files, in name order (override files last, as Terraform
 * merges them), as one configuration. If any file cannot be parsed, every file's problems are
 * reported and the folder gives no configuration: the rules would judge part of it.
 */
async function readFolder(
  given: string,
  full: string,
  root: boolean,
): Promise<{ configuration?: Configuration; problems: InputError[] }> {
  let names: string[];
  try {
    names = fs
      .readdirSync(full, { withFileTypes: true })
      .filter((e) => !e.isDirectory() && !ignored(e.name) && /\.tf(\.json)?$/.test(e.name))
      .map((e) => e.name)
      .sort();
  } catch (error) {
    return {
      problems: [new InputError(given, `cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`)],
    };
  }
  if (names.length === 0)
    return {
      problems: [
        new InputError(
          given,
          "has no .tf or .tf.json files (a folder is read as one configuration; subfolders are not read)",
        ),
      ],
    };

  const documents: FileDocument[] = [];
  const problems: InputError[] = [];
  let unreadable = false;
  for (const name of names) {
    const file = path.join(given, name);
    const text = readText(file, path.join(full, name));
    if (typeof text !== "string") {
      problems.push(text);
      unreadable = true;
      continue;
    }
    const read = name.endsWith(".tf.json") ? readTerraformJson(file, text) : await readHcl(file, text);
    problems.push(...read.problems);
    if (read.document === undefined) unreadable = true;
    else documents.push(read.document);
  }
  if (unreadable) return { problems };
  const kind = names.some((n) => n.endsWith(".tf")) ? "hcl" : "json";
  const { configuration, problems: merging } = configurationOf(kind, given, documents, root);
  return { configuration, problems: [...problems, ...merging] };
}
