/**
 * EnvironmentStack: what an environment's stack holds (provider, APIs, repository, services and
 * their outputs, monitoring), as its configuration and release say, at each stage; and what it
 * leaves to the bootstrap stack.
 */
import { TerraformStack, Testing } from "cdktf";
import { ConfigError, EnvironmentConfig, EnvironmentStack } from "../../lib/app";
import { BootstrapStack } from "../../lib/app/bootstrap-stack";
import { PolicyPack } from "../../lib";
import {
  FIXTURE_DIGEST,
  fixtureEnvironment,
  fixtureJob,
  fixtureRelease,
  fixtureService,
} from "../fixtures/environment";
import { Json, Synth, resources } from "../helpers";

/** The stack of a configuration, with every service released at FIXTURE_DIGEST unless `release` says otherwise. */
function stackOf(
  config: EnvironmentConfig,
  release: unknown = fixtureRelease(config),
): { stack: EnvironmentStack; out: Synth } {
  const stack = new EnvironmentStack(Testing.app(), "env", config, { release });
  return { stack, out: JSON.parse(Testing.synth(stack)) as Synth };
}

const prod = fixtureEnvironment({ name: "live", stage: "production", labels: { "cost-center": "ml", team: "ml" } });
const dev: EnvironmentConfig = fixtureEnvironment({
  name: "sandbox",
  stage: "development",
  deletionProtection: false,
  repository: { repositoryId: "images", immutableTags: false },
});
const withTwoServices: EnvironmentConfig = {
  ...dev,
  services: {
    predict: dev.services.predict,
    explain: { image: "explain-api", maxInstances: 2 },
  },
};

