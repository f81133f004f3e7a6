/**
 * `npm run release -- analyze` and `revert-traffic` as processes, the way users and canary.yml run
 * them (node with scripts/register.cjs, as `npm run release` does), against the local fake of
 * Cloud Monitoring and Cloud Run: the modules that talk to Google load in that runtime, a failing
 * canary is rolled back and its live traffic moved, and nothing is looked up but the fake.
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { serviceProps } from "../../lib/app/config";
import { runRelease } from "../../lib/app/release/cli";
import { load, templateRevisions } from "../../lib/app/release/workspace";
import { FakeGoogleApis, REVISION, startFakeGoogleApis } from "../fixtures/google-apis";
import { fixtureTrainingEnvironment } from "../fixtures/environment";
import { environmentsFolder } from "../fixtures/release";

const root = path.resolve(__dirname, "..", "..");
const ENVS = [
  fixtureTrainingEnvironment({ name: "dev", stage: "development" }),
  fixtureTrainingEnvironment({ name: "stg", stage: "preproduction" }),
  fixtureTrainingEnvironment({ name: "prd", stage: "production" }),
];
const T0 = "2026-12-01T10:00:00.000Z";
const image = (c: string) => `europe-west1-docker.pkg.dev/acme-fx-dev/images/predict-api@sha256:${c.repeat(64)}`;

let fake: FakeGoogleApis;
let dir: string;

beforeAll(async () => {
  fake = await startFakeGoogleApis();
  dir = environmentsFolder(ENVS);
  const run = (...argv: string[]) => expect(runRelease(argv, dir, { provenance: { time: T0 } }).code).toBe(0);
  run("pin", "dev", "predict", image("a"));
  run("promote", "dev", "stg", "predict");
  run("promote", "stg", "prd", "predict");
  run("pin", "dev", "predict", image("b"));
  run("promote", "dev", "stg", "predict");
  run("canary", "prd", "predict", "--percent", "10", "--from", "stg");
}, 60_000);

afterAll(async () => {
  await fake.close();
  fs.rmSync(path.dirname(dir), { recursive: true, force: true });
});

/** `npm run release -- ARGV`, as its script runs it, in a process of its own. */
function release(argv: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--require", "./scripts/register.cjs", "scripts/release.ts", ...argv], {
      cwd: root,
      env: {
        ...process.env,
        ENVIRONMENTS_DIR: dir,
        CLOUD_MONITORING_ENDPOINT: fake.url,
        CLOUD_RUN_ENDPOINT: fake.url,
        RELEASE_TEST_NOW: "2026-12-01T10:40:00.000Z",
        // Anything but the fake would need credentials: none are to be found.
        GOOGLE_APPLICATION_CREDENTIALS: path.join(dir, "no-such-credentials.json"),
      },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

test("a failing canary is rolled back by analyze --apply, and revert-traffic moves the live traffic", async () => {
  const loaded = load(dir);
  if ("problems" in loaded) throw new Error(loaded.problems.join("\n"));
  const canary = templateRevisions(loaded.files.find((f) => f.name === "prd")!, loaded.releases.prd).predict;
  const stable = loaded.releases.prd.services.predict.canary!.stableRevision;
  const name = serviceProps(ENVS[2], "predict").name;
  fake.setScenario({
    revisions: {
      [canary]: { requests: { "2xx": 300, "5xx": 100 }, p99Ms: 300 },
      [stable]: { requests: { "2xx": 3600 }, p99Ms: 280 },
    },
    services: {
      [name]: {
        traffic: [
          { type: REVISION, revision: stable, percent: 90, tag: "stable" },
          { type: REVISION, revision: canary, percent: 10, tag: "canary" },
        ],
      },
    },
  });
  const analyzed = await release(["analyze", "prd", "predict", "--apply"]);
  expect(analyzed).toMatchObject({ code: 0, stderr: "" });
  expect(analyzed.stdout).toMatch(/^prd predict: ROLLBACK\nreason: breach: 5xx ratio 25%/);
  expect(
    JSON.parse(fs.readFileSync(path.join(dir, "releases", "prd.json"), "utf8")).services.predict.canary.percent,
  ).toBe(0);

  const reverted = await release(["revert-traffic", "prd", "predict"]);
  expect(reverted).toMatchObject({ code: 0, stderr: "" });
  expect(fake.service(name)!.traffic).toEqual([
    { type: REVISION, revision: stable, percent: 100, tag: "stable" },
    { type: REVISION, revision: canary, percent: 0, tag: "canary" },
  ]);
  // Every request went to the fake, without credentials.
  expect(fake.requests.length).toBeGreaterThan(0);
  expect(fake.requests.every((r) => r.authorization === undefined)).toBe(true);
}, 60_000);
