/**
 * The environments app with the second round of serving options (issue 27): volumes of every kind
 * and Binary Authorization in a service's and a job's configuration. The shape is the schema's, the
 * values the constructs' own checks, named with the configuration's field; the grants the runtime
 * account needs are the bootstrap stack's (and the environment's stack makes none); the APIs they
 * need are enabled by the environment's stack.
 */
import { Testing } from "cdktf";
import { ConfigError, EnvironmentConfig, EnvironmentStack, parseEnvironmentConfig } from "../../../lib/app";
import { fixtureEnvironment, fixtureJob, fixtureRelease, fixtureService } from "../../fixtures/environment";
import { all, bootstrap } from "../../fixtures/bootstrap";
import { Json, Synth, schemaProblems } from "../../helpers";
import { ReleaseFile } from "../../../lib/app/release/model";
import { World, canary, pin, promote } from "../../../lib/app/release/verbs";

const VOLUMES = [
  { kind: "secret" as const, name: "creds", mountPath: "/secrets", secret: "predict-tls", version: "4" },
  { kind: "emptyDir" as const, name: "scratch", mountPath: "/scratch", sizeLimit: "1Gi" },
  { kind: "cloudSql" as const, name: "cloudsql", instances: ["acme-fx-live:europe-west1:features"] },
];
const config: EnvironmentConfig = fixtureEnvironment({
  name: "live",
  services: {
    predict: fixtureService({
      volumes: VOLUMES,
      binaryAuthorization: { policy: "default" },
      sessionAffinity: true,
    }),
  },
  buckets: { models: {} },
  jobs: {
    train: fixtureJob({ binaryAuthorization: { policy: "projects/acme-fx-live/platforms/cloudrun/policies/train" } }),
  },
});

function envStack(raw: EnvironmentConfig): Synth {
  const parsed = parseEnvironmentConfig(raw);
  const stack = new EnvironmentStack(Testing.app(), parsed.name, raw, { release: fixtureRelease(parsed) });
  return JSON.parse(Testing.synth(stack)) as Synth;
}

/** The configuration's problems, as `path: rule` lines. */
function problemsOf(raw: unknown): string[] {
  try {
    parseEnvironmentConfig(raw);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    return e.problems.map((p) => `${p.path}: ${p.allowed}`);
  }
  return [];
}

