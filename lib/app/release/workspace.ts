import { App, DefaultTokenResolver, StringConcat, Tokenization } from "cdktf";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ConfigError, EnvironmentConfig, parseEnvironmentConfig } from "../config";
import { EnvironmentStack } from "../environment-stack";
import { EnvironmentFile, environmentFiles } from "../environments";
import { parseRelease } from "./deployment";
import { historyMessages } from "./history";
import { ReleaseError, ReleaseFile } from "./model";

/*
 * What every release verb reads: each environment's configuration and release file, checked, and
 * the revision names its stack would give its services.
 */

/** Every environment's configuration and release, read and checked. */
export interface Loaded {
  readonly files: readonly EnvironmentFile[];
  readonly configs: Record<string, EnvironmentConfig>;
  readonly releases: Record<string, ReleaseFile>;
}

/** Every environment's configuration and release, checked; or every problem found. */
export function load(dir: string): Loaded | { problems: string[] } {
  const files = environmentFiles(dir);
  const configs: Record<string, EnvironmentConfig> = {};
  const releases: Record<string, ReleaseFile> = {};
  const problems: string[] = [];
  for (const file of files) {
    if (file.unreadable !== undefined) {
      problems.push(file.unreadable);
      continue;
    }
    try {
      const config = parseEnvironmentConfig(file.config);
      configs[config.name] = config;
      if (file.releaseUnreadable !== undefined) {
        problems.push(file.releaseUnreadable);
        continue;
      }
      releases[config.name] = parseRelease(config, file.release);
    } catch (e) {
      if (!(e instanceof ConfigError) && !(e instanceof ReleaseError)) throw e;
      problems.push(`${e instanceof ReleaseError ? file.releaseFile : file.file}: ${e.message}`);
    }
  }
  if (problems.length === 0) problems.push(...historyMessages(files, Object.values(configs), releases));
  return problems.length > 0 ? { problems } : { files, configs, releases };
}

/**
 * The name of each service's template revision in an environment, as its stack synthesizes it
 * with the given release: built in memory, in a throwaway output folder.
 */
export function templateRevisions(file: EnvironmentFile, release: ReleaseFile): Record<string, string> {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "cdktf-cloud-run-release-"));
  try {
    const stack = new EnvironmentStack(new App({ outdir }), file.name, file.config, { release });
    return Object.fromEntries(
      Object.entries(stack.services).map(([key, service]) => [
        key,
        String(
          Tokenization.resolve(service.revisionName, {
            scope: stack,
            resolver: new DefaultTokenResolver(new StringConcat()),
          }),
        ),
      ]),
    );
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}
