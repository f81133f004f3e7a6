/** npm run parity [-- --markdown] [--dir cdktf.out]: see lib/app/parity/cli.ts. */
import { runParity } from "../lib/app/parity/cli";

const result = runParity(process.argv.slice(2));
process.stdout.write(result.stdout);
process.stderr.write(result.stderr);
process.exitCode = result.code;
