/**
 * `npm run release` as processes: two release commands started at the same moment on the same
 * release file must both land (the lock), and no torn or temporary file is left; `status` runs on
 * the repository's own environments; a usage error exits 2.
 */
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { environmentFiles } from "../../lib/app";
import { USAGE } from "../../lib/app/release/cli";
import { fixtureEnvironment, fixtureService } from "../fixtures/environment";
import { environmentsFolder } from "../fixtures/release";

const root = path.resolve(__dirname, "..", "..");
const ARGS = ["--require", "./scripts/register.cjs", "scripts/release.ts"];
const image = (service: string, c: string) =>
  `europe-west1-docker.pkg.dev/acme-fx-alpha/images/${service}@sha256:${c.repeat(64)}`;

function release(dir: string, argv: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    // Each holds the lock for 300 ms between reading the files and writing one: without the
    // lock, the second to write would drop the first one's update.
    const child = spawn(process.execPath, [...ARGS, ...argv], {
      cwd: root,
      env: { ...process.env, ENVIRONMENTS_DIR: dir, RELEASE_TEST_HOLD_MS: "300" },
    });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    child.on("close", (code) => resolve({ code, out }));
  });
}

test("two release commands started together both land, and leave no torn or temporary file", async () => {
  const alpha = fixtureEnvironment({
    name: "alpha",
    stage: "development",
    services: { predict: fixtureService(), embed: fixtureService({ image: "embed" }) },
  });
  const dir = environmentsFolder([alpha]);
  try {
    for (const [a, b] of [["1", "2"]]) {
      const results = await Promise.all([
        release(dir, ["pin", "alpha", "predict", image("predict-api", a)]),
        release(dir, ["pin", "alpha", "embed", image("embed", b)]),
      ]);
      expect(results.map((r) => r.code)).toEqual([0, 0]);
      const file = JSON.parse(fs.readFileSync(path.join(dir, "releases", "alpha.json"), "utf8"));
      expect([file.services.predict.digest, file.services.embed.digest]).toEqual([
        `sha256:${a.repeat(64)}`,
        `sha256:${b.repeat(64)}`,
      ]);
    }
    expect(fs.readdirSync(path.join(dir, "releases"))).toEqual(["alpha.json"]);
  } finally {
    fs.rmSync(path.dirname(dir), { recursive: true, force: true });
  }
}, 60_000);

test("the release command's status lists every environment of environments/", () => {
  const r = spawnSync(process.execPath, [...ARGS, "status"], { cwd: root, encoding: "utf8" });
  expect(r.status).toBe(0);
  const rows = r.stdout.split("\n").slice(2).filter(Boolean);
  expect(new Set(rows.map((l) => l.split(/\s+/)[0]))).toEqual(new Set(environmentFiles().map((f) => f.name)));
}, 60_000);

test("a usage error exits 2 with the usage on stderr, and writes nothing", () => {
  const r = spawnSync(process.execPath, [...ARGS, "canary", "dev", "predict", "--percent"], {
    cwd: root,
    encoding: "utf8",
  });
  expect({ status: r.status, stdout: r.stdout, stderr: r.stderr }).toEqual({
    status: 2,
    stdout: "",
    stderr: `canary --percent needs a value: --percent N\n\nUsage:\n${USAGE}\n`,
  });
}, 60_000);

test("Prettier leaves release files alone, so a release pull request passes the format check", () => {
  // The release command's canonical JSON breaks every array onto lines; Prettier would join
  // short ones, and the format check of the release's pull request would fail.
  for (const file of ["environments/releases/dev.json", "environments/releases/a-new-environment.json"]) {
    const info = spawnSync(process.execPath, ["node_modules/prettier/bin/prettier.cjs", "--file-info", file], {
      cwd: root,
      encoding: "utf8",
    });
    expect({ file, info: JSON.parse(info.stdout) }).toEqual({ file, info: expect.objectContaining({ ignored: true }) });
  }
  const config = spawnSync(process.execPath, ["node_modules/prettier/bin/prettier.cjs", "--file-info", "main.ts"], {
    cwd: root,
    encoding: "utf8",
  });
  expect(JSON.parse(config.stdout).ignored).toBe(false);
});
