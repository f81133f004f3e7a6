/**
 * npm run release -- <verb> …: each verb, its arguments and its options are declared once, in
 * VERBS of lib/app/release/cli.ts. See docs/releasing.md.
 */
import * as path from "path";
import { runReleaseAsync } from "../lib/app/release/cli";

const dir = process.env.ENVIRONMENTS_DIR ? path.resolve(process.env.ENVIRONMENTS_DIR) : undefined;
void runReleaseAsync(process.argv.slice(2), dir).then((result) => {
  process.stdout.write(result.stdout);
  process.stderr.write(result.stderr);
  process.exitCode = result.code;
});
