// Installs the git hooks (`npm ci` runs this as the prepare script). Skipped where hooks have no
// use: in CI, and in a copy without a .git folder (an npm tarball, a source archive).
import { existsSync } from "node:fs";

if (process.env.CI === "true" || process.env.HUSKY === "0" || !existsSync(".git")) {
  process.exit(0);
}
const husky = (await import("husky")).default;
const message = husky();
if (message) console.log(message);
