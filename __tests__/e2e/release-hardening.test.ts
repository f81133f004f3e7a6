/**
 * Release state that cannot be forged, crashed or lost: the reproductions of the security review
 * (issue 23), each as a test. A hand-edited release file with a digest the stage before never ran
 * fails synth and every release command, naming the environment, service and rule; prototype
 * keys, unreadable files and a held lock end in one line and exit 1, never a stack trace, with
 * nothing written; the lock holds through a stale lock's takeover and through Ctrl-C.
 * The environments are the repository's own (environments/), copied as data into a folder.
 */
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { environmentFiles, parseEnvironmentConfig, synthesize } from "../../lib/app";
import { runRelease } from "../../lib/app/release/cli";
import { promotionOrder } from "../../lib/app/promotion";
import { releasables } from "../../lib/app/release/model";
import { imageOf } from "../../lib/app/release/deployment";
import { environmentsFolder, releaseTexts } from "../fixtures/release";

const root = path.resolve(__dirname, "..", "..");
const node = (script: string, args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, ["--require", "./scripts/register.cjs", script, ...args], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, ...env },
  });

/** The example's environments in promotion order, with their release files as committed. */
const example = environmentFiles();
const configs = promotionOrder(example.map((f) => parseEnvironmentConfig(f.config)));
const first = configs[0];
const last = configs[configs.length - 1];
const committed = Object.fromEntries(example.map((f) => [f.name, f.release ?? { services: {} }]));

/** A copy of the example's environments, as data, with `releases` replacing some release files. */
function folder(releases: Record<string, unknown> = {}): string {
  return environmentsFolder(configs, { ...committed, ...releases });
}
const cleanup = (dir: string) => fs.rmSync(path.dirname(dir), { recursive: true, force: true });

/** A stack trace's line, or the name of an error thrown from deep inside. */
const CRASH = /^\s+at |TypeError|ReferenceError|SyntaxError:/m;

/**
 * The service a forger would change: the first the last stage has released, or (from zero, with
 * no release there yet) its first service, given an entry written by hand.
 */
function forgedTarget(): { key: string; release: Record<string, unknown> } {
  const services = (committed[last.name] as { services: Record<string, Record<string, unknown>> }).services;
  const key = releasables(last).find((k) => services[k] !== undefined) ?? releasables(last)[0];
  return { key, release: services[key] ?? {} };
}

describe("a forged release file is refused wherever release files are read", () => {
  const { key, release } = forgedTarget();
  const forged = `sha256:${"e".repeat(64)}`;
  const edit = {
    [last.name]: {
      services: {
        ...(committed[last.name] as { services: object }).services,
        [key]: {
          ...release,
          digest: forged,
          ran: [forged],
          provenance: { verb: "promote", from: "staging", time: "t" },
        },
      },
    },
  };
  const rule = new RegExp(
    `releases/${last.name}\\.json: the release of environment "${last.name}" has 2 invalid fields:\\n` +
      `  - services\\.${key}\\.digest: got "${forged}"; has not served ${key} at the \\w+ stage \\([a-z0-9, -]+\\): ` +
      `${last.name} \\(${last.stage}\\) runs only what the stage before did`,
  );

  test("synth: the environment, the service and the rule; nothing written", () => {
    const dir = folder(edit);
    try {
      const result = synthesize({ dir, outdir: path.join(dir, "out") });
      expect(result.failure).toBe("configuration");
      expect(result.errors).toEqual([expect.stringMatching(rule)]);
      expect(fs.existsSync(path.join(dir, "out"))).toBe(false);
    } finally {
      cleanup(dir);
    }
  });

  test("npm run synth, as a process: exit 1 with the same, and no stack trace", () => {
    const dir = folder(edit);
    try {
      const r = node("main.ts", [], { ENVIRONMENTS_DIR: dir, CDKTF_OUTDIR: path.join(dir, "out") });
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(rule);
      expect(r.stderr).not.toMatch(CRASH);
    } finally {
      cleanup(dir);
    }
  }, 60_000);

  test("release status and every writing verb refuse to run on it, changing nothing", () => {
    const dir = folder(edit);
    try {
      const before = releaseTexts(dir);
      for (const argv of [["status"], ["rollback", last.name, key], ["pin", first.name, key, "x"]]) {
        const r = runRelease(argv, dir);
        expect({ argv, code: r.code }).toEqual({ argv, code: 1 });
        expect(r.stderr).toMatch(rule);
      }
      expect(releaseTexts(dir)).toEqual(before);
    } finally {
      cleanup(dir);
    }
  });
});

