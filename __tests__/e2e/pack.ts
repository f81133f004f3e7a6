/** The library as npm publishes it: built, its manifest written (scripts/package.mjs), packed. */
import { spawnSync } from "child_process";
import * as path from "path";

export const repo = path.resolve(__dirname, "..", "..");

/** Runs a command; returns what it printed (stderr after stdout), or fails showing it. */
export function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): string {
  const r = spawnSync(cmd, args, { cwd, env: { ...process.env, ...env }, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed:\n${r.stdout}${r.stderr}`);
  return r.stdout + r.stderr;
}

/**
 * What `npm run package` then `npm pack ./dist` do; returns the tarball's path in `packDir`.
 * `tsc -b` is incremental: after `npm test` has built dist/, it is a no-op.
 */
export function packLibrary(packDir: string): string {
  run(
    process.execPath,
    [path.join(repo, "node_modules", "typescript", "bin", "tsc"), "-b", "tsconfig.build.json"],
    repo,
  );
  run(process.execPath, [path.join(repo, "scripts", "package.mjs")], repo);
  const tarball = run("npm", ["pack", "--silent", "--pack-destination", packDir, "./dist"], repo)
    .trim()
    .split("\n")
    .pop()!;
  return path.join(packDir, tarball);
}
