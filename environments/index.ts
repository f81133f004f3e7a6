import * as fs from "fs";
import * as path from "path";

/** Files in this folder that are not environments. */
const NOT_ENVIRONMENTS = new Set(["base", "index"]);

/** One environment file: its name (the file name) and what it exports, not yet validated. */
export interface EnvironmentFile {
  readonly file: string;
  readonly name: string;
  readonly config: unknown;
}

/**
 * Every environment in this folder, sorted by name: one file per environment, whose default
 * export is its configuration. Adding a file adds an environment (and a stack, and a pipeline
 * stage); nothing else lists them.
 */
export function environmentFiles(dir: string = __dirname): EnvironmentFile[] {
  const ext = path.extname(__filename); // .ts under ts-node and jest, .js when compiled
  return fs
    .readdirSync(dir)
    .filter((f) => path.extname(f) === ext && !f.endsWith(".d.ts"))
    .map((f) => path.basename(f, ext))
    .filter((name) => !NOT_ENVIRONMENTS.has(name))
    .sort()
    .map((name) => {
      const file = path.join(dir, name + ext);
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const mod = require(file) as { default?: unknown };
      return { file: path.relative(process.cwd(), file), name, config: mod.default };
    });
}