describe("no prototype keys, no crashes: one line, exit 1, nothing written", () => {
  const service = releasables(first)[0];
  const image = imageOf(first, service, `sha256:${"a".repeat(64)}`);
  const cases: string[][] = [
    ["pin", first.name, "constructor", image],
    ["pin", first.name, "__proto__", image],
    ["pin", "__proto__", service, image],
    ["pin", "constructor", service, image],
    ["promote", "__proto__", last.name],
    ["promote", first.name, "constructor", "toString"],
    ["canary", "hasOwnProperty", service, "--percent", "5", "--from", "__proto__"],
    ["complete", first.name, "valueOf"],
    ["rollback", "__proto__", "__proto__"],
    ["images", "__proto__", last.name],
    ["models", first.name, "constructor"],
    ["images", first.name, last.name, "constructor"],
  ];

  test.each(cases)("release %s %s %s", (...argv) => {
    const dir = folder();
    try {
      const before = releaseTexts(dir);
      const r = runRelease(argv, dir);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/is not (an environment|in environment)|not a service or job|no release/);
      expect(r.stderr).not.toMatch(CRASH);
      expect(releaseTexts(dir)).toEqual(before);
    } finally {
      cleanup(dir);
    }
  });
});

describe("a release file that is not JSON: one line naming the file and what to do", () => {
  const unreadable: [string, string, RegExp][] = [
    ["empty", "", /is empty/],
    ["only whitespace", "\n  \n", /is empty/],
    ["truncated", '{"services": {', /is not valid JSON \(/],
    ["a merge conflict", '<<<<<<< HEAD\n{"services": {}}\n=======\n', /is not valid JSON \(/],
  ];

  test.each(unreadable)("%s: every verb and synth", (_case, text, what) => {
    const dir = folder();
    try {
      const file = path.join(dir, "releases", `${last.name}.json`);
      fs.writeFileSync(file, text);
      const line = new RegExp(
        `releases/${last.name}\\.json ${what.source}.*: restore it from git \\(git checkout -- .*${last.name}\\.json\\) or fix it by hand`,
      );
      for (const argv of [["status"], ["images", first.name, last.name], ["pin", first.name, "x", "y"]]) {
        const r = runRelease(argv, dir);
        expect({ argv, code: r.code, lines: r.stderr.trim().split("\n").length }).toEqual({ argv, code: 1, lines: 1 });
        expect(r.stderr).toMatch(line);
      }
      const result = synthesize({ dir, outdir: path.join(dir, "out") });
      expect(result.errors).toEqual([expect.stringMatching(line)]);
      expect(fs.readFileSync(file, "utf8")).toBe(text);
    } finally {
      cleanup(dir);
    }
  });

  test("a byte-order mark (some editors add one) is read, and the next write drops it", () => {
    const dir = folder();
    try {
      const file = path.join(dir, "releases", `${first.name}.json`);
      fs.writeFileSync(file, `\uFEFF${fs.readFileSync(file, "utf8")}`);
      expect(runRelease(["status"], dir).code).toBe(0);
      const service = releasables(first)[0];
      const r = runRelease(["pin", first.name, service, imageOf(first, service, `sha256:${"9".repeat(64)}`)], dir, {
        templateRevision: () => "x",
      });
      expect(r.code).toBe(0);
      expect(fs.readFileSync(file, "utf8").startsWith("{")).toBe(true);
    } finally {
      cleanup(dir);
    }
  });
});

describe("the lock", () => {
  test("held by a live process past the wait: one line naming the lock and what to do, exit 1", () => {
    const dir = folder();
    try {
      const lock = path.join(dir, "releases", ".lock");
      fs.writeFileSync(lock, `${process.pid} someone-else\n`);
      const service = releasables(first)[0];
      const r = node(
        "scripts/release.ts",
        ["pin", first.name, service, imageOf(first, service, `sha256:${"1".repeat(64)}`)],
        {
          ENVIRONMENTS_DIR: dir,
          RELEASE_TEST_LOCK_WAIT_MS: "300",
        },
      );
      expect({ status: r.status, stdout: r.stdout }).toEqual({ status: 1, stdout: "" });
      expect(r.stderr).toMatch(
        /^another release command has held .*\.lock for 0 s; wait for it and run this again \(if none runs, delete .*\.lock/,
      );
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(fs.readFileSync(lock, "utf8")).toBe(`${process.pid} someone-else\n`);
    } finally {
      cleanup(dir);
    }
  }, 60_000);

  test("a live process keeps its lock however old it is; a lock that is a link is refused at once", () => {
    const dir = folder();
    try {
      const lock = path.join(dir, "releases", ".lock");
      const service = releasables(first)[0];
      const argv = ["pin", first.name, service, imageOf(first, service, `sha256:${"4".repeat(64)}`)];
      // This test's own process, on this machine, holding it for ten minutes: still alive, so kept.
      fs.writeFileSync(lock, `${process.pid} long-runner ${os.hostname()}\n`);
      const tenMinutesAgo = new Date(Date.now() - 600_000);
      fs.utimesSync(lock, tenMinutesAgo, tenMinutesAgo);
      const kept = node("scripts/release.ts", argv, { ENVIRONMENTS_DIR: dir, RELEASE_TEST_LOCK_WAIT_MS: "300" });
      expect(kept.status).toBe(1);
      expect(kept.stderr).toMatch(/^another release command has held/);
      expect(fs.readFileSync(lock, "utf8")).toBe(`${process.pid} long-runner ${os.hostname()}\n`);
      // A dangling link where the lock goes: one line, at once, not a wait that never ends.
      fs.rmSync(lock);
      fs.symlinkSync(path.join(dir, "nowhere"), lock);
      const started = Date.now();
      const linked = node("scripts/release.ts", argv, { ENVIRONMENTS_DIR: dir, RELEASE_TEST_LOCK_WAIT_MS: "2000" });
      expect({ status: linked.status, stderr: linked.stderr }).toEqual({
        status: 1,
        stderr: expect.stringMatching(/\.lock is not a regular file: delete it and run this again\n$/),
      });
      expect(Date.now() - started).toBeLessThan(30_000);
    } finally {
      cleanup(dir);
    }
  }, 60_000);

  test("a stale lock taken over by 16 processes at once lets one in at a time: no update is lost", async () => {
    const dir = folder();
    try {
      const releases = path.join(dir, "releases");
      fs.writeFileSync(path.join(releases, "counter"), "0");
      // A lock left by a process that has exited.
      const gone = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], {
        encoding: "utf8",
      });
      fs.writeFileSync(path.join(releases, ".lock"), `${gone.stdout} left-behind\n`);
      const takers = Array.from(
        { length: 16 },
        () =>
          new Promise<number | null>((resolve) => {
            const child = spawn(
              process.execPath,
              ["--require", "./scripts/register.cjs", "__tests__/fixtures/lock-counter.ts", dir, "16"],
              { cwd: root, stdio: "ignore" },
            );
            child.on("close", resolve);
          }),
      );
      expect(await Promise.all(takers)).toEqual(Array(16).fill(0));
      expect(fs.readFileSync(path.join(releases, "counter"), "utf8")).toBe("16");
      expect(fs.readdirSync(releases).filter((f) => f.startsWith(".lock"))).toEqual([]);
    } finally {
      cleanup(dir);
    }
  }, 120_000);

  test.each(["SIGINT", "SIGTERM"] as const)(
    "%s while the lock is held: the command finishes, the lock is gone",
    async (signal) => {
      const dir = folder();
      try {
        const lock = path.join(dir, "releases", ".lock");
        const service = releasables(first)[0];
        const digest = `sha256:${"2".repeat(64)}`;
        const child = spawn(
          process.execPath,
          [
            "--require",
            "./scripts/register.cjs",
            "scripts/release.ts",
            "pin",
            first.name,
            service,
            imageOf(first, service, digest),
          ],
          { cwd: root, env: { ...process.env, ENVIRONMENTS_DIR: dir, RELEASE_TEST_HOLD_MS: "1500" }, stdio: "ignore" },
        );
        const closed = new Promise<number | null>((resolve) => child.on("close", resolve));
        const deadline = Date.now() + 30_000;
        while (!fs.existsSync(lock) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
        expect(fs.existsSync(lock)).toBe(true);
        child.kill(signal);
        expect(await closed).toBe(0);
        expect(fs.existsSync(lock)).toBe(false);
        const written = JSON.parse(fs.readFileSync(path.join(dir, "releases", `${first.name}.json`), "utf8"));
        expect(written.services[service].digest).toBe(digest);
      } finally {
        cleanup(dir);
      }
    },
    60_000,
  );

  test("a temporary file or link planted where the old writer put its own is left alone", () => {
    const dir = folder();
    try {
      const releases = path.join(dir, "releases");
      const victim = path.join(path.dirname(dir), "victim");
      fs.writeFileSync(victim, "untouched");
      // The names the writer used to use (pid-based) and a guess at anything else: none is followed.
      for (const pid of [process.pid, process.pid + 1])
        fs.symlinkSync(victim, path.join(releases, `${first.name}.json.${pid}.tmp`));
      const service = releasables(first)[0];
      const r = runRelease(["pin", first.name, service, imageOf(first, service, `sha256:${"3".repeat(64)}`)], dir, {
        templateRevision: () => "x",
      });
      expect(r.code).toBe(0);
      expect(fs.readFileSync(victim, "utf8")).toBe("untouched");
    } finally {
      cleanup(dir);
    }
  });

  test("git ignores what a release command leaves only while it runs", () => {
    for (const file of [
      "environments/releases/.lock",
      "environments/releases/.lock.takeover-0123abcd",
      "environments/releases/dev.json.5f3a.tmp",
    ]) {
      expect({ file, ignored: spawnSync("git", ["check-ignore", "-q", file], { cwd: root }).status }).toEqual({
        file,
        ignored: 0,
      });
    }
    expect(spawnSync("git", ["check-ignore", "-q", "environments/releases/dev.json"], { cwd: root }).status).toBe(1);
  });
});