describe("volumes and Binary Authorization in an environment's configuration", () => {
  const out = envStack(config);

  test("the service's and job's templates carry them, and the stack holds against the provider's schema", () => {
    const svc = Object.values(out.resource.google_cloud_run_v2_service)[0] as Json;
    expect(svc.template.volumes.map((v: Json) => v.name)).toEqual(["creds", "scratch", "cloudsql"]);
    expect(svc.binary_authorization).toEqual({ use_default: true });
    expect(svc.template.session_affinity).toBe(true);
    const job = Object.values(out.resource.google_cloud_run_v2_job)[0] as Json;
    expect(job.binary_authorization).toEqual({ policy: "projects/acme-fx-live/platforms/cloudrun/policies/train" });
    expect(schemaProblems({ live: out })).toEqual({});
  });

  test("the environment's stack grants nothing for them: no secret or project IAM", () => {
    expect(out.resource.google_secret_manager_secret_iam_member).toBeUndefined();
    expect(out.resource.google_project_iam_member).toBeUndefined();
  });

  test("the bootstrap stack grants the runtime account the mounted secret and cloudsql.client, and nothing more", () => {
    const { tf } = bootstrap(config);
    const predict = all(tf)
      // (Its iam_member grants: who may act as it, the deploy and canary identities, as before.)
      .filter(([type]) => /_iam_member$/.test(type) && type !== "google_service_account_iam_member")
      .filter(([, id]) => id.startsWith("runtime_predict_"))
      .map(([type, , r]) => `${type} ${r.role} ${r.secret_id ?? r.project ?? ""}`)
      .sort();
    expect(predict).toEqual([
      "google_project_iam_member roles/cloudsql.client acme-fx-live",
      "google_project_iam_member roles/logging.logWriter acme-fx-live",
      "google_project_iam_member roles/monitoring.metricWriter acme-fx-live",
      "google_secret_manager_secret_iam_member roles/secretmanager.secretAccessor fixture-api-key",
      "google_secret_manager_secret_iam_member roles/secretmanager.secretAccessor predict-tls",
    ]);
  });

  test("the APIs they need are enabled: Binary Authorization and the Cloud SQL Admin API", () => {
    const apis = Object.values(out.resource.google_project_service).map((s: Json) => s.service);
    expect(apis).toEqual(expect.arrayContaining(["binaryauthorization.googleapis.com", "sqladmin.googleapis.com"]));
    // Each workload waits for what its settings need, as for its own API: on a new project they come first.
    const svc = Object.values(out.resource.google_cloud_run_v2_service)[0] as Json;
    const apiRef = (api: string) =>
      `google_project_service.${Object.entries(out.resource.google_project_service).find(([, v]: [string, Json]) => v.service === api)![0]}`;
    expect(svc.depends_on).toEqual(
      expect.arrayContaining([
        apiRef("run.googleapis.com"),
        apiRef("binaryauthorization.googleapis.com"),
        apiRef("sqladmin.googleapis.com"),
      ]),
    );
    const job = Object.values(out.resource.google_cloud_run_v2_job)[0] as Json;
    expect(job.depends_on).toContain(apiRef("binaryauthorization.googleapis.com"));
    expect(job.depends_on).not.toContain(apiRef("sqladmin.googleapis.com"));
    const plain = envStack(fixtureEnvironment({ name: "live" }));
    const plainApis = Object.values(plain.resource.google_project_service).map((s: Json) => s.service);
    expect(plainApis).not.toContain("binaryauthorization.googleapis.com");
    expect(plainApis).not.toContain("sqladmin.googleapis.com");
  });
});

describe("refused, with the configuration's field", () => {
  const withVolumes = (volumes: unknown[], extra: object = {}) =>
    fixtureEnvironment({ services: { predict: { ...fixtureService(), volumes, ...extra } as never } });

  test("a secret volume of latest, an in-memory volume larger than the memory, one mount path twice", () => {
    expect(
      problemsOf(
        withVolumes([
          { ...VOLUMES[0], version: "latest" },
          { ...VOLUMES[1], sizeLimit: "8Gi" },
          { ...VOLUMES[2], mountPath: "/secrets" },
        ]),
      ),
    ).toEqual([
      expect.stringMatching(/^services\.predict\.volumes\[0\]\.version: must be a pinned version number/),
      expect.stringMatching(
        /^services\.predict\.volumes\[1\]\.sizeLimit: must not exceed the memory the containers have \(memory is "4Gi"\)/,
      ),
      expect.stringMatching(/^services\.predict\.volumes\[2\]\.mountPath: overlaps volumes\[0\]\.mountPath/),
    ]);
  });

  test("an unknown kind and a field of another kind are the schema's, named", () => {
    const found = problemsOf(withVolumes([{ kind: "ramdisk", name: "x", mountPath: "/x" }]));
    expect(found.join("\n")).toMatch(/services\.predict\.volumes\[0\]/);
    expect(problemsOf(withVolumes([{ ...VOLUMES[1], server: "10.0.0.2" }])).join("\n")).toMatch(
      /services\.predict\.volumes\[0\]/,
    );
  });

  test("a bucket volume still names a bucket of the environment; other kinds name none", () => {
    expect(problemsOf(withVolumes([{ bucket: "nope", mountPath: "/m" }]))).toEqual([
      expect.stringMatching(/^services\.predict\.volumes\[0\]\.bucket: must be a key of buckets/),
    ]);
    expect(problemsOf(withVolumes([VOLUMES[0]]))).toEqual([]);
  });

  test("a breakglass without a reason, and a policy that is not one", () => {
    expect(
      problemsOf(withVolumes([], { binaryAuthorization: { policy: "default", breakglass: { justification: "fix" } } })),
    ).toEqual([
      expect.stringMatching(
        /^services\.predict\.binaryAuthorization\.breakglass\.justification: the reason must say why/,
      ),
    ]);
    expect(problemsOf(withVolumes([], { binaryAuthorization: { policy: "strict" } }))).toEqual([
      expect.stringMatching(/^services\.predict\.binaryAuthorization\.policy: must be "default"/),
    ]);
  });
});

