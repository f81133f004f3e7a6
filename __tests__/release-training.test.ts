/**
 * Jobs and model versions as release state, through the commands users run (runRelease is
 * `npm run release -- …`), in a folder of the tests' own environments with training: alpha
 * (development), beta (preproduction), gamma (production), each with a bucket `models`, a job
 * `train` and `predict` serving a model from the bucket.
 */
import * as fs from "fs";
import * as path from "path";
import { EnvironmentConfig, synthesize } from "../lib/app";
import { jobTarget } from "../lib/app/environments";
import { runRelease } from "../lib/app/release/cli";
import { releaseProblems } from "../lib/app/release/model";
import { fixtureTrainingEnvironment } from "./fixtures/environment";
import { environmentsFolder, releaseTexts } from "./fixtures/release";
import { Json } from "./helpers";

const digest = (c: string) => `sha256:${c.repeat(64)}`;
const configs: EnvironmentConfig[] = [
  fixtureTrainingEnvironment({ name: "alpha", stage: "development" }),
  fixtureTrainingEnvironment({ name: "beta", stage: "preproduction" }),
  fixtureTrainingEnvironment({ name: "gamma", stage: "production" }),
];
const image = (env: string, name: string, c: string) =>
  `europe-west1-docker.pkg.dev/acme-fx-${env}/images/${name}@${digest(c)}`;

let dir: string;
const release = (...argv: string[]) => runRelease(argv, dir, { provenance: { time: "2026-11-27T10:00:00.000Z" } });

/** Synthesizes the folder; each environment's resources by type. */
function stacks(): Record<string, Json> {
  const out = path.join(path.dirname(dir), "out");
  fs.rmSync(out, { recursive: true, force: true });
  const result = synthesize({ dir, outdir: out, environmentsOnly: true });
  expect(result.errors).toEqual([]);
  return Object.fromEntries(
    (result.environments ?? []).map((env) => [
      env,
      JSON.parse(fs.readFileSync(path.join(out, "stacks", env, "cdk.tf.json"), "utf8")).resource,
    ]),
  );
}
const only = (byId: Json | undefined): Json => {
  const all = Object.values<Json>(byId ?? {});
  expect(all).toHaveLength(1);
  return all[0];
};
const modelPath = (svc: Json) =>
  (svc.template.containers[0].env as Json[]).find((e) => e.name === "MODEL_PATH")?.value as string | undefined;

beforeAll(() => {
  dir = environmentsFolder(configs);
});
afterAll(() => fs.rmSync(path.dirname(dir), { recursive: true, force: true }));

