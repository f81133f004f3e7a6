/**
 * parseEnvironmentConfig: the environments in environments/ and the tests' own are accepted; bad
 * configuration is refused with every problem at once, naming the environment, the field and the
 * rule, whatever the input.
 */
import { ConfigError, environmentFiles, parseEnvironmentConfig } from "../../../lib/app";
import { training, valid, variant } from "./configs";

function problemsOf(raw: unknown): { message: string; paths: string[] } {
  try {
    parseEnvironmentConfig(raw);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    return { message: e.message, paths: e.problems.map((p) => p.path) };
  }
  throw new Error("expected a ConfigError");
}

describe("parseEnvironmentConfig accepts the environments in environments/", () => {
  test.each(environmentFiles().map((f) => [f.name, f.config] as const))("%s", (_name, config) => {
    expect(parseEnvironmentConfig(config)).toEqual(config);
  });

  test("and the same configuration read from JSON", () => {
    const fromJson = JSON.parse(JSON.stringify(valid));
    expect(parseEnvironmentConfig(fromJson)).toEqual(valid);
  });
});

// [case, config, field path named, pattern the message must match]
const BAD: [string, unknown, string, RegExp][] = [
  ["not an object", 42, "(root)", /must be an object/],
  ["null", null, "(root)", /must be an object/],
  ["missing project", variant((c) => delete c.project), "project", /is required/],
  ["project of the wrong type", variant((c) => (c.project = 123)), "project", /got 123; must be a string/],
  ["project id too short", variant((c) => (c.project = "acme")), "project", /got "acme"; must be 6-30 characters/],
  ["project id containing google", variant((c) => (c.project = "google-ml")), "project", /not contain google/],
  ["bad region", variant((c) => (c.region = "europe")), "region", /must be a region/],
  [
    "a region Cloud Run does not run in (a typo)",
    variant((c) => (c.region = "europe-wset1")),
    "region",
    /got "europe-wset1"; is not a region Cloud Run runs in; did you mean "europe-west1"\? see https:\/\/cloud.google.com\/run\/docs\/locations/,
  ],
  ["bad state bucket", variant((c) => (c.stateBucket = "Acme_State")), "stateBucket", /must be 3-63 lowercase/],
  ["bucket starting with goog", variant((c) => (c.stateBucket = "goog-state")), "stateBucket", /not start with goog/],
  ["bad environment name", variant((c) => (c.name = "Prod")), "name", /got "Prod"; must be 1-20 lowercase/],
  ["bad app name", variant((c) => (c.app = "predict_api")), "app", /must be 1-30 lowercase/],
  ["unknown top-level key", variant((c) => (c.regoin = "europe-west1")), "regoin", /did you mean "region"/],
  [
    "typo minInstance",
    variant((c) => (c.services.predict.minInstance = 1)),
    "services.predict.minInstance",
    /did you mean "minInstances"/,
  ],
  [
    "unknown repository key",
    variant((c) => (c.repository.immutable = true)),
    "repository.immutable",
    /not a known field/,
  ],
  ["no services", variant((c) => (c.services = {})), "services", /at least one service/],
  ["services is a list", variant((c) => (c.services = [])), "services", /must be a record|must be an object/],
  [
    "service name from a key too long for one",
    variant((c) => (c.services = { ["p".repeat(55)]: c.services.predict })),
    `services.${"p".repeat(55)}`,
    /must be 1-49 characters/,
  ],
  [
    "service key that is not a key",
    variant((c) => (c.services = { Predict_API: c.services.predict })),
    "services.Predict_API",
    /must be a key of 1-63 lowercase letters, digits and hyphens/,
  ],
  ...["apis", "dashboard", "repository", "google", "project", "constructor", "bucket-models"].map(
    (key): [string, unknown, string, RegExp] => [
      `service keyed ${key}, an id the stack uses`,
      variant((c) => (c.services = { [key]: c.services.predict })),
      `services.${key}`,
      /is a name the environment's stack uses for its own resources/,
    ],
  ),
  [
    "job keyed repository",
    variant((c) => (c.jobs.repository = c.jobs.train), training),
    "jobs.repository",
    /is a name the environment's stack uses for its own resources/,
  ],
  [
    "bucket key that is not a key",
    variant((c) => (c.buckets = { Models: c.buckets.models }), training),
    "buckets.Models",
    /must be a key of 1-63 lowercase/,
  ],
  ...[".", "./", "..", "../../etc", "/srv/predict", "services/../..", "services/./predict", ""].map(
    (context): [string, unknown, string, RegExp] => [
      `build context ${JSON.stringify(context)}`,
      variant((c) => (c.services.predict.build = { context })),
      "services.predict.build.context",
      /must be a folder below the repository's root/,
    ],
  ),
  ...["../Dockerfile", "/etc/passwd", "docker/../../x", "docker/"].map(
    (dockerfile): [string, unknown, string, RegExp] => [
      `dockerfile ${JSON.stringify(dockerfile)}`,
      variant((c) => (c.services.predict.build = { context: "services/predict", dockerfile })),
      "services.predict.build.dockerfile",
      /must be a file inside the build context/,
    ],
  ),
  [
    "a job's build context outside the repository",
    variant((c) => (c.jobs.train.build = { context: "../../etc/passwd" }), training),
    "jobs.train.build.context",
    /must be a folder below the repository's root/,
  ],
  [
    "environment named like a day-one stack",
    variant((c) => (c.name = "bootstrap-dev")),
    "name",
    /bootstrap-<environment>/,
  ],
  [
    "bad service name (field)",
    variant((c) => (c.services.predict.name = "predict_api")),
    "services.predict.name",
    /must be 1-49 characters/,
  ],
  [
    "two services with the same name",
    variant((c) => (c.services.canary = { ...c.services.predict, name: "predict" })),
    "services.canary.name",
    /"predict"; is the same service name as services.predict/,
  ],
  [
    "memory too large for the CPU",
    variant((c) => (c.services.predict.memory = "16Gi")),
    "services.predict.memory",
    /2 vCPU allows at most 8Gi/,
  ],
  [
    "CPU 4 with too little memory",
    variant((c) => Object.assign(c.services.predict, { cpu: "4", memory: "1Gi" })),
    "services.predict.memory",
    /4 vCPU needs at least 2Gi/,
  ],
  [
    "CPU value Cloud Run refuses",
    variant((c) => (c.services.predict.cpu = "3")),
    "services.predict.cpu",
    /must be "1", "2", "4", "6" or "8"/,
  ],
  [
    "memory with the wrong unit",
    variant((c) => (c.services.predict.memory = "4GB")),
    "services.predict.memory",
    /whole number of Mi or Gi/,
  ],
  [
    "fractional CPU on gen2",
    variant((c) => Object.assign(c.services.predict, { cpu: "0.5", memory: "512Mi", concurrency: 1 })),
    "services.predict.executionEnvironment",
    /requires "gen1"/,
  ],
  [
    "min above max",
    variant((c) => (c.services.predict.minInstances = 30)),
    "services.predict.minInstances",
    /must not exceed maxInstances \(20\)/,
  ],
  [
    "max instances not a whole number",
    variant((c) => (c.services.predict.maxInstances = 2.5)),
    "services.predict.maxInstances",
    /whole number/,
  ],
  [
    "concurrency above 1000",
    variant((c) => (c.services.predict.concurrency = 1001)),
    "services.predict.concurrency",
    /from 1 to 1000/,
  ],
  [
    "timeout above an hour",
    variant((c) => (c.services.predict.timeoutSeconds = 3601)),
    "services.predict.timeoutSeconds",
    /from 1 to 3600/,
  ],
  [
    "traffic in configuration (it is release state)",
    variant((c) => (c.services.predict.traffic = [{ percent: 100 }])),
    "services.predict.traffic",
    /is not a known field/,
  ],
  [
    "a build without a context",
    variant((c) => (c.services.predict.build = { dockerfile: "Dockerfile" })),
    "services.predict.build.context",
    /is required/,
  ],
  [
    "secret version latest",
    variant((c) => (c.services.predict.secretEnv.MODEL_API_KEY.version = "latest")),
    "services.predict.secretEnv.MODEL_API_KEY.version",
    /"latest" .* refused/,
  ],
  [
    "secret without a version",
    variant((c) => delete c.services.predict.secretEnv.MODEL_API_KEY.version),
    "services.predict.secretEnv.MODEL_API_KEY.version",
    /is required/,
  ],
  ["reserved env var", variant((c) => (c.services.predict.env.PORT = "80")), "services.predict.env.PORT", /reserved/],
  [
    "an image reference where the image's name belongs (versions are release state)",
    variant((c) => (c.services.predict.image = "europe-west1-docker.pkg.dev/acme-ml-prod/models/predict-api:latest")),
    "services.predict.image",
    /an image name must be lowercase path components/,
  ],
  [
    "an image name with capitals",
    variant((c) => (c.services.predict.image = "Predict")),
    "services.predict.image",
    /image name/,
  ],
  [
    "image of the wrong type",
    variant((c) => (c.services.predict.image = 7)),
    "services.predict.image",
    /must be a string/,
  ],
  [
    "prod without max instances",
    variant((c) => delete c.services.predict.maxInstances),
    "services.predict.maxInstances",
    /set explicitly: stage "production" requires it/,
  ],
  [
    "prod without deletion protection",
    variant((c) => (c.deletionProtection = false)),
    "deletionProtection",
    /must be true: stage "production" requires it/,
  ],
  [
    "public invoker without allowPublic",
    variant((c) => (c.services.predict.invokers = ["allUsers"])),
    "services.predict.invokers[0]",
    /callable by anyone/,
  ],
  [
    "ingress not in the enum",
    variant((c) => (c.services.predict.ingress = "public")),
    "services.predict.ingress",
    /must be one of "all", "internal"/,
  ],
  ["label key with capitals", variant((c) => (c.labels = { Team: "ml" })), "labels.Team", /label keys must be/],
  [
    "bad repository id",
    variant((c) => (c.repository.repositoryId = "Models")),
    "repository.repositoryId",
    /must be 1-63 characters/,
  ],
  [
    "bad cleanup age",
    variant((c) => (c.repository.cleanup.deleteUntaggedOlderThan = "a month")),
    "repository.cleanup.deleteUntaggedOlderThan",
    /positive duration/,
  ],
  [
    "probe path without slash",
    variant((c) => (c.services.predict.startupProbe.path = "healthz")),
    "services.predict.startupProbe.path",
    /starting with \//,
  ],
  [
    "acknowledgement of an unknown rule",
    variant((c) => (c.acknowledgements = [{ rule: "RUN-999", reason: "a reason long enough" }])),
    "acknowledgements[0].rule",
    /must be a rule of the policy pack: API-001/,
  ],
  [
    "acknowledgement without a reason",
    variant((c) => (c.acknowledgements = [{ rule: "RUN-009", reason: "because" }])),
    "acknowledgements[0].reason",
    /at least 10 letters/,
  ],
  [
    "acknowledgement whose reason is ten zero-width spaces",
    variant((c) => (c.acknowledgements = [{ rule: "RUN-009", reason: "\u200b".repeat(10) }])),
    "acknowledgements[0].reason",
    /U\+200B is a control or invisible character/,
  ],
  [
    "difference whose reason is invisible",
    variant((c) => (c.differences = { "google_cloud_run_v2_service.predict.ingress": "\u2060".repeat(12) })),
    "differences.google_cloud_run_v2_service.predict.ingress",
    /U\+2060 is a control or invisible character/,
  ],
  [
    "acknowledgement of an unknown service",
    variant((c) => (c.acknowledgements = [{ rule: "RUN-009", reason: "a reason long enough", service: "nope" }])),
    "acknowledgements[0].service",
    /must be one of the services, jobs or worker pools: predict/,
  ],
  ["missing stage", variant((c) => delete c.stage), "stage", /is required/],
  [
    "unknown stage",
    variant((c) => (c.stage = "prod")),
    "stage",
    /got "prod"; must be one of "development", "preproduction", "production"/,
  ],
  [
    "preproduction without deletion protection",
    variant((c) => Object.assign(c, { name: "qa", stage: "preproduction", deletionProtection: false })),
    "deletionProtection",
    /must be true: stage "preproduction" requires it/,
  ],
  [
    "a volume on a bucket the environment does not have",
    variant((c) => (c.services.predict.volumes = [{ bucket: "modles", mountPath: "/data" }]), training),
    "services.predict.volumes[0].bucket",
    /got "modles"; must be a key of buckets: models/,
  ],
  [
    "a service that could write the bucket models are served from",
    variant(
      (c) => (c.services.predict.volumes = [{ bucket: "models", mountPath: "/scratch", readOnly: false }]),
      training,
    ),
    "services.predict.volumes[0].readOnly",
    /must be true: services read their models from bucket models, and only jobs write it/,
  ],
  [
    "a model in a bucket the environment does not have",
    variant((c) => (c.services.predict.model.bucket = "weights"), training),
    "services.predict.model.bucket",
    /must be a key of buckets: models/,
  ],
  [
    "a model mounted at a reserved path",
    variant((c) => (c.services.predict.model.mountPath = "/proc/models"), training),
    "services.predict.model.mountPath",
    /must not be \/proc or below it/,
  ],
  [
    "a model variable Cloud Run reserves",
    variant((c) => (c.services.predict.model.variable = "PORT"), training),
    "services.predict.model.variable",
    /PORT is reserved/,
  ],
  [
    "a model variable also set in env",
    variant((c) => (c.services.predict.env.MODEL_PATH = "/tmp"), training),
    "services.predict.model.variable",
    /also set in env or secretEnv/,
  ],
  [
    "a job with a service's key",
    variant((c) => (c.jobs.predict = c.jobs.train), training),
    "jobs.predict",
    /also a service's key; jobs and services share the release file/,
  ],
  [
    "a job running more tasks at once than it has",
    variant((c) => (c.jobs.train.parallelism = 3), training),
    "jobs.train.parallelism",
    /must not exceed taskCount \(2\)/,
  ],
  [
    "a job schedule that is not cron",
    variant((c) => (c.jobs.train.schedule.cron = "every monday"), training),
    "jobs.train.schedule.cron",
    /five unix-cron fields/,
  ],
  [
    "a GPU job without the CPU an L4 needs",
    variant((c) => (c.jobs.train.gpu = { type: "nvidia-l4" }), training),
    "jobs.train.cpu",
    /needs at least 4 CPU/,
  ],
  [
    "a GPU job longer than the GPU limit",
    variant(
      (c) =>
        Object.assign(c.jobs.train, { gpu: { type: "nvidia-l4" }, cpu: "4", memory: "16Gi", timeoutSeconds: 7200 }),
      training,
    ),
    "jobs.train.timeoutSeconds",
    /from 1 to 3600: with a GPU/,
  ],
  [
    "a bucket that is the state bucket",
    variant((c) => (c.buckets.models.name = c.stateBucket), training),
    "buckets.models.name",
    /is the same bucket as stateBucket/,
  ],
  [
    "a bucket name Cloud Storage refuses",
    variant((c) => (c.buckets.models.name = "goog-models"), training),
    "buckets.models.name",
    /must be 3-63 lowercase letters/,
  ],
  [
    "an unknown job field",
    variant((c) => (c.jobs.train.tasks = 4), training),
    "jobs.train.tasks",
    /is not a known field; known fields: name, image, build, .*taskCount/,
  ],
  [
    "boolean as a string",
    variant((c) => (c.services.predict.cpuIdle = "yes")),
    "services.predict.cpuIdle",
    /got "yes"; must be a boolean/,
  ],
];