describe("worker pools in the environments app: configured, released and deployed like jobs", () => {
  const CONSUMER = {
    image: "consumer",
    build: { context: "services/consumer" },
    instanceCount: 2,
    memory: "2Gi",
    env: { TOPIC: "prediction-requests" },
    volumes: [{ kind: "emptyDir" as const, name: "scratch", mountPath: "/scratch", sizeLimit: "512Mi" }],
  };
  const live = fixtureEnvironment({ name: "live", workerPools: { consumer: CONSUMER } });
  const digest = "sha256:" + "c".repeat(64);

  test("the stack runs the released digest as the bootstrap stack's NAME-pool account, with its output", () => {
    const release = {
      services: {
        ...fixtureRelease(live).services,
        consumer: { digest, ran: [digest], provenance: { verb: "pin", time: "2026-11-27T00:00:00.000Z" } },
      },
    };
    const stack = new EnvironmentStack(Testing.app(), "live", live, { release });
    const out = JSON.parse(Testing.synth(stack)) as Synth;
    const pool = Object.values(out.resource.google_cloud_run_v2_worker_pool)[0] as Json;
    expect(pool).toMatchObject({
      name: "consumer",
      project: "acme-fx-live",
      location: "europe-west1",
      deletion_protection: true,
      scaling: { scaling_mode: "MANUAL", manual_instance_count: 2 },
      template: {
        service_account: "consumer-pool@acme-fx-live.iam.gserviceaccount.com",
        containers: [{ image: `europe-west1-docker.pkg.dev/acme-fx-live/images/consumer@${digest}` }],
      },
    });
    expect(out.output.consumer_worker_pool).toBeDefined();
    expect(out.resource.google_service_account).toBeUndefined();
    expect(schemaProblems({ live: out })).toEqual({});
    // The release-managed fields: the image is release state, as a job's.
    expect(stack.workerPools.consumer.workerPoolName).toBe("consumer");
  });

  test("not released yet past development: not deployed, its API enabled all the same", () => {
    const stack = new EnvironmentStack(Testing.app(), "live", live, {
      release: fixtureRelease(fixtureEnvironment({ name: "live" })),
    });
    expect(stack.notDeployed).toEqual(["consumer"]);
    const out = JSON.parse(Testing.synth(stack)) as Synth;
    expect(out.resource.google_cloud_run_v2_worker_pool).toBeUndefined();
  });

  test("in development without a release: Google's sample worker pool", () => {
    const dev = fixtureEnvironment({
      name: "sandbox",
      stage: "development",
      deletionProtection: false,
      workerPools: { consumer: CONSUMER },
    });
    const out = JSON.parse(
      Testing.synth(new EnvironmentStack(Testing.app(), "sandbox", dev, { release: { services: {} } })),
    ) as Synth;
    const pool = Object.values(out.resource.google_cloud_run_v2_worker_pool)[0] as Json;
    expect(pool.template.containers[0].image).toBe("us-docker.pkg.dev/cloudrun/container/worker-pool");
  });

  test("the bootstrap stack makes its account, with log and metric writing, and lets the deploy identity act as it", () => {
    const { tf } = bootstrap(live);
    const accounts = all(tf)
      .filter(([type]) => type === "google_service_account")
      .map(([, , r]) => r.account_id);
    expect(accounts).toContain("consumer-pool");
    const consumer = all(tf)
      .filter(([type, id]) => /_iam_member$/.test(type) && id.startsWith("runtime_consumer_"))
      .map(([type, , r]) => `${type} ${r.role}`)
      .sort();
    expect(consumer).toEqual([
      "google_project_iam_member roles/logging.logWriter",
      "google_project_iam_member roles/monitoring.metricWriter",
      "google_service_account_iam_member roles/iam.serviceAccountUser",
    ]);
  });

  test("refused: a key a service or job has, an instance count out of range, a connector", () => {
    expect(problemsOf(fixtureEnvironment({ workerPools: { predict: CONSUMER } }))).toEqual([
      expect.stringMatching(
        /^workerPools\.predict: is also a service's key; worker pools, services and jobs share the release file/,
      ),
    ]);
    expect(problemsOf(fixtureEnvironment({ workerPools: { consumer: { ...CONSUMER, instanceCount: 5000 } } }))).toEqual(
      [
        expect.stringMatching(
          /^workerPools\.consumer\.instanceCount: must be a whole number from 0 \(the pool stopped\) to 1000/,
        ),
      ],
    );
    expect(
      problemsOf(
        fixtureEnvironment({ workerPools: { consumer: { ...CONSUMER, vpcAccess: { connector: "c" } } as never } }),
      ),
    ).toEqual([
      "workerPools.consumer.vpcAccess.network: is required",
      "workerPools.consumer.vpcAccess.subnetwork: is required",
      "workerPools.consumer.vpcAccess.connector: is not a known field; known fields: network, subnetwork, tags, egress",
    ]);
  });
});

