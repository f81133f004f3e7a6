/**
 * What the workflows read of the environments (lib/app/environments.ts), in a folder of the tests'
 * own environments with training: alpha (development), beta (preproduction), gamma (production),
 * each with a bucket `models`, a job `train` and `predict` serving a model from the bucket.
 */
import * as fs from "fs";
import * as path from "path";
import { buildMatrix, jobTarget } from "../../lib/app/environments";
import { fixtureTrainingEnvironment } from "../fixtures/environment";
import { environmentsFolder } from "../fixtures/release";

let dir: string;

beforeAll(() => {
  dir = environmentsFolder([
    fixtureTrainingEnvironment({ name: "alpha", stage: "development" }),
    fixtureTrainingEnvironment({ name: "beta", stage: "preproduction" }),
    fixtureTrainingEnvironment({ name: "gamma", stage: "production" }),
  ]);
});
afterAll(() => fs.rmSync(path.dirname(dir), { recursive: true, force: true }));

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

describe("what the build workflow builds (npm run -s environments -- --builds)", () => {
  test("a worker pool with a build is built and pinned in the first stage, like a service or a job", () => {
    const pools = {
      consumer: { image: "consumer", build: { context: "services/consumer" } },
      idle: { image: "idle" },
    };
    const folder = environmentsFolder([
      fixtureTrainingEnvironment({ name: "alpha", stage: "development", workerPools: pools }),
      fixtureTrainingEnvironment({ name: "gamma", stage: "production", workerPools: pools }),
    ]);
    try {
      fs.mkdirSync(path.join(path.dirname(folder), "services", "consumer"), { recursive: true });
      fs.writeFileSync(path.join(path.dirname(folder), "services", "consumer", "Dockerfile"), "FROM scratch\n");
      const entries = buildMatrix({ dir: folder });
      expect(entries.map((e) => [e.service, e.environment, e.image, e.context])).toEqual([
        ["consumer", "alpha", "europe-west1-docker.pkg.dev/acme-fx-alpha/images/consumer", "services/consumer"],
      ]);
    } finally {
      fs.rmSync(path.dirname(folder), { recursive: true, force: true });
    }
  });
});