describe("EnvironmentStack", () => {
  const { stack, out } = stackOf(prod);

  test("the provider carries the environment's project, region and default labels", () => {
    expect((out.provider as Json).google[0]).toEqual({
      project: "acme-fx-live",
      region: "europe-west1",
      default_labels: {
        app: "fixture",
        "cost-center": "ml",
        environment: "live",
        "managed-by": "cdktf-cloud-run",
        team: "ml",
      },
    });
  });

  test("APIs are exactly those the resources need, each resource waiting for its own", () => {
    const apis = Object.values(resources(out, "google_project_service")).map((r) => r.service);
    // The runtime accounts and their grants (IAM, Secret Manager) are the bootstrap stack's.
    expect(apis).toEqual(["artifactregistry.googleapis.com", "monitoring.googleapis.com", "run.googleapis.com"]);
    const run = Object.entries(resources(out, "google_project_service")).find(
      ([, r]) => r.service === "run.googleapis.com",
    )!;
    expect(Object.values(resources(out, "google_cloud_run_v2_service"))[0].depends_on).toContain(
      `google_project_service.${run[0]}`,
    );
    for (const [type, all] of Object.entries(out.resource)) {
      if (type === "google_project_service") continue;
      for (const r of Object.values(all))
        expect(r.depends_on?.some((d: string) => d.startsWith("google_project_service."))).toBe(true);
    }
  });

  test("services run as the runtime accounts the bootstrap stack makes; the stack manages no account or IAM policy but invokers and its deployer's", () => {
    const svc = Object.values(resources(out, "google_cloud_run_v2_service"))[0];
    expect(svc.template.service_account).toBe("predict-run@acme-fx-live.iam.gserviceaccount.com");
    expect(Object.keys(out.resource as Json).sort()).toEqual([
      "google_artifact_registry_repository",
      "google_artifact_registry_repository_iam_member",
      "google_cloud_run_v2_service",
      "google_cloud_run_v2_service_iam_member",
      "google_monitoring_alert_policy",
      "google_monitoring_custom_service",
      "google_monitoring_dashboard",
      "google_monitoring_notification_channel",
      "google_monitoring_slo",
      "google_monitoring_uptime_check_config",
      "google_project_service",
    ]);
  });

  test("production: deletion protection, protected repository with immutable tags, digest, min 1 and max set", () => {
    const svc = Object.values(resources(out, "google_cloud_run_v2_service"))[0];
    expect(svc.deletion_protection).toBe(true);
    expect(svc.template.containers[0].image).toBe(
      `europe-west1-docker.pkg.dev/acme-fx-live/images/predict-api@${FIXTURE_DIGEST}`,
    );
    expect(svc.template.scaling).toEqual({ min_instance_count: 1, max_instance_count: 20 });
    const repo = Object.values(resources(out, "google_artifact_registry_repository"))[0];
    expect(repo.lifecycle).toEqual({ prevent_destroy: true });
    expect(repo.docker_config).toEqual({ immutable_tags: true });
    const invokers = Object.values(resources(out, "google_cloud_run_v2_service_iam_member")).map((m) => m.member);
    expect(invokers).not.toContain("allUsers");
  });

  test("a development environment relaxes them, as its configuration says", () => {
    const d = stackOf(dev).out;
    const svc = Object.values(resources(d, "google_cloud_run_v2_service"))[0];
    expect(svc.deletion_protection).toBe(false);
    const repo = Object.values(resources(d, "google_artifact_registry_repository"))[0];
    expect(repo.lifecycle).toEqual({ prevent_destroy: false });
    expect(repo.docker_config).toEqual({ immutable_tags: false });
  });

  test("a service with no release runs the public placeholder in development, and nowhere else", () => {
    const d = stackOf(dev, { services: {} });
    const svc = Object.values(resources(d.out, "google_cloud_run_v2_service"))[0];
    expect(svc.template.containers[0].image).toBe("us-docker.pkg.dev/cloudrun/container/hello");
    expect(d.stack.notDeployed).toEqual([]);

    // The placeholder serves HTTP/1 on PORT: the service's own command, gRPC, probes and
    // sidecars wait for its first release, or the placeholder's revision would never be ready.
    const grpc: EnvironmentConfig = {
      ...dev,
      services: {
        predict: fixtureService({
          command: ["python", "-m", "serve"],
          args: ["--port", "8080"],
          workingDir: "/app",
          http2: true,
          startupProbe: { grpc: {} },
          livenessProbe: { grpc: {} },
          sidecars: [
            { name: "otel", image: "otel/opentelemetry-collector:0.98.0", startupProbe: { tcp: { port: 4317 } } },
          ],
          startAfter: ["otel"],
          serviceMinInstances: 1,
        }),
      },
    };
    const waiting = Object.values(resources(stackOf(grpc, { services: {} }).out, "google_cloud_run_v2_service"))[0];
    expect(waiting.template.containers).toHaveLength(1);
    const [placeholder] = waiting.template.containers;
    expect(placeholder.image).toBe("us-docker.pkg.dev/cloudrun/container/hello");
    for (const field of ["command", "args", "working_dir", "name", "depends_on", "liveness_probe"]) {
      expect([field, placeholder[field]]).toEqual([field, undefined]);
    }
    expect(placeholder.ports).toEqual({ container_port: 8080 });
    expect(placeholder.startup_probe?.grpc).toBeUndefined();
    expect(waiting.scaling.min_instance_count).toBe(1);
    // Released, the same service runs all of it.
    const live = Object.values(resources(stackOf(grpc).out, "google_cloud_run_v2_service"))[0];
    expect(live.template.containers.map((c: Json) => c.name)).toEqual(["main", "otel"]);
    expect(live.template.containers[0]).toMatchObject({ command: ["python", "-m", "serve"], ports: { name: "h2c" } });

    // Past development it is not deployed at all: no service, account, grant or output of its
    // own, and an acknowledgement about it waits for it. The rest of the stack is there, so a
    // new environment's first apply creates the repository its images are copied into.
    const ack = { rule: "RUN-009", service: "predict", reason: "called by the partner gateway over the internet" };
    const withTwo = { ...prod, acknowledgements: [ack], services: { ...prod.services, explain: fixtureService() } };
    const p = stackOf(withTwo, { services: { explain: fixtureRelease(withTwo).services.explain } });
    expect(p.stack.notDeployed).toEqual(["predict"]);
    expect(Object.keys(p.stack.services)).toEqual(["explain"]);
    const addresses = Object.entries(p.out.resource as Json).flatMap(([type, byId]) =>
      Object.keys(byId as Json).map((id) => `${type}.${id}`),
    );
    expect(addresses.filter((a) => /\.predict_/.test(a))).toEqual([]);
    expect(addresses.filter((a) => /\.explain_/.test(a)).length).toBeGreaterThan(0);
    expect(Object.keys(p.out.output as Json).sort()).toEqual([
      "explain_service_account",
      "explain_url",
      "repository_url",
    ]);

    // With no service deployed, the stack is the repository and the APIs: those the services
    // will need too, so that the first apply of a new environment turns them all on.
    const empty = stackOf(prod, { services: {} });
    expect(Object.keys(empty.out.resource as Json).sort()).toEqual([
      "google_artifact_registry_repository",
      "google_artifact_registry_repository_iam_member",
      "google_monitoring_dashboard",
      "google_monitoring_notification_channel",
      "google_project_service",
    ]);
    const enabled = (s: Synth) => Object.values(resources(s, "google_project_service")).map((r) => r.service);
    expect(enabled(empty.out)).toEqual(enabled(stackOf(prod).out));
    expect(enabled(empty.out)).toContain("run.googleapis.com");
  });

  test("services pull from their own environment's repository: no grant to the runtime accounts", () => {
    const s = stackOf(withTwoServices);
    // The repository's one grant is the deploy identity's, which manages it there and not on the project.
    expect(
      Object.entries(resources(s.out, "google_artifact_registry_repository_iam_member")).map(([id, r]) => [
        id.replace(/_[0-9A-F]{8}$/, ""),
        r.role,
        r.member,
      ]),
    ).toEqual([
      [
        "repository_admin-deploy",
        "roles/artifactregistry.admin",
        "serviceAccount:terraform-deploy@acme-fx-sandbox.iam.gserviceaccount.com",
      ],
    ]);
    for (const svc of Object.values(resources(s.out, "google_cloud_run_v2_service"))) {
      expect(svc.template.containers[0].image).toMatch(/^europe-west1-docker\.pkg\.dev\/acme-fx-sandbox\/images\//);
    }
    expect(Object.keys(s.stack.services)).toEqual(["explain", "predict"]);
  });

  test("outputs: each service URL and account, and the repository URL, with descriptions and stable names", () => {
    const outputs = stackOf(withTwoServices).out.output as Json;
    expect(Object.keys(outputs).sort()).toEqual([
      "explain_service_account",
      "explain_url",
      "predict_service_account",
      "predict_url",
      "repository_url",
    ]);
    for (const o of Object.values(outputs) as Json[]) expect(o.description).toMatch(/ in sandbox/);
    expect(outputs.repository_url.value).toBe("europe-west1-docker.pkg.dev/acme-fx-sandbox/images");
    expect(outputs.predict_url.value).toMatch(/^\$\{google_cloud_run_v2_service\.predict_service_[0-9A-F]+\.uri\}$/);
  });

  test("exposes the validated config, repository, services and APIs", () => {
    expect(stack.config.name).toBe("live");
    expect(stack.repository.repositoryUrl).toBe("europe-west1-docker.pkg.dev/acme-fx-live/images");
    expect(stack.services.predict.serviceName).toBe("predict");
    expect(stack.apis.services).toContain("run.googleapis.com");
  });

  test("untyped input is validated before anything is created", () => {
    const app = Testing.app(); // a temporary outdir: App creates <outdir>/stacks when constructed
    expect(() => new EnvironmentStack(app, "live", { ...prod, region: 5 }, { release: fixtureRelease(prod) })).toThrow(
      ConfigError,
    );
    expect(app.node.children).toHaveLength(0);
  });
});

describe("serving options through the configuration", () => {
  const REGION = "europe-west4";
  const digest = (c: string) => `${REGION}-docker.pkg.dev/acme-ml-prod/models/predict-grpc@sha256:${c.repeat(64)}`;
  const KEY = `projects/acme-kms/locations/${REGION}/keyRings/ml/cryptoKeys/serving`;

  test("a gRPC service with a sidecar, VPC egress and a key: its key's grant is the bootstrap stack's", () => {
    const config = fixtureEnvironment({
      name: "live",
      services: {
        predict: fixtureService({
          http2: true,
          startupProbe: { grpc: {} },
          livenessProbe: { grpc: { service: "grpc.health.v1.Health" } },
          sidecars: [{ name: "otel", image: digest("f") }],
          vpcAccess: { network: "ml-vpc", subnetwork: "serving" },
          encryptionKey: KEY,
        }),
      },
    });
    const env = JSON.parse(
      Testing.synth(new EnvironmentStack(Testing.app(), "live", config, { release: fixtureRelease(config) })),
    );
    const svc = Object.values<Json>(resources(env, "google_cloud_run_v2_service"))[0];
    expect(svc.template.encryption_key).toBe(KEY);
    expect(svc.template.containers.map((c: Json) => c.name)).toEqual(["main", "otel"]);
    expect(resources(env, "google_kms_crypto_key_iam_member")).toEqual({});
    const boot = JSON.parse(
      Testing.synth(new BootstrapStack(Testing.app(), "bootstrap-live", config, { environments: [config] })),
    );
    const grants = Object.values<Json>(resources(boot, "google_kms_crypto_key_iam_member"));
    expect(grants.map((g) => [g.crypto_key_id, g.role])).toEqual([[KEY, "roles/cloudkms.cryptoKeyEncrypterDecrypter"]]);
    expect(grants[0].member).toMatch(/@serverless-robot-prod\.iam\.gserviceaccount\.com$/);
    // The agent exists once the Cloud Run API is on: on a new project the bootstrap stack applies
    // first, so it enables that API itself and the grant waits for it.
    const apis = resources(boot, "google_project_service");
    const [runApi] = Object.entries<Json>(apis).find(([, a]) => a.service === "run.googleapis.com")!;
    expect(grants[0].depends_on).toContain(`google_project_service.${runApi}`);
    // Without a key, the bootstrap stack leaves the Cloud Run API to the environment stack.
    const plain = fixtureEnvironment({ name: "live", services: { predict: fixtureService() } });
    const plainBoot = JSON.parse(
      Testing.synth(new BootstrapStack(Testing.app(), "bootstrap-live", plain, { environments: [plain] })),
    );
    const services = Object.values<Json>(resources(plainBoot, "google_project_service")).map((a) => a.service);
    expect(services).not.toContain("run.googleapis.com");
  });
});

describe("monitoring", () => {
  const synthOf = (stack: TerraformStack): Synth => JSON.parse(Testing.synth(stack));
  const live = fixtureEnvironment({ name: "live", stage: "production" });

  test("production: every service monitored, every job alerted, all to the environment's channels; a dashboard", () => {
    const config = {
      ...live,
      buckets: { models: {} },
      jobs: { train: fixtureJob({ schedule: undefined }) },
    };
    const stack = new EnvironmentStack(Testing.app(), "live", config, { release: fixtureRelease(config) });
    const out = synthOf(stack);
    const policies = Object.values<Json>(resources(out, "google_monitoring_alert_policy"));
    expect(policies).toHaveLength(9); // 8 for predict, 1 for train
    const [channel] = Object.keys(resources(out, "google_monitoring_notification_channel"));
    for (const p of policies) {
      expect(p.notification_channels).toEqual([`\${google_monitoring_notification_channel.${channel}.name}`]);
    }
    expect(Object.keys(resources(out, "google_monitoring_uptime_check_config"))).toHaveLength(1);
    expect(Object.keys(resources(out, "google_monitoring_slo"))).toHaveLength(2);
    const [dashboard] = Object.values<Json>(resources(out, "google_monitoring_dashboard"));
    const titles = JSON.parse(dashboard.dashboard_json).mosaicLayout.tiles.map((t: Json) => t.widget.title);
    expect(titles).toContain("predict: error budget left, per SLO");
    expect(titles).toContain("train: executions per hour, by result");
    expect(
      new PolicyPack({ stage: "production" }).evaluate(stack).findings.filter((f) => f.ruleId.startsWith("MON-")),
    ).toEqual([]);
  });

  test("development: off by default (a dashboard still); on when asked", () => {
    const sandbox = fixtureEnvironment({
      name: "sandbox",
      stage: "development",
      monitoring: { emails: ["a@acme.example"] },
    });
    const off = synthOf(new EnvironmentStack(Testing.app(), "sandbox", sandbox, { release: fixtureRelease(sandbox) }));
    expect(resources(off, "google_monitoring_alert_policy")).toEqual({});
    expect(Object.keys(resources(off, "google_monitoring_dashboard"))).toHaveLength(1);
    const on = { ...sandbox, monitoring: { enabled: true } };
    const out = synthOf(new EnvironmentStack(Testing.app(), "sandbox", on, { release: fixtureRelease(on) }));
    expect(Object.keys(resources(out, "google_monitoring_alert_policy")).length).toBeGreaterThan(0);
  });
});
