/**
 * Canaries that decide, end to end: a scratch copy of three environments with a canary in flight
 * in production, a local server standing in for Cloud Monitoring and the Cloud Run Admin API (in
 * their wire formats), and `npm run release -- analyze` as users run it (runReleaseAsync, the
 * function scripts/release.ts calls). A healthy canary advances and then completes; an erroring or
 * slow one rolls back; a quiet one holds; an API error holds with its message; only --apply
 * writes; a hold leaves every file byte-identical. Then the rollback that does not wait
 * (revert-traffic) and a drill.
 */
import * as fs from "fs";
import * as path from "path";
import { serviceProps } from "../../lib/app/config";
import { runRelease, runReleaseAsync } from "../../lib/app/release/cli";
import { asRelease } from "../../lib/app/release/model";
import { load, templateRevisions } from "../../lib/app/release/workspace";
import { FakeGoogleApis, FakeScenario, REVISION, startFakeGoogleApis } from "../fixtures/google-apis";
import { fixtureTrainingEnvironment } from "../fixtures/environment";
import { environmentsFolder, releaseTexts } from "../fixtures/release";

const ENVS = [
  fixtureTrainingEnvironment({ name: "dev", stage: "development" }),
  fixtureTrainingEnvironment({ name: "stg", stage: "preproduction" }),
  fixtureTrainingEnvironment({ name: "prd", stage: "production" }),
];
const [DEV, STG, PRD] = ENVS;
const T0 = "2026-12-01T10:00:00.000Z";
const minutesAfter = (iso: string, m: number) => new Date(Date.parse(iso) + m * 60_000);
const image = (env: string, c: string) =>
  `europe-west1-docker.pkg.dev/acme-fx-${env}/images/predict-api@sha256:${c.repeat(64)}`;

let fake: FakeGoogleApis;
let template: string;
const saved: Record<string, string | undefined> = {};

beforeAll(async () => {
  fake = await startFakeGoogleApis();
  for (const v of ["CLOUD_MONITORING_ENDPOINT", "CLOUD_RUN_ENDPOINT", "RELEASE_TEST_NOW"]) saved[v] = process.env[v];
  process.env.CLOUD_MONITORING_ENDPOINT = fake.url;
  process.env.CLOUD_RUN_ENDPOINT = fake.url;
  // Released through the commands: a digest served in dev and stg, then canaried in prd from stg.
  template = environmentsFolder(ENVS);
  const provenance = { time: T0 };
  const run = (...argv: string[]) => {
    const r = runRelease(argv, template, { provenance });
    if (r.code !== 0) throw new Error(`${argv.join(" ")}: ${r.stderr}`);
  };
  run("pin", DEV.name, "predict", image("dev", "a"));
  run("promote", DEV.name, STG.name, "predict");
  run("promote", STG.name, PRD.name, "predict");
  run("pin", DEV.name, "predict", image("dev", "b"));
  run("promote", DEV.name, STG.name, "predict");
  run("canary", PRD.name, "predict", "--percent", "10", "--from", STG.name);
}, 60_000);

afterAll(async () => {
  await fake.close();
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  fs.rmSync(path.dirname(template), { recursive: true, force: true });
});

/** A fresh copy of the environments, with the canary in flight in prd. */
function scratch(): string {
  const dir = path.join(fs.mkdtempSync(path.join(path.dirname(path.dirname(template)), "scratch-")), "environments");
  fs.cpSync(template, dir, { recursive: true });
  return dir;
}

/** The canary's and the stable revision's names in an environment, as its stack names them. */
function revisions(dir: string, env: string): { canary: string; stable: string } {
  const loaded = load(dir);
  if ("problems" in loaded) throw new Error(loaded.problems.join("\n"));
  const release = loaded.releases[env];
  return {
    canary: templateRevisions(loaded.files.find((f) => f.name === env)!, release).predict,
    stable: release.services.predict.canary!.stableRevision,
  };
}

const predictOf = (dir: string, env: string) =>
  asRelease(JSON.parse(fs.readFileSync(path.join(dir, "releases", `${env}.json`), "utf8"))).services.predict;

const analyze = (dir: string, now: Date, ...flags: string[]) =>
  runReleaseAsync(["analyze", PRD.name, "predict", ...flags], dir, { now });

/**
 * What the fake answers: the two revisions' metrics, and the service's live traffic as the release
 * file says (deployed), unless `live` says otherwise.
 */
