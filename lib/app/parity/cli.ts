import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "util";
import { isBootstrapStack } from "../bootstrap-metadata";
import { StackJson, compareStacks, isClean } from "./compare";
import { renderMarkdown, renderText } from "./render";

export const PARITY_USAGE = "Usage: npm run parity [-- --markdown] [--dir <cdktf.out>]";

/**
 * `npm run parity [-- --markdown] [--dir cdktf.out]`: compares the synthesized stacks in
 * <dir>/stacks/<env>/cdk.tf.json (what will be planned) and prints the environment-parity
 * matrix. Exit 0: no undeclared difference and no stale declaration; 1: configuration drift or
 * stale declarations; 2: nothing to compare.
 */
export function runParity(argv: readonly string[]): { code: 0 | 1 | 2; stdout: string; stderr: string } {
  let options: { markdown?: boolean; dir?: string };
  try {
    // Node's own parser, strict: an unknown option, a stray argument or --dir without a folder
    // is a usage error, not something quietly ignored.
    options = parseArgs({
      args: [...argv],
      options: { markdown: { type: "boolean" }, dir: { type: "string" } },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (e) {
    return { code: 2, stdout: "", stderr: `${(e as Error).message}\n\n${PARITY_USAGE}\n` };
  }
  if (options.dir !== undefined && (options.dir === "" || options.dir.startsWith("--"))) {
    return { code: 2, stdout: "", stderr: `--dir needs a folder: --dir <cdktf.out>\n\n${PARITY_USAGE}\n` };
  }
  const markdown = options.markdown === true;
  const outdir = path.resolve(options.dir ?? "cdktf.out");
  const stacksDir = path.join(outdir, "stacks");
  if (!fs.existsSync(stacksDir)) {
    return { code: 2, stdout: "", stderr: `No synthesized stacks in ${stacksDir}: run npm run synth first.\n` };
  }
  const stacks: Record<string, StackJson> = {};
  for (const env of fs.readdirSync(stacksDir).sort()) {
    const file = path.join(stacksDir, env, "cdk.tf.json");
    if (!fs.existsSync(file)) continue;
    const stack = JSON.parse(fs.readFileSync(file, "utf8")) as StackJson;
    // Bootstrap stacks differ by design (which one receives builds): compared are environments.
    if (!isBootstrapStack(stack)) stacks[env] = stack;
  }
  if (Object.keys(stacks).length < 2) {
    const found = Object.keys(stacks).length;
    return {
      code: 2,
      stdout: "",
      stderr: `Parity needs at least two environment stacks in ${stacksDir}; found ${found}: run npm run synth first.\n`,
    };
  }
  const report = compareStacks(stacks);
  return { code: isClean(report) ? 0 : 1, stdout: markdown ? renderMarkdown(report) : renderText(report), stderr: "" };
}