describe("parseEnvironmentConfig refuses bad configuration, naming the environment and the field", () => {
  test("there are at least 25 distinct cases", () => {
    expect(new Set(BAD.map(([name]) => name)).size).toBeGreaterThanOrEqual(25);
  });

  test.each(BAD)("%s", (_case, raw, path, rule) => {
    const { message, paths } = problemsOf(raw);
    const env = typeof raw === "object" && raw !== null && "name" in raw ? (raw as { name: string }).name : "(unnamed)";
    expect(message.startsWith(`environment "${env}" has `)).toBe(true);
    expect(paths).toContain(path);
    const line = message.split("\n").find((l) => l.startsWith(`  - ${path}: got `));
    expect(line).toMatch(rule);
  });

  test("a __proto__ key in JSON configuration is refused, not dropped", () => {
    const fromJson = JSON.parse(
      JSON.stringify(valid).replace('"services":{', '"services":{"__proto__":{"image":"x"},'),
    );
    expect(Object.keys(fromJson.services)).toContain("__proto__");
    const { paths, message } = problemsOf(fromJson);
    expect(paths).toEqual(["services.__proto__"]);
    expect(message).toMatch(/services\.__proto__: got undefined; is not a key a configuration may hold/);
  });

  test("a type error and a range error in one configuration are both reported", () => {
    const { paths, message } = problemsOf(
      variant((c) => {
        c.project = 123;
        c.services.predict.maxInstances = 0;
      }),
    );
    expect(paths).toEqual(expect.arrayContaining(["project", "services.predict.maxInstances"]));
    expect(message).toMatch(/project: got 123; must be a string/);
    expect(message).toMatch(/services\.predict\.maxInstances: got 0; must be a whole number from 1 to 1000/);
    // project is reported once, by its type, not again by its format.
    expect(paths.filter((p) => p === "project")).toHaveLength(1);
  });

  test("every problem at once: shape, unknown keys and GCP rules together", () => {
    const { paths } = problemsOf(
      variant((c) => {
        c.services.predict.minInstance = 1;
        c.services.predict.memory = "64Gi";
        c.region = "nowhere";
        c.repository.repositoryId = "-bad";
      }),
    );
    expect(paths).toEqual(
      expect.arrayContaining([
        "services.predict.minInstance",
        "services.predict.memory",
        "region",
        "repository.repositoryId",
      ]),
    );
  });

  test("the stage decides which guardrails may be relaxed, whatever the environment's name", () => {
    const relaxed = (stage: string, name: string) =>
      variant((c) => {
        Object.assign(c, { name, stage, deletionProtection: false });
        delete c.services.predict.maxInstances;
      });
    expect(() => parseEnvironmentConfig(relaxed("development", "prod"))).not.toThrow();
    // The two no policy rule can see: the repository's and buckets' prevent_destroy, and a maximum
    // stated on purpose. The others are the policy pack's (checks.test.ts).
    const guarded = ["deletionProtection", "services.predict.maxInstances"];
    expect(problemsOf(relaxed("preproduction", "dev")).paths).toEqual(guarded);
    expect(problemsOf(relaxed("production", "dev")).paths).toEqual(guarded);
  });

  test("a ConfigError is never a TypeError, whatever the input", () => {
    for (const raw of [undefined, "prod", [], { name: 5 }, { services: { x: null } }, { name: "dev", services: "x" }]) {
      expect(() => parseEnvironmentConfig(raw)).toThrow(ConfigError);
    }
  });
});