describe("a worker pool's release: pinned, promoted, never canaried", () => {
  const pools = { consumer: { image: "consumer", instanceCount: 1 } };
  const configs = [
    fixtureEnvironment({ name: "alpha", stage: "development", deletionProtection: false, workerPools: pools }),
    fixtureEnvironment({ name: "beta", stage: "production", workerPools: pools }),
  ];
  const d = "sha256:" + "c".repeat(64);
  const world = (releases: Record<string, ReleaseFile> = {}): World => ({
    configs: Object.fromEntries(configs.map((c) => [c.name, c])),
    releases,
    templateRevision: (_env, service) => `${service}-0a1b2c3d`,
    provenance: { time: "t1" },
  });

  test("pin in the first stage, promote to the next", () => {
    const pinned = pin(world(), "alpha", "consumer", `europe-west1-docker.pkg.dev/acme-fx-alpha/images/consumer@${d}`);
    if (!pinned.ok) throw new Error(pinned.problems.join("; "));
    expect(pinned.release.services.consumer).toMatchObject({ digest: d, ran: [d] });
    const promoted = promote(world({ alpha: pinned.release }), "alpha", "beta", ["consumer"]);
    if (!promoted.ok) throw new Error(promoted.problems.join("; "));
    expect(promoted.release.services.consumer).toMatchObject({
      digest: d,
      provenance: { verb: "promote", from: "alpha" },
    });
  });

  test("a canary or a model for a worker pool is refused, saying why", () => {
    const before = {
      alpha: { services: { consumer: { digest: d, ran: [d], provenance: { verb: "pin", time: "t0" } } } },
    };
    const out = canary(world(before), "alpha", "consumer", 10, {
      image: `europe-west1-docker.pkg.dev/acme-fx-alpha/images/consumer@${"sha256:" + "e".repeat(64)}`,
    } as never);
    expect(out.ok ? [] : out.problems).toContain(
      "consumer is a worker pool in environment alpha: a worker pool takes no traffic, so it has no canary",
    );
    const model = pin(world(before), "alpha", "consumer", undefined, "sentiment/run-1");
    expect(model.ok ? [] : model.problems).toContain(
      "consumer is a worker pool in environment alpha: a worker pool serves no model (a service's model names its bucket)",
    );
  });
});

