import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
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

/**
 * A release file that cannot be read as JSON: one line naming the file, what is wrong with it and
 * what to do. Every command that reads release files (the release verbs, synth) reports it as a
 * problem, never as a stack trace.
 */
export class UnreadableReleaseError extends Error {
  override readonly name = "UnreadableReleaseError";
  constructor(
    readonly file: string,
    what: string,
  ) {
    super(
      `${file} ${what}: restore it from git (git checkout -- ${file}) or fix it by hand; npm run release writes it`,
    );
  }
}

/** The text of a file as a release file: JSON, a byte-order mark allowed (some editors add one). */
export function parseReleaseText(file: string, text: string): unknown {
  const body = text.replace(/^\uFEFF/, "");
  if (body.trim() === "") throw new UnreadableReleaseError(file, "is empty");
  try {
    return JSON.parse(body);
  } catch (e) {
    throw new UnreadableReleaseError(file, `is not valid JSON (${(e as Error).message})`);
  }
}

/**
 * The release file of an environment as written, or undefined when it has none yet; throws
 * {@link UnreadableReleaseError} when it is not JSON.
 */
export function readRelease(environmentsDir: string, environment: string): unknown {
  const file = releasePath(environmentsDir, environment);
  if (!fs.existsSync(file)) return undefined;
  return parseReleaseText(path.relative(process.cwd(), file) || file, fs.readFileSync(file, "utf8"));
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

/**
 * Writes a release file atomically: readers see the old file or the new one, never a torn one.
 * The temporary file has a random name and is created exclusively, so a file or symbolic link
 * planted at a predictable name cannot redirect the write.
 */
export function writeRelease(environmentsDir: string, environment: string, release: ReleaseFile): void {
  const file = releasePath(environmentsDir, environment);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${crypto.randomBytes(8).toString("hex")}.tmp`;
  const fd = fs.openSync(tmp, "wx", 0o644);
  try {
    fs.writeSync(fd, canonicalJson(release));
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  try {
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}

const LOCK_WAIT_MS = 30_000;

/** How long to wait for the lock: 30 s, or RELEASE_TEST_LOCK_WAIT_MS (the test of the timeout). */
function lockWaitMs(): number {
  const ms = Number(process.env.RELEASE_TEST_LOCK_WAIT_MS);
  return Number.isInteger(ms) && ms > 0 ? ms : LOCK_WAIT_MS;
}
const STALE_LOCK_MS = 120_000;

/** The lock could not be had in time: one line, naming the lock file and what to do. */
export class ReleaseLockError extends Error {
  override readonly name = "ReleaseLockError";
  constructor(
    readonly lock: string,
    problem?: string,
  ) {
    super(
      problem === undefined
        ? `another release command has held ${lock} for ${Math.round(lockWaitMs() / 1000)} s; wait for it and run this again (if none runs, delete ${lock} and any ${lock}.takeover-* beside it)`
        : `${lock} ${problem}: delete it and run this again`,
    );
  }
}

/** What a lock file holds: its owner's process id and a token no other lock shares. */
interface LockOwner {
  readonly pid: number;
  readonly token: string;
  /** The machine it runs on: a process id means nothing on another one. */
  readonly host?: string;
}

function readLock(lock: string): { owner?: LockOwner; text: string; age: number } | undefined {
  try {
    // Never follow a link: a lock is a regular file this code created.
    const stat = fs.lstatSync(lock);
    if (!stat.isFile()) throw new ReleaseLockError(path.relative(process.cwd(), lock) || lock, "is not a regular file");
    const text = fs.readFileSync(lock, "utf8");
    const age = Date.now() - stat.mtimeMs;
    const [pid, token, host] = text.trim().split(/\s+/);
    const owner = /^[1-9][0-9]*$/.test(pid ?? "") && token ? { pid: Number(pid), token, host } : undefined;
    return { owner, text, age };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw e;
  }
}

/**
 * Whether a lock may be taken over. On this machine, only when its process no longer runs (a
 * live one keeps it, however long it takes); a lock still being written (no owner yet) after a
 * second; one from another machine (a shared folder), whose process cannot be asked, after two
 * minutes.
 */
function stale(held: { owner?: LockOwner; age: number }): boolean {
  if (held.owner === undefined) return held.age > 1000;
  const here = held.owner.host === undefined || held.owner.host === (os.hostname() || "-");
  return here ? dead(held.owner.pid) : held.age > STALE_LOCK_MS;
}

/** True when no process of that id runs (a lock from a process that died). */
function dead(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "ESRCH";
  }
}

/**
 * Removes a stale lock, if it is still the one judged stale. Only one process can remove a given
 * lock: the one that creates `<lock>.takeover-<its text's hash>` exclusively. It then reads the
 * lock again and removes it only if it still holds the same text, and nothing else can replace
 * that text meanwhile (the owner is gone, and taking over needs the takeover file). A slower
 * taker that creates the takeover file afterwards finds another lock, or none, and leaves it.
 */
function takeOver(lock: string, staleText: string): boolean {
  const id = crypto.createHash("sha256").update(staleText).digest("hex").slice(0, 16);
  const guard = `${lock}.takeover-${id}`;
  let fd: number;
  try {
    fd = fs.openSync(guard, "wx");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "EEXIST") return false; // another process is taking it over
    throw e;
  }
  fs.closeSync(fd);
  try {
    if (readLock(lock)?.text === staleText) fs.rmSync(lock, { force: true });
  } finally {
    fs.rmSync(guard, { force: true });
  }
  return true;
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Runs `work` holding the releases folder's lock: a file created exclusively, holding this
 * process's id, a random token and the machine's name. Another release command waits for it (up
 * to 30 s, then {@link ReleaseLockError}); a lock left by a process of this machine that no longer
 * runs (or, from another machine, older than two minutes) is taken over, by one process only. While the lock is held, SIGINT and SIGTERM wait
 * until the work is done and the lock released (the command finishes or refuses, then exits).
 */
export function withReleaseLock<T>(environmentsDir: string, work: () => T): T {
  const dir = releasesDir(environmentsDir);
  fs.mkdirSync(dir, { recursive: true });
  const lock = path.join(dir, ".lock");
  const mine = `${process.pid} ${crypto.randomBytes(12).toString("hex")} ${os.hostname() || "-"}\n`;
  const started = Date.now();
  // While the lock is held, SIGINT and SIGTERM are taken by a handler that does nothing: the
  // synchronous work finishes and the lock is released, then the command exits. Installed before each attempt, so that it is there the moment the lock exists; removed after
  // a failed one, so that Ctrl-C stops a command that is only waiting.
  const deferred = () => undefined;
  const listen = (on: boolean) => {
    for (const signal of ["SIGINT", "SIGTERM"] as const) process[on ? "on" : "off"](signal, deferred);
  };
  for (;;) {
    listen(true);
    try {
      fs.writeFileSync(lock, mine, { flag: "wx" });
      break;
    } catch (e) {
      listen(false);
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      const held = readLock(lock);
      if (Date.now() - started > lockWaitMs()) throw new ReleaseLockError(path.relative(process.cwd(), lock) || lock);
      if (held === undefined) continue; // released between the two calls
      if (stale(held) && takeOver(lock, held.text)) continue;
      sleep(20 + crypto.randomInt(30));
    }
  }
  try {
    return work();
  } finally {
    // Compare and delete: a lock taken over (from another machine, after two minutes) is not ours.
    if (readLock(lock)?.text === mine) fs.rmSync(lock, { force: true });
    // A signal that came meanwhile was taken by the handler: the command has finished, and
    // exits as it would have.
    listen(false);
  }
}
