/** npm run bootstrap -- github|identities [--markdown]: see lib/app/bootstrap-cli.ts. */
import { runBootstrap } from "../lib/app/bootstrap-cli";

const result = runBootstrap(process.argv.slice(2));
process.stdout.write(result.stdout);
process.stderr.write(result.stderr);
process.exitCode = result.code;