describe("jobs and model versions through pin, promote, canary and complete", () => {
  test("before any release: Google's sample job in development, no job later; status lists the job", () => {
    const tf = stacks();
    expect(only(tf.alpha.google_cloud_run_v2_job).template.template.containers[0].image).toBe(
      "us-docker.pkg.dev/cloudrun/container/job",
    );
    expect(modelPath(only(tf.alpha.google_cloud_run_v2_service))).toBeUndefined();
    for (const env of ["beta", "gamma"]) expect(tf[env].google_cloud_run_v2_job).toBeUndefined();
    // The bucket is there from the first apply: the job writes into it before anything serves.
    for (const env of ["alpha", "beta", "gamma"]) expect(tf[env].google_storage_bucket).toBeDefined();
    const rows = release("status").stdout.split("\n").slice(2, 8);
    expect(rows.map((r) => r.split(/\s{2,}/).slice(0, 5))).toEqual([
      ["alpha", "development", "predict", "(placeholder)", "(image's own)"],
      ["alpha", "development", "train (job)", "(placeholder)", "-"],
      ["beta", "preproduction", "predict", "(not deployed)", "(image's own)"],
      ["beta", "preproduction", "train (job)", "(not deployed)", "-"],
      ["gamma", "production", "predict", "(not deployed)", "(image's own)"],
      ["gamma", "production", "train (job)", "(not deployed)", "-"],
    ]);
  });

  test("pin a job's image and a service's image with a model; then a model alone", () => {
    expect(release("pin", "alpha", "train", image("alpha", "trainer", "a"))).toMatchObject({
      code: 0,
      stdout: `alpha train: (none) → ${"a".repeat(12)}\n`,
    });
    expect(
      release("pin", "alpha", "predict", image("alpha", "predict-api", "b"), "--model", "fixture/exec-1"),
    ).toMatchObject({
      code: 0,
      stdout: `alpha predict: (none) → ${"b".repeat(12)} + fixture/exec-1\n`,
    });
    expect(release("pin", "alpha", "predict", "--model", "fixture/exec-2")).toMatchObject({
      code: 0,
      stdout: `alpha predict: ${"b".repeat(12)} + fixture/exec-1 → ${"b".repeat(12)} + fixture/exec-2\n`,
    });
    const tf = stacks().alpha;
    expect(only(tf.google_cloud_run_v2_job).template.template.containers[0].image).toBe(image("alpha", "trainer", "a"));
    const svc = only(tf.google_cloud_run_v2_service);
    expect(modelPath(svc)).toBe("/models/fixture/exec-2");
    expect(svc.template.volumes).toEqual([
      { name: "gcs-0", gcs: { bucket: expect.stringMatching(/^\$\{google_storage_bucket\./), read_only: true } },
    ]);
    const file = JSON.parse(fs.readFileSync(path.join(dir, "releases", "alpha.json"), "utf8"));
    expect(file.services.predict).toMatchObject({
      digest: digest("b"),
      model: "fixture/exec-2",
      modelsRan: ["fixture/exec-2", "fixture/exec-1"],
      ran: [digest("b")],
    });
  });

  test("promotion carries the job's image and the model version; the copy commands name both", () => {
    expect(release("images", "alpha", "beta").stdout).toBe(
      `${image("alpha", "predict-api", "b")} ${image("beta", "predict-api", "b")}\n` +
        `${image("alpha", "trainer", "a")} ${image("beta", "trainer", "a")}\n`,
    );
    expect(release("models", "alpha", "beta").stdout).toBe(
      "gs://acme-fx-alpha-models/fixture/exec-2/ gs://acme-fx-beta-models/fixture/exec-2/\n",
    );
    expect(release("promote", "alpha", "beta")).toMatchObject({
      code: 0,
      stdout: `beta predict: (none) → ${"b".repeat(12)} + fixture/exec-2 (from alpha)\nbeta train: (none) → ${"a".repeat(12)} (from alpha)\n`,
    });
    expect(release("promote", "beta", "gamma")).toMatchObject({ code: 0 });
    const tf = stacks();
    for (const env of ["beta", "gamma"]) {
      expect(modelPath(only(tf[env].google_cloud_run_v2_service))).toBe("/models/fixture/exec-2");
      expect(only(tf[env].google_cloud_run_v2_job).template.template.containers[0].image).toBe(
        image(env, "trainer", "a"),
      );
    }
  });

  test("a model version reaches a stage only after the stage before served it; a canary carries it", () => {
    expect(release("pin", "alpha", "predict", "--model", "fixture/exec-3")).toMatchObject({ code: 0 });
    const before = releaseTexts(dir);
    const skipped = release("canary", "gamma", "predict", "--percent", "10", "--from", "alpha");
    expect(skipped.code).toBe(1);
    expect(skipped.stderr).toContain("model fixture/exec-3 has not served predict at the preproduction stage");
    const direct = release("promote", "alpha", "gamma", "predict");
    expect(direct.code).toBe(1);
    expect(direct.stderr).toContain("model fixture/exec-3 has not served predict at the preproduction stage");
    expect(releaseTexts(dir)).toEqual(before);

    expect(release("promote", "alpha", "beta", "predict")).toMatchObject({ code: 0 });
    expect(release("canary", "gamma", "predict", "--percent", "10", "--from", "beta")).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(
        new RegExp(
          `^gamma predict: canary ${"b".repeat(12)} \\+ fixture/exec-3 takes 10%, predict-[0-9a-f]{8} \\(${"b".repeat(12)} \\+ fixture/exec-2\\) keeps 90%\\n$`,
        ),
      ),
    });
    let svc = only(stacks().gamma.google_cloud_run_v2_service);
    expect(modelPath(svc)).toBe("/models/fixture/exec-3");
    expect(svc.traffic.map((t: Json) => [t.tag, t.percent])).toEqual([
      ["stable", 90],
      ["canary", 10],
    ]);
    expect(release("complete", "gamma", "predict")).toMatchObject({
      code: 0,
      stdout: `gamma predict: ${"b".repeat(12)} + fixture/exec-3 serves 100% (was ${"b".repeat(12)} + fixture/exec-2)\n`,
    });
    svc = only(stacks().gamma.google_cloud_run_v2_service);
    expect(modelPath(svc)).toBe("/models/fixture/exec-3");
    const gamma = JSON.parse(fs.readFileSync(path.join(dir, "releases", "gamma.json"), "utf8")).services.predict;
    expect(gamma).toMatchObject({ model: "fixture/exec-3", modelsRan: ["fixture/exec-3", "fixture/exec-2"] });
    expect(gamma.canary).toBeUndefined();
  });

  test("refused: a canary of a job, a model for a service without one, a malformed version; nothing changes", () => {
    const before = releaseTexts(dir);
    const job = release("canary", "gamma", "train", "--percent", "10", "--from", "beta");
    expect(job).toMatchObject({ code: 1 });
    expect(job.stderr).toContain("train is a job in environment gamma: a job takes no traffic, so it has no canary");
    const bad = release("pin", "alpha", "predict", "--model", "../etc/passwd");
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/--model "..\/etc\/passwd" must be a model version/);
    const jobModel = release("pin", "alpha", "train", "--model", "fixture/exec-9");
    expect(jobModel.stderr).toContain("train is a job in environment alpha: a job serves no model");
    expect(release("pin", "alpha", "predict")).toMatchObject({
      code: 1,
      stderr: expect.stringContaining("pin takes an image, a --model version, or both"),
    });
    expect(releaseTexts(dir)).toEqual(before);
  });

  test("a release file by hand: a model on a job, or a canary on one, is named with its path", () => {
    const problems = releaseProblems(
      {
        services: {
          train: {
            digest: digest("a"),
            model: "fixture/exec-1",
            canary: { digest: digest("c"), percent: 10, stableRevision: "train-1a2b3c4d" },
            ran: [digest("a")],
            provenance: { verb: "pin", time: "2026-11-27T10:00:00.000Z" },
          },
        },
      },
      configs[2],
    );
    expect(problems.map((p) => p.path)).toEqual(["services.train.model", "services.train.canary"]);
  });
});

