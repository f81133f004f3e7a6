/**
 * npm run parity [-- --markdown] [--dir cdktf.out]
 *
 * Compares the synthesized stacks in <dir>/stacks/<env>/cdk.tf.json (what will be planned) and
 * prints the environment-parity matrix. Exit 0: no undeclared difference and no stale
 * declaration; 1: configuration drift or stale declarations; 2: nothing to compare.
 */
import * as fs from "fs";
import * as path from "path";
import { compareStacks, isClean, renderMarkdown, renderText, StackJson } from "../lib/app/parity";

function main(argv: string[]): number {
  const markdown = argv.includes("--markdown");
  const dirArg = argv.indexOf("--dir");
  const outdir = path.resolve(dirArg >= 0 ? argv[dirArg + 1] : "cdktf.out");
  const stacksDir = path.join(outdir, "stacks");
  if (!fs.existsSync(stacksDir)) {
    console.error(`No synthesized stacks in ${stacksDir}: run npm run synth first.`);
    return 2;
  }
  const stacks: Record<string, StackJson> = {};
  for (const env of fs.readdirSync(stacksDir).sort()) {
    const file = path.join(stacksDir, env, "cdk.tf.json");
    if (fs.existsSync(file)) stacks[env] = JSON.parse(fs.readFileSync(file, "utf8")) as StackJson;
  }
  if (Object.keys(stacks).length < 2) {
    console.error(`Parity needs at least two stacks in ${stacksDir}; found ${Object.keys(stacks).length}.`);
    return 2;
  }
  const report = compareStacks(stacks);
  process.stdout.write(markdown ? renderMarkdown(report) : renderText(report));
  return isClean(report) ? 0 : 1;
}

process.exitCode = main(process.argv.slice(2));