describe("a service's events in the environments app: the trigger here, its account in the bootstrap stack", () => {
  const withEvents = fixtureEnvironment({
    name: "live",
    buckets: { models: {} },
    services: {
      predict: fixtureService({
        events: {
          "model-written": {
            source: { bucket: "models", eventType: "google.cloud.storage.object.v1.finalized" },
            path: "/reload",
          },
          requests: { source: { pubsubTopic: "prediction-requests" } },
        },
      }),
    },
  });

  test("the environment's stack makes each trigger, acting as the bootstrap stack's account, and its invoker grant only", () => {
    const out = envStack(withEvents);
    const triggers = Object.values(out.resource.google_eventarc_trigger) as Json[];
    expect(triggers.map((t) => [t.name, t.service_account, t.destination.cloud_run_service.path])).toEqual([
      ["predict-model-written", "predict-model-written-ev@acme-fx-live.iam.gserviceaccount.com", "/reload"],
      ["predict-requests", "predict-requests-ev@acme-fx-live.iam.gserviceaccount.com", "/"],
    ]);
    expect(triggers[0].matching_criteria[1]).toEqual({
      attribute: "bucket",
      value: expect.stringMatching(/^\$\{google_storage_bucket\.bucket-models_bucket_/),
    });
    const invokers = Object.values(out.resource.google_cloud_run_v2_service_iam_member as Record<string, Json>)
      .filter((g) => /-ev@/.test(g.member))
      .map((g) => `${g.role} ${g.member}`);
    expect(invokers).toEqual([
      "roles/run.invoker serviceAccount:predict-model-written-ev@acme-fx-live.iam.gserviceaccount.com",
      "roles/run.invoker serviceAccount:predict-requests-ev@acme-fx-live.iam.gserviceaccount.com",
    ]);
    expect(out.resource.google_service_account).toBeUndefined();
    expect(out.resource.google_project_iam_member).toBeUndefined();
    const apis = Object.values(out.resource.google_project_service).map((s: Json) => s.service);
    expect(apis).toEqual(expect.arrayContaining(["eventarc.googleapis.com", "pubsub.googleapis.com"]));
    const pubsub = Object.entries(out.resource.google_project_service).find(
      ([, v]: [string, Json]) => v.service === "pubsub.googleapis.com",
    )![0];
    for (const t of triggers) expect(t.depends_on).toContain(`google_project_service.${pubsub}`);
    expect(schemaProblems({ live: out })).toEqual({});
  });

  test("the bootstrap stack makes the accounts, the receiver role for the bucket's trigger, the agent's role once, and lets the deploy identity act as them", () => {
    const { stack, tf } = bootstrap(withEvents);
    const accounts = all(tf)
      .filter(([type]) => type === "google_service_account")
      .map(([, , r]) => r.account_id);
    expect(accounts).toEqual(expect.arrayContaining(["predict-model-written-ev", "predict-requests-ev"]));
    const projectRoles = all(tf)
      .filter(([type]) => type === "google_project_iam_member")
      .map(([, , r]) => `${r.role} ${r.member}`)
      .filter((g) => /eventarc|pubsub/.test(g))
      .sort();
    expect(projectRoles).toEqual([
      "roles/eventarc.admin serviceAccount:terraform-deploy@acme-fx-live.iam.gserviceaccount.com",
      expect.stringMatching(
        /^roles\/eventarc\.eventReceiver \$\{google_service_account\.runtime_predict_events-model-written_service-account_[0-9A-F]{8}\.member\}$/,
      ),
      "roles/eventarc.viewer serviceAccount:terraform-plan@acme-fx-live.iam.gserviceaccount.com",
      "roles/pubsub.publisher serviceAccount:service-${data.google_project.project.number}@gs-project-accounts.iam.gserviceaccount.com",
    ]);
    const actAs = all(tf)
      .filter(([type, id]) => type === "google_service_account_iam_member" && /events-/.test(id))
      .map(([, id]) => id.replace(/_[0-9A-F]{8}$/, ""));
    expect(actAs).toEqual([
      "runtime_predict_events-model-written_deployer-act-as",
      "runtime_predict_events-requests_deployer-act-as",
    ]);
    // The deploy identity manages triggers; the plan identity reads them.
    expect([...stack.identities.deploy!.roles.keys()]).toContain("roles/eventarc.admin");
    expect([...stack.identities.plan!.roles.keys()]).toContain("roles/eventarc.viewer");
  });

  test("refused: a trigger id that cannot name one, a bucket the environment lacks, a path without /, an event type", () => {
    const bad = fixtureEnvironment({
      services: {
        predict: fixtureService({
          events: {
            Model_Written: {
              source: { bucket: "nope", eventType: "google.cloud.storage.object.v1.finalized" },
              path: "reload",
            },
          },
        }),
      },
    });
    expect(problemsOf(bad)).toEqual([
      "services.predict.events.Model_Written.source.bucket: must be a key of buckets, and the environment has none",
      expect.stringMatching(/^services\.predict\.events\.Model_Written: must be 1-14 lowercase letters/),
      "services.predict.events.Model_Written.path: must be a path starting with /",
    ]);
    const sourced = (source: unknown) =>
      problemsOf(
        fixtureEnvironment({
          buckets: { models: {} },
          services: { predict: { ...fixtureService(), events: { e: { source } } } as never },
        }),
      );
    // A source that is no form's is named by the form it comes closest to, field by field.
    expect(sourced({ bucket: "models" })).toEqual([
      expect.stringMatching(
        /^services\.predict\.events\.e\.source\.eventType: is required and must be one of "google\.cloud\.storage\.object\.v1\.finalized"/,
      ),
    ]);
    expect(sourced({ bucket: "models", eventType: "google.cloud.storage.object.v1.finalised" })).toEqual([
      expect.stringMatching(/^services\.predict\.events\.e\.source\.eventType: must be one of /),
    ]);
    expect(sourced({ pubsubTopic: "projects/someone-else/topics/requests" })).toEqual([
      "services.predict.events.e.source.pubsubTopic: must be a topic of the environment's project (acme-fx-fixture): whoever may publish to another project's topic could call the service",
    ]);
    expect(sourced({ pubsubTopic: "projects/acme-fx-fixture/topics/requests" })).toEqual([]);
    expect(sourced("models")).toEqual([
      "services.predict.events.e.source: must be { bucket, eventType } (a bucket's objects) or { pubsubTopic } (a topic's messages)",
    ]);
    const type = fixtureEnvironment({
      services: {
        predict: fixtureService({ events: { x: { source: { bucket: "m", eventType: "object.created" as never } } } }),
      },
    });
    expect(problemsOf(type).join("\n")).toMatch(/services\.predict\.events\.x\.source/);
  });
});

describe("what the bootstrap stack makes must be one of its own", () => {
  test("an account id met twice (a hash past 30 characters, or a name that is another's id) is refused; so is a trigger name", () => {
    const long = "svc-aaaaaaaaaaaaaaaaaaaaa";
    const config = fixtureEnvironment({
      services: {
        predict: fixtureService({ name: long, events: { trig: { source: { pubsubTopic: "jobs" } } } }),
        other: fixtureService({ name: `${long}-trig-ev` }),
        a: fixtureService({ name: "a", events: { "b-c": { source: { pubsubTopic: "topic1" } } } }),
        ab: fixtureService({ name: "a-b", events: { c: { source: { pubsubTopic: "topic2" } } } }),
      },
    });
    expect(problemsOf(config)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^services\.other: its runtime account would be svc-a+-[0-9a-f]{8}, already services\.predict\.events\.trig's: rename one$/,
        ),
        "services.ab.events.c: its account would be a-b-c-ev, already services.a.events.b-c's: rename one",
        "services.ab.events.c: names the trigger a-b-c, as services.a.events.b-c does",
      ]),
    );
  });

  test("Terraform expressions in configuration strings are refused, wherever they are; an escaped one is a literal", () => {
    const config = fixtureEnvironment({
      services: {
        predict: fixtureService({
          env: { GREETING: '${file("/proc/self/environ")}', LITERAL: "$${HOME}" },
          binaryAuthorization: { policy: "default", breakglass: { justification: '${"incident response override"}' } },
          volumes: [{ kind: "emptyDir", name: "x", mountPath: '/d${"ev"}' }],
        }),
      },
    });
    expect(problemsOf(config)).toEqual([
      "services.predict.env.GREETING: must not hold ${ or %{: Terraform would read it as an expression, known only at apply (write $${ for a literal ${)",
      expect.stringMatching(/^services\.predict\.volumes\[0\]\.mountPath: must not hold \$\{/),
      expect.stringMatching(/^services\.predict\.binaryAuthorization\.breakglass\.justification: must not hold \$\{/),
    ]);
  });
});
