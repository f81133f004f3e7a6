/**
 * The release commands users run, end to end in process (`npm run release -- …` is runRelease), each in
 * a folder of the tests' own environments: development (alpha), preproduction (beta), production
 * (gamma). Each step is synthesized and read back; refused commands must leave every file
 * byte-identical. The steps of each folder run in order: each starts where the one before left it.
 */
import * as fs from "fs";
import * as path from "path";
import { EnvironmentConfig, synthesize } from "../../lib/app";
import { runRelease } from "../../lib/app/release/cli";
import { asRelease, releaseProblems } from "../../lib/app/release/model";
import { fixtureEnvironment, fixtureService, fixtureTrainingEnvironment } from "../fixtures/environment";
import { environmentsFolder, releaseTexts } from "../fixtures/release";
import { Json, schemaProblems } from "../helpers";

const digest = (c: string) => `sha256:${c.repeat(64)}`;

/** Synthesizes the environments of `dir`; returns each environment's resources by type. */
function synthesizedResources(dir: string): Record<string, Json> {
  const out = path.join(path.dirname(dir), "out");
  fs.rmSync(out, { recursive: true, force: true });
  const result = synthesize({ dir, outdir: out, environmentsOnly: true });
  expect(result.errors).toEqual([]);
  const stacks: Record<string, Json> = Object.fromEntries(
    (result.environments ?? []).map((env) => [
      env,
      JSON.parse(fs.readFileSync(path.join(out, "stacks", env, "cdk.tf.json"), "utf8")),
    ]),
  );
  // Every release step's stacks (canaries, rollbacks, jobs) hold against the provider's schema.
  expect(schemaProblems(stacks)).toEqual({});
  return Object.fromEntries(Object.entries(stacks).map(([env, tf]) => [env, tf.resource]));
}

/**
 * Services: one predict service per environment, released by pin, promote, canary, complete and
 * rollback.
 */