function metrics(
  dir: string,
  env: string,
  canary: { ok: number; errors: number; p99: number },
  stable = { ok: 3600, errors: 10, p99: 280 },
  live?: { canaryPercent: number; updateTime?: string },
): FakeScenario {
  const r = revisions(dir, env);
  const percent = live?.canaryPercent ?? predictOf(dir, env).canary!.percent;
  return {
    revisions: {
      [r.canary]: { requests: { "2xx": canary.ok, "5xx": canary.errors }, p99Ms: canary.p99 },
      [r.stable]: { requests: { "2xx": stable.ok, "5xx": stable.errors }, p99Ms: stable.p99 },
    },
    services: {
      [serviceProps(ENVS.find((e) => e.name === env)!, "predict").name]: {
        traffic: [
          { type: REVISION, revision: r.stable, percent: 100 - percent, tag: "stable" },
          { type: REVISION, revision: r.canary, percent, tag: "canary" },
        ],
        ...(live?.updateTime === undefined ? {} : { extra: { updateTime: live.updateTime } }),
      },
    },
  };
}

describe("analyze on a canary in flight in production", () => {
  test("healthy with enough requests: advances to the next step, then completes; each decision recorded with its evidence", async () => {
    const dir = scratch();
    fake.setScenario(metrics(dir, PRD.name, { ok: 400, errors: 1, p99: 300 }));
    const first = await analyze(dir, minutesAfter(T0, 31), "--apply");
    expect(first).toMatchObject({ code: 0, stderr: "" });
    expect(first.stdout).toMatch(
      /^prd predict: ADVANCE to 50%\nreason: healthy over 31 minutes and 401 requests at 10%: on to 50%/,
    );
    const advanced = predictOf(dir, PRD.name);
    expect(advanced.canary).toMatchObject({ percent: 50, since: minutesAfter(T0, 31).toISOString() });
    expect(advanced.provenance.verb).toBe("advance");
    expect(advanced.decisions![0]).toMatchObject({
      decision: "advance",
      percent: 10,
      to: 50,
      window: { start: T0, end: minutesAfter(T0, 31).toISOString() },
      evidence: {
        canary: { requests: 401, errors: 1, p99Ms: 300 },
        stable: { requests: 3610, errors: 10, p99Ms: 280 },
      },
      breaches: [],
    });
    // The query asked for the step's minutes, for both revisions, from the API's own path.
    const asked = fake.requests.filter((r) => r.api === "monitoring");
    expect(asked.length).toBeGreaterThan(0);
    expect(
      asked.every((r) => r.path === `/v3/projects/${PRD.project}/timeSeries` && r.authorization === undefined),
    ).toBe(true);
    expect(asked[0].query["interval.startTime"]).toEqual([T0]);

    // Until the advance is deployed (its pull request waits for review), the live traffic is
    // still 10%: the step is not judged.
    const before = releaseTexts(dir);
    const waiting = await analyze(dir, minutesAfter(T0, 62), "--apply");
    expect(waiting.stdout).toMatch(
      /HOLD\nreason: the live traffic \(90% \S+, 10% \S+\) is not the release file's \(50% \S+, 50% \S+\): the change is not deployed yet/,
    );
    expect(releaseTexts(dir)).toEqual(before);
    // Deployed at +70: the step's minutes start then, not when the file was written (+31).
    const deployed = minutesAfter(T0, 70).toISOString();
    fake.setScenario(
      metrics(dir, PRD.name, { ok: 400, errors: 1, p99: 300 }, undefined, { canaryPercent: 50, updateTime: deployed }),
    );
    const early = await analyze(dir, minutesAfter(T0, 90), "--apply");
    expect(early.stdout).toMatch(/HOLD\nreason: too early: 20 of 30 minutes at 50%/);
    // The revision names are unchanged by an advance (a traffic-only change): the same metrics.
    const second = await analyze(dir, minutesAfter(T0, 101), "--apply", "--json");
    expect(second.code).toBe(0);
    const json = JSON.parse(second.stdout);
    expect(json).toMatchObject({ decision: "complete", applied: true, canary: { percent: 50 } });
    expect(json.reason).toMatch(/the last step/);
    expect(json.evidence.canary.requests).toBe(401);
    const completed = predictOf(dir, PRD.name);
    expect(completed.canary).toBeUndefined();
    expect(completed.digest).toBe(`sha256:${"b".repeat(64)}`);
    expect(completed.ran[0]).toBe(`sha256:${"b".repeat(64)}`);
    expect(completed.decisions!.map((d) => d.decision)).toEqual(["complete", "advance"]);
  });

  test.each([
    ["erroring", { ok: 380, errors: 20, p99: 300 }, /5xx ratio 5% \(20 of 400\) is above maxErrorRatio 2% by 3 pts/],
    ["slow", { ok: 400, errors: 0, p99: 1800 }, /p99 1800 ms is above maxP99Ms 1000 by 800 ms/],
  ])("an %s canary rolls back, recorded with the breach", async (_what, canary, breach) => {
    const dir = scratch();
    fake.setScenario(metrics(dir, PRD.name, canary));
    const result = await analyze(dir, minutesAfter(T0, 12), "--apply");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^prd predict: ROLLBACK\n/);
    const after = predictOf(dir, PRD.name);
    expect(after.canary!.percent).toBe(0);
    expect(after.provenance.verb).toBe("rollback");
    expect(after.decisions![0].decision).toBe("rollback");
    expect(after.decisions![0].breaches.join("; ")).toMatch(breach);
  });

  test.each<[string, "quiet" | "same", Date, RegExp]>([
    ["a quiet canary (no requests)", "quiet", minutesAfter(T0, 40), /HOLD\nreason: no data yet/],
    ["too early", "same", minutesAfter(T0, 5), /HOLD\nreason: too early: 5 of 30 minutes at 10%/],
    ["too few requests", "same", minutesAfter(T0, 45), /HOLD\nreason: too few requests: 41 of 100 at 10%/],
  ])("%s holds, and with --apply every file is unchanged", async (_what, scenario, now, reason) => {
    const dir = scratch();
    const served = metrics(dir, PRD.name, { ok: 40, errors: 1, p99: 200 });
    fake.setScenario(scenario === "same" ? served : { ...served, revisions: {} });
    const before = releaseTexts(dir);
    const result = await analyze(dir, now, "--apply");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(reason);
    expect(result.stdout).toMatch(/hold: nothing was written\n$/);
    expect(releaseTexts(dir)).toEqual(before);
  });

  test.each([
    ["permission-denied", /403 PERMISSION_DENIED.*roles\/monitoring\.viewer/],
    ["api-disabled", /monitoring\.googleapis\.com/],
    ["quota", /429/],
    ["server-error", /500/],
  ] as const)(
    "an API error (%s) holds with the API's message and what to do; nothing is written",
    async (failure, message) => {
      const dir = scratch();
      fake.setScenario({
        ...metrics(dir, PRD.name, { ok: 400, errors: 40, p99: 3000 }),
        fail: { monitoring: failure },
      });
      const before = releaseTexts(dir);
      const result = await analyze(dir, minutesAfter(T0, 40), "--apply", "--json");
      expect(result.code).toBe(0);
      const json = JSON.parse(result.stdout);
      expect(json.decision).toBe("hold");
      expect(json.reason).toMatch(/^the metrics could not be read: /);
      expect(json.reason).toMatch(message);
      expect(json.applied).toBe(false);
      expect(releaseTexts(dir)).toEqual(before);
    },
  );

  test("without --apply a decision is printed, never written", async () => {
    const dir = scratch();
    fake.setScenario(metrics(dir, PRD.name, { ok: 300, errors: 100, p99: 300 }));
    const before = releaseTexts(dir);
    const result = await analyze(dir, minutesAfter(T0, 40));
    expect(result.stdout).toMatch(/ROLLBACK[\s\S]*not applied: run again with --apply/);
    expect(result.stdout).toMatch(/canary +prd-predict-\S+|canary +predict-\S+/);
    expect(releaseTexts(dir)).toEqual(before);
  });

  test("bad input and no canary in flight exit 1, naming the problem, and write nothing", async () => {
    const dir = scratch();
    const before = releaseTexts(dir);
    for (const [argv, problem] of [
      [["analyze", "nowhere", "predict"], /"nowhere" is not an environment/],
      [["analyze", PRD.name, "nothing"], /service "nothing" is not in environment prd/],
      [["analyze", PRD.name, "train"], /train is a job in environment prd/],
      [["analyze", STG.name, "predict"], /predict in stg has no canary in flight to analyze/],
    ] as const) {
      const result = await runReleaseAsync([...argv], dir, { now: minutesAfter(T0, 40) });
      expect(result).toMatchObject({ code: 1, stdout: "" });
      expect(result.stderr).toMatch(/^release analyze refused; nothing was changed:\n {2}- /);
      expect(result.stderr).toMatch(problem);
    }
    expect((await runReleaseAsync(["analyze", PRD.name], dir)).code).toBe(2);
    expect(releaseTexts(dir)).toEqual(before);
  });

  test("in-flight lists the canaries the workflow judges, with the identity it needs", () => {
    const dir = scratch();
    const listed = JSON.parse(runRelease(["in-flight", "--json"], dir).stdout);
    expect(listed).toEqual([
      {
        environment: PRD.name,
        service: "predict",
        stage: "production",
        project: PRD.project,
        providerVariable: "GCP_WORKLOAD_IDENTITY_PROVIDER_PRD",
        drill: false,
      },
    ]);
  });
});

