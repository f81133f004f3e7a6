import * as fs from "fs";
import * as path from "path";
import type { ReleaseFile } from "./model";

/*
 * Release files on disk: environments/releases/<env>.json. Written as canonical JSON (keys
 * sorted, two spaces, a final newline) so that a pull request shows exactly what changed, each
 * atomically (a temporary file renamed over the old one), and only under the releases folder's
 * lock, so that two release commands started together never lose an update.
 */

/** The folder of the release files beside a folder of environments. */
export function releasesDir(environmentsDir: string): string {
  return path.join(environmentsDir, "releases");
}

export function releasePath(environmentsDir: string, environment: string): string {
  return path.join(releasesDir(environmentsDir), `${environment}.json`);
}

/** The release file of an environment as written, or undefined when it has none yet. */
export function readRelease(environmentsDir: string, environment: string): unknown {
  const file = releasePath(environmentsDir, environment);
  if (!fs.existsSync(file)) return undefined;
  const text = fs.readFileSync(file, "utf8");
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Error(`${file} is not valid JSON: ${(e as Error).message}`);
  }
}

/** Canonical JSON: keys sorted at every level, two spaces, a final newline. */
export function canonicalJson(value: unknown): string {
  const sort = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sort);
    if (typeof v === "object" && v !== null) {
      return Object.fromEntries(
        Object.entries(v)
          .filter(([, x]) => x !== undefined)
          .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
          .map(([k, x]) => [k, sort(x)]),
      );
    }
    return v;
  };
  return `${JSON.stringify(sort(value), null, 2)}\n`;
}

/** Writes a release file atomically: readers see the old file or the new one, never a torn one. */
export function writeRelease(environmentsDir: string, environment: string, release: ReleaseFile): void {
  const file = releasePath(environmentsDir, environment);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, canonicalJson(release));
  fs.renameSync(tmp, file);
}

const LOCK_WAIT_MS = 30_000;
const STALE_LOCK_MS = 120_000;

/**
 * Runs `work` holding the releases folder's lock (a file created exclusively, holding this
 * process's id). Another release command waits for it; a lock left by a process that no longer
 * runs, or older than two minutes, is taken over.
 */
export function withReleaseLock<T>(environmentsDir: string, work: () => T): T {
  const dir = releasesDir(environmentsDir);
  fs.mkdirSync(dir, { recursive: true });
  const lock = path.join(dir, ".lock");
  const started = Date.now();
  for (;;) {
    try {
      fs.writeFileSync(lock, `${process.pid}\n`, { flag: "wx" });
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      if (isStale(lock)) {
        fs.rmSync(lock, { force: true });
        continue;
      }
      if (Date.now() - started > LOCK_WAIT_MS) {
        throw new Error(`another release command holds ${lock}; if none runs, delete it`);
      }
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20 + Math.floor(Math.random() * 30));
    }
  }
  try {
    return work();
  } finally {
    fs.rmSync(lock, { force: true });
  }
}

function isStale(lock: string): boolean {
  try {
    const pid = Number(fs.readFileSync(lock, "utf8").trim());
    const age = Date.now() - fs.statSync(lock).mtimeMs;
    if (age > STALE_LOCK_MS) return true;
    if (!Number.isInteger(pid) || pid <= 0) return age > 1000;
    process.kill(pid, 0); // throws when no such process runs
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "ESRCH" || (e as NodeJS.ErrnoException).code === "ENOENT";
  }
}