describe("services", () => {
  const configs: EnvironmentConfig[] = [
    fixtureEnvironment({ name: "alpha", stage: "development" }),
    fixtureEnvironment({ name: "beta", stage: "preproduction" }),
    fixtureEnvironment({ name: "gamma", stage: "production" }),
  ];
  const image = (env: string, c: string) =>
    `europe-west1-docker.pkg.dev/acme-fx-${env}/images/predict-api@${digest(c)}`;

  let dir: string;
  const release = (...argv: string[]) => runRelease(argv, dir);

  /** Synthesizes the folder; returns each environment's predict service. */
  function services(): Record<string, Json> {
    return Object.fromEntries(
      Object.entries(synthesizedResources(dir)).map(([env, resource]) => [
        env,
        Object.values(resource.google_cloud_run_v2_service)[0],
      ]),
    );
  }

  beforeAll(() => {
    dir = environmentsFolder(configs);
  });
  afterAll(() => fs.rmSync(path.dirname(dir), { recursive: true, force: true }));

  describe("a release through pin, promote, canary, complete and rollback", () => {
    test("before any release: the placeholder in development; later stages deploy the service only once released", () => {
      const out = path.join(path.dirname(dir), "none");
      const result = synthesize({ dir, outdir: out });
      expect(result.errors).toEqual([]);
      expect(result.notices).toEqual([
        "beta: predict is not deployed (no release at the preproduction stage): npm run release -- promote <earlier environment> beta predict deploys it; one being retired stays so until the configuration drops it",
        "gamma: predict is not deployed (no release at the production stage): npm run release -- promote <earlier environment> gamma predict deploys it; one being retired stays so until the configuration drops it",
      ]);
      const stack = (env: string) => JSON.parse(fs.readFileSync(path.join(out, "stacks", env, "cdk.tf.json"), "utf8"));
      const placeholder = Object.values<Json>(stack("alpha").resource.google_cloud_run_v2_service)[0].template
        .containers[0].image;
      expect(placeholder).toBe("us-docker.pkg.dev/cloudrun/container/hello");
      for (const env of ["beta", "gamma"]) {
        // The repository is there for the first promotion to copy images into; no service yet,
        // and the environment's dashboard and alert channels, which do not depend on one.
        expect(Object.keys(stack(env).resource).sort()).toEqual([
          "google_artifact_registry_repository",
          // The deploy identity's role on the repository.
          "google_artifact_registry_repository_iam_member",
          "google_monitoring_dashboard",
          "google_monitoring_notification_channel",
          "google_project_service",
        ]);
      }
      const rows = release("status").stdout.split("\n").slice(2, 5);
      expect(rows.map((r) => r.split(/\s{2,}/).slice(0, 7))).toEqual([
        [
          "alpha",
          "development",
          "predict",
          "(placeholder)",
          "-",
          expect.stringMatching(/^predict-[0-9a-f]{8}$/),
          expect.stringMatching(/^100% predict-/),
        ],
        ["beta", "preproduction", "predict", "(not deployed)", "-", "-", "-"],
        ["gamma", "production", "predict", "(not deployed)", "-", "-", "-"],
      ]);
    });

    test("pin in development, promote to preproduction and production: one digest, each from its own registry", () => {
      expect(release("pin", "alpha", "predict", image("alpha", "a"))).toMatchObject({
        code: 0,
        stdout: `alpha predict: (none) → ${"a".repeat(12)}\n`,
      });
      expect(release("promote", "alpha", "beta")).toMatchObject({ code: 0 });
      expect(release("promote", "beta", "gamma", "predict")).toMatchObject({
        code: 0,
        stdout: `gamma predict: (none) → ${"a".repeat(12)} (from beta)\n`,
      });
      const svc = services();
      for (const env of ["alpha", "beta", "gamma"]) {
        expect(svc[env].template.containers[0].image).toBe(image(env, "a"));
        expect(svc[env].template.revision).toMatch(/^predict-[0-9a-f]{8}$/);
        expect(svc[env].traffic).toEqual([
          { percent: 100, revision: svc[env].template.revision, type: "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION" },
        ]);
      }
      // The release files say where each digest came from.
      const gamma = JSON.parse(fs.readFileSync(path.join(dir, "releases", "gamma.json"), "utf8"));
      expect(gamma.services.predict).toMatchObject({
        digest: digest("a"),
        ran: [digest("a")],
        provenance: { verb: "promote", from: "beta" },
      });
    });

    let stable: string;
    test("a 10% canary in production: two revision-named targets, 90 stable and 10 canary", () => {
      stable = services().gamma.template.revision;
      expect(release("pin", "alpha", "predict", image("alpha", "b")).code).toBe(0);
      expect(release("promote", "alpha", "beta").code).toBe(0);
      const canary = release("canary", "gamma", "predict", "--percent", "10", "--from", "beta");
      expect(canary).toMatchObject({ code: 0 });
      expect(canary.stdout).toBe(
        `gamma predict: canary ${"b".repeat(12)} takes 10%, ${stable} (${"a".repeat(12)}) keeps 90%\n`,
      );
      const gamma = services().gamma;
      expect(gamma.template.containers[0].image).toBe(image("gamma", "b"));
      expect(gamma.template.revision).toMatch(/^predict-[0-9a-f]{8}$/);
      expect(gamma.template.revision).not.toBe(stable);
      expect(gamma.traffic).toEqual([
        { percent: 90, revision: stable, tag: "stable", type: "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION" },
        {
          percent: 10,
          revision: gamma.template.revision,
          tag: "canary",
          type: "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION",
        },
      ]);
    });

    test("complete: the canary's revision takes 100%, with no change to the template", () => {
      const before = services().gamma.template;
      expect(release("complete", "gamma", "predict")).toMatchObject({ code: 0 });
      const gamma = services().gamma;
      expect(gamma.template).toEqual(before);
      expect(gamma.traffic).toEqual([
        { percent: 100, revision: before.revision, type: "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION" },
      ]);
    });

    test("rollback: 100% back to the serving revision, a traffic-only change", () => {
      const serving = services().gamma.template.revision;
      expect(release("pin", "alpha", "predict", image("alpha", "c")).code).toBe(0);
      expect(release("promote", "alpha", "beta").code).toBe(0);
      expect(release("canary", "gamma", "predict", "--percent", "25", "--image", image("gamma", "c")).code).toBe(0);
      const during = services().gamma;
      expect(release("rollback", "gamma", "predict")).toMatchObject({ code: 0 });
      const after = services().gamma;
      expect(after.template).toEqual(during.template); // the canary's template stays: no new revision
      expect(after.traffic).toEqual([
        { percent: 100, revision: serving, tag: "stable", type: "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION" },
        {
          percent: 0,
          revision: during.template.revision,
          tag: "canary",
          type: "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION",
        },
      ]);
      // The rolled-back digest cannot reach all traffic by promotion: only by a new canary.
      const before = releaseTexts(dir);
      expect(release("promote", "beta", "gamma").stderr).toMatch(
        /cccccccccccc was rolled back as predict's canary in gamma: canary it again \(--from beta\) to retry it, or promote another digest/,
      );
      expect(releaseTexts(dir)).toEqual(before);
    });

    test("status shows every environment and service, digests readable, the canary's state", () => {
      const status = release("status");
      expect(status.code).toBe(0);
      const lines = status.stdout.split("\n");
      expect(lines[0]).toMatch(
        /^environment\s+stage\s+service\s+serving\s+model\s+revision\s+traffic\s+canary\s+rollout\s+last decision\s+last change$/,
      );
      expect(lines.find((l) => l.startsWith("gamma"))).toMatch(
        new RegExp(
          `^gamma\\s+production\\s+predict\\s+${"b".repeat(12)}\\s+-\\s+predict-[0-9a-f]{8}\\s+100% stable predict-[0-9a-f]{8} \\(canary rolled back\\)\\s+${"c".repeat(12)} 0% \\(rolled back\\)\\s+10 → 50 → complete, 30 min and 100 req a step\\s+-\\s+rollback `,
        ),
      );
      expect(release("status", "--markdown").stdout).toMatch(/^## Releases\n\n\| environment \| stage \|/);
    });

    test("the revision name follows the template: an unrelated change renames it, the same template keeps it", () => {
      const first = services().beta.template.revision;
      expect(services().beta.template.revision).toBe(first);
      const beta = configs[1];
      fs.writeFileSync(
        path.join(dir, "beta.ts"),
        `export default ${JSON.stringify({ ...beta, services: { predict: fixtureService({ maxInstances: 7 }) } })};\n`,
      );
      jest.resetModules(); // the environment files are read with require()
      const changed = services().beta.template.revision;
      expect(changed).toMatch(/^predict-[0-9a-f]{8}$/);
      expect(changed).not.toBe(first);
      expect(services().beta.template.revision).toBe(changed);
      fs.writeFileSync(path.join(dir, "beta.ts"), `export default ${JSON.stringify(beta)};\n`);
      jest.resetModules();
    });

    test("the release files stay valid after every step", () => {
      for (const config of configs) {
        const raw = JSON.parse(fs.readFileSync(path.join(dir, "releases", `${config.name}.json`), "utf8"));
        expect(releaseProblems(raw, config)).toEqual([]);
        expect(asRelease(raw)).toEqual(raw);
      }
    });
  });

  describe("refused commands print every problem and change nothing", () => {
    test.each([
      [
        "a malformed digest",
        ["pin", "alpha", "predict", `${image("alpha", "a").slice(0, -10)}`],
        /must be pinned by a full digest/,
      ],
      [
        "an image from another repository",
        ["pin", "alpha", "predict", image("gamma", "d")],
        /is not predict's image in alpha's repository/,
      ],
      [
        "pin past the first stage",
        ["pin", "gamma", "predict", image("gamma", "d")],
        /pin enters a built image or a trained model at the development stage; gamma is production/,
      ],
      [
        "150%",
        ["canary", "beta", "predict", "--percent", "150", "--from", "alpha"],
        /--percent must be a whole number from 1 to 99; got 150/,
      ],
      [
        "a fraction of a percent",
        ["canary", "beta", "predict", "--percent", "10.5", "--from", "alpha"],
        /--percent must be a whole number from 1 to 99; got 10\.5$/m,
      ],
      ["an unknown service", ["complete", "gamma", "embed"], /service "embed" is not in environment gamma: predict/],
      ["an unknown environment", ["promote", "alpha", "qa"], /to "qa" is not an environment: alpha, beta, gamma/],
      [
        "promoting production to development",
        ["promote", "gamma", "alpha"],
        /promotion goes to a later stage: gamma is production, alpha is development/,
      ],
      [
        "a digest the stage before never ran",
        ["canary", "gamma", "predict", "--percent", "5", "--image", image("gamma", "d")],
        /dddddddddddd has not served predict at the preproduction stage/,
      ],
      ["completing without a canary", ["complete", "beta", "predict"], /no canary in flight to complete/],
    ])("%s", (_case, argv, pattern) => {
      const before = releaseTexts(dir);
      const result = release(...argv);
      expect(result.code).toBe(1);
      expect(result.stdout).toBe("");
      expect(result.stderr).toMatch(/^release \w+ refused; nothing was changed:\n/);
      expect(result.stderr).toMatch(pattern);
      expect(result.stderr).not.toMatch(/\n\s+at /);
      expect(releaseTexts(dir)).toEqual(before);
    });

    test("a second canary, and a promotion from an environment with a canary in flight", () => {
      expect(release("pin", "alpha", "predict", image("alpha", "e")).code).toBe(0);
      // No stage is skipped, by promotion or by a canary's --from (both found by the model test).
      const skipping = [
        release("promote", "alpha", "gamma"),
        release("canary", "gamma", "predict", "--percent", "5", "--from", "alpha"),
      ];
      for (const r of skipping)
        expect(r.stderr).toMatch(/eeeeeeeeeeee has not served predict at the preproduction stage/);
      expect(release("canary", "alpha", "predict", "--percent", "10", "--image", image("alpha", "f")).code).toBe(0);
      const before = releaseTexts(dir);
      const second = release("canary", "alpha", "predict", "--percent", "20", "--image", image("alpha", "a"));
      expect(second.stderr).toMatch(/predict in alpha already has a canary in flight: complete or roll it back first/);
      const promote = release("promote", "alpha", "beta");
      expect(promote.stderr).toMatch(/alpha has a canary in flight \(predict\): complete or roll it back first/);
      expect(releaseTexts(dir)).toEqual(before);
    });

    test("usage errors exit 2 with the usage", () => {
      expect(release("deploy")).toMatchObject({
        code: 2,
        stderr: expect.stringMatching(/^unknown verb "deploy"\n\nUsage:\n/),
      });
      expect(release("canary", "alpha", "predict", "--percent", "10")).toMatchObject({ code: 2 });
      expect(release("pin", "alpha")).toMatchObject({
        code: 2,
        stderr: expect.stringMatching(/^pin takes 2 or 3 arguments/),
      });
    });
  });
});

/**
 * Jobs and model versions as release state: each environment with a bucket `models`, a job
 * `train` and `predict` serving a model from the bucket.
 */
describe("jobs and models", () => {
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
  const stacks = (): Record<string, Json> => synthesizedResources(dir);
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
      expect(only(tf.google_cloud_run_v2_job).template.template.containers[0].image).toBe(
        image("alpha", "trainer", "a"),
      );
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
});