describe("the rollback that does not wait: revert-traffic", () => {
  test("after a rollback, the live traffic goes to the stable revision, as the stack will write it", async () => {
    const dir = scratch();
    fake.setScenario(metrics(dir, PRD.name, { ok: 300, errors: 100, p99: 300 }));
    expect((await analyze(dir, minutesAfter(T0, 40), "--apply")).stdout).toMatch(/ROLLBACK/);
    const { canary, stable } = revisions(dir, PRD.name);
    const serviceName = serviceProps(PRD, "predict").name;
    fake.setScenario({
      services: {
        [serviceName]: {
          traffic: [
            { type: REVISION, revision: stable, percent: 90, tag: "stable" },
            { type: REVISION, revision: canary, percent: 10, tag: "canary" },
          ],
        },
      },
    });
    const result = await runReleaseAsync(["revert-traffic", PRD.name, "predict"], dir);
    expect(result).toMatchObject({ code: 0, stderr: "" });
    expect(result.stdout).toMatch(/live traffic 90% .* → 100% .*\(stable\), 0% .*\(canary\)/);
    expect(fake.service(serviceName)!.traffic).toEqual([
      { type: REVISION, revision: stable, percent: 100, tag: "stable" },
      { type: REVISION, revision: canary, percent: 0, tag: "canary" },
    ]);
    // Again: nothing to change.
    expect((await runReleaseAsync(["revert-traffic", PRD.name, "predict"], dir)).stdout).toMatch(/already/);
  });

  test("refused: a canary still in flight in the file, or live traffic on a revision the file does not name", async () => {
    const dir = scratch();
    const inFlight = await runReleaseAsync(["revert-traffic", PRD.name, "predict"], dir);
    expect(inFlight.code).toBe(1);
    expect(inFlight.stderr).toMatch(/no rolled-back canary \(its canary takes 10%\)/);
    expect(runRelease(["rollback", PRD.name, "predict"], dir).code).toBe(0);
    fake.setScenario({
      services: {
        [serviceProps(PRD, "predict").name]: {
          traffic: [{ type: REVISION, revision: "predict-00042-xyz", percent: 100 }],
        },
      },
    });
    const stranger = await runReleaseAsync(["revert-traffic", PRD.name, "predict"], dir);
    expect(stranger.code).toBe(1);
    expect(stranger.stderr).toMatch(/a revision the release file does not name/);
    expect(fake.service(serviceProps(PRD, "predict").name)!.traffic[0].revision).toBe("predict-00042-xyz");
  });
});