describe("what the Train workflow reads of a job (npm run -s environments -- --job ENV JOB)", () => {
  test("a job writing the bucket a service's model is read from: its model prefix, the services, the stage", () => {
    expect(jobTarget("alpha", "train", dir)).toEqual({
      name: "train",
      region: "europe-west1",
      project: "acme-fx-alpha",
      provider_variable: "GCP_WORKLOAD_IDENTITY_PROVIDER_ALPHA",
      runner: "job-runner@acme-fx-alpha.iam.gserviceaccount.com",
      model: "fixture",
      serves: "predict",
      first: true,
    });
    expect(jobTarget("gamma", "train", dir)).toMatchObject({ first: false, serves: "predict" });
  });

  test("a job that writes no model bucket has no model to pin; unknown names are problems", () => {
    const readsOnly = fixtureTrainingEnvironment({ name: "delta", stage: "development" });
    const folder = environmentsFolder([
      {
        ...readsOnly,
        jobs: { evaluate: { ...readsOnly.jobs!.train, volumes: [{ bucket: "models", mountPath: "/models" }] } },
      },
    ]);
    expect(jobTarget("delta", "evaluate", folder)).toMatchObject({ model: "", serves: "" });
    expect(jobTarget("delta", "train", folder)).toEqual({ problem: "train is not a job of delta: evaluate" });
    expect(jobTarget("omega", "train", folder)).toEqual({ problem: "omega is not an environment: delta" });
    fs.rmSync(path.dirname(folder), { recursive: true, force: true });
  });
});
