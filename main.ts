import { App } from "cdktf";
import * as path from "path";
import { environmentFiles } from "./environments";
import { ConfigError, EnvironmentConfig, EnvironmentStack, parseEnvironmentConfig } from "./lib";

/** What {@link synthesize} did: the stacks it wrote, or every configuration problem it found. */
export interface SynthResult {
  readonly stacks: readonly string[];
  readonly errors: readonly string[];
}

/**
 * Validates every environment in `dir`, then, only if all are valid, writes one stack per
 * environment to `outdir` (`stacks/<env>/cdk.tf.json`). With any problem, nothing is written.
 */
export function synthesize(options: { dir?: string; outdir?: string } = {}): SynthResult {
  const configs: EnvironmentConfig[] = [];
  const errors: string[] = [];
  for (const file of environmentFiles(options.dir)) {
    try {
      const config = parseEnvironmentConfig(file.config);
      if (config.name !== file.name) {
        errors.push(`${file.file}: name is "${config.name}"; it must be "${file.name}", the file's name`);
      }
      configs.push(config);
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      errors.push(`${file.file}: ${e.message}`);
    }
  }
  if (configs.length === 0 && errors.length === 0) errors.push("no environment files found");
  if (errors.length > 0) return { stacks: [], errors };

  const app = new App(options.outdir === undefined ? {} : { outdir: options.outdir });
  for (const config of configs) new EnvironmentStack(app, config.name, config);
  app.synth();
  return { stacks: configs.map((c) => c.name), errors: [] };
}

if (require.main === module) {
  const dir = process.env.ENVIRONMENTS_DIR ? path.resolve(process.env.ENVIRONMENTS_DIR) : undefined;
  const result = synthesize({ dir });
  if (result.errors.length > 0) {
    console.error(`Invalid configuration; nothing was synthesized.\n\n${result.errors.join("\n\n")}`);
    process.exitCode = 1;
  }
}