describe("a drill", () => {
  test("canaries what serves with a fault on in preproduction; the analysis rolls it back and records the detection", async () => {
    const dir = scratch();
    const started = runRelease(["drill", STG.name, "predict", "--error-rate", "0.5"], dir, {
      provenance: { time: T0 },
    });
    expect(started).toMatchObject({ code: 0, stderr: "" });
    expect(started.stdout).toMatch(/stg predict: drill: canary .* with 50% of requests failing takes 10%/);
    const drilled = predictOf(dir, STG.name);
    expect(drilled.canary).toMatchObject({ digest: drilled.digest, percent: 10, drill: { errorRate: 0.5 } });
    // The canary's template runs with the fault switched on: its revision name differs from stable's.
    const { canary, stable } = revisions(dir, STG.name);
    expect(canary).not.toBe(stable);
    expect(
      JSON.parse(runRelease(["in-flight", "--json"], dir).stdout).map((c: { drill: boolean }) => c.drill),
    ).toContain(true);
    fake.setScenario(metrics(dir, STG.name, { ok: 30, errors: 30, p99: 200 }));
    const result = await runReleaseAsync(["analyze", STG.name, "predict", "--apply"], dir, {
      now: minutesAfter(T0, 4),
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^stg predict: ROLLBACK \(drill\)\nreason: drill detected after 4 minutes: breach: /);
    const after = predictOf(dir, STG.name);
    expect(after.canary!.percent).toBe(0);
    expect(after.decisions![0]).toMatchObject({ decision: "rollback", drill: { detected: true, minutes: 4 } });
    const status = runRelease(["status"], dir, { now: minutesAfter(T0, 5) }).stdout;
    expect(status).toMatch(/rollback at 10% \(drill, detected in 4 min\)/);
  });

  test("a drill the analysis misses is still rolled back, and recorded as not detected", async () => {
    const dir = scratch();
    expect(runRelease(["drill", STG.name, "predict"], dir, { provenance: { time: T0 } }).code).toBe(0);
    fake.setScenario(metrics(dir, STG.name, { ok: 500, errors: 0, p99: 200 }));
    const result = await runReleaseAsync(["analyze", STG.name, "predict", "--apply"], dir, {
      now: minutesAfter(T0, 20),
    });
    expect(result.stdout).toMatch(/ROLLBACK \(drill\)\nreason: drill NOT detected/);
    expect(predictOf(dir, STG.name).decisions![0].drill).toEqual({ detected: false, minutes: 20 });
  });

  test("never in production", () => {
    const dir = scratch();
    expect(runRelease(["rollback", PRD.name, "predict"], dir).code).toBe(0);
    const result = runRelease(["drill", PRD.name, "predict"], dir);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/a drill never runs in production/);
  });
});
