import * as fs from "fs";
import * as path from "path";
import { parseEnvironmentConfig } from "./config";

/** The environments folder of this repository: one file per environment, beside base.ts. */
export const ENVIRONMENTS_DIR = path.resolve(__dirname, "..", "..", "environments");

/** Files in the environments folder that are not environments. */
const NOT_ENVIRONMENTS = new Set(["base"]);

/** One environment file: its name (the file name) and what it exports, not yet validated. */
export interface EnvironmentFile {
  readonly file: string;
  readonly name: string;
  readonly config: unknown;
}

/**
 * Every environment in `dir` (by default environments/), sorted by name: one file per
 * environment, whose default export is its configuration. Adding a file adds an environment (and
 * a stack, and a pipeline stage); nothing else lists them.
 */
export function environmentFiles(dir: string = ENVIRONMENTS_DIR): EnvironmentFile[] {
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

/** One entry of a GitHub Actions matrix. */
export interface MatrixEntry {
  readonly environment: string;
  readonly project: string;
}

/**
 * The environments as GitHub Actions matrices: all of them, and each promotion stage's
 * (`development`, `preproduction`, `production`), sorted by name.
 */
export function environmentMatrix(
  dir?: string,
): Record<"all" | "development" | "preproduction" | "production", MatrixEntry[]> {
  const configs = environmentFiles(dir)
    .map((f) => parseEnvironmentConfig(f.config))
    .sort((a, b) => a.name.localeCompare(b.name));
  const entries = (stage?: string) =>
    configs
      .filter((c) => stage === undefined || c.stage === stage)
      .map((c) => ({ environment: c.name, project: c.project }));
  return {
    all: entries(),
    development: entries("development"),
    preproduction: entries("preproduction"),
    production: entries("production"),
  };
}
