/**
 * CloudRunService (lib/constructs/cloud-run-service/): what it writes by default and with each
 * option, its invokers, its serving options (command and args, sidecars and start order, HTTP/2
 * and probes of three kinds, VPC egress, customer-managed keys, custom audiences, service-level
 * minimum instances), and every refusal at its boundary, naming the field and the value.
 */
import { Token } from "cdktf";
import {
  ArtifactRepository,
  CloudRunService,
  CloudRunServiceProps,
  PolicyPack,
  ProjectServices,
  ValidationError,
} from "../../lib";
import { CloudRunV2ServiceIamMember } from "../../lib/providers";
import { IMAGE, Json, errorOf, newStack, only, resources, synth } from "../helpers";
import { refused } from "./refused";
import { KEY, digest, grpcProps, stack } from "./serving-fixture";

const base: CloudRunServiceProps = {
  project: "acme-ml-dev",
  location: "europe-west1",
  name: "predict-api",
  image: IMAGE,
};
const build = (props: Partial<CloudRunServiceProps>) => () =>
  new CloudRunService(newStack(), "predict", { ...base, ...props } as CloudRunServiceProps);
const synthService = (props: Partial<CloudRunServiceProps> = {}) =>
  synth((s) => new CloudRunService(s, "predict", { ...base, ...props } as CloudRunServiceProps));
const serviceOf = (props: Partial<CloudRunServiceProps> = {}) =>
  only(synthService(props), "google_cloud_run_v2_service");

/** The gRPC service of the serving fixture, with `props` changed, synthesized. */
const service = (props: Partial<CloudRunServiceProps>) =>
  stack((s) => new CloudRunService(s, "grpc", { ...grpcProps, ...props }));

describe("CloudRunService defaults", () => {
  const out = synthService();
  const svc = only(out, "google_cloud_run_v2_service");
  const container = svc.template.containers[0];

  test("a v2 service with deletion protection and ingress written explicitly", () => {
    expect(svc).toMatchObject({
      name: "predict-api",
      location: "europe-west1",
      project: "acme-ml-dev",
      deletion_protection: true,
      ingress: "INGRESS_TRAFFIC_ALL",
    });
  });

  test("gen2, 80 concurrent requests, 300 s timeout, 0 to 10 instances", () => {
    expect(svc.template).toMatchObject({
      execution_environment: "EXECUTION_ENVIRONMENT_GEN2",
      max_instance_request_concurrency: 80,
      timeout: "300s",
      scaling: { min_instance_count: 0, max_instance_count: 10 },
    });
  });

  test("1 CPU and 512Mi, with cpu_idle and startup boost written", () => {
    expect(container.resources).toEqual({
      limits: { cpu: "1", memory: "512Mi" },
      cpu_idle: true,
      startup_cpu_boost: true,
    });
    expect(container.ports).toEqual({ container_port: 8080 });
    expect(container.image).toBe(IMAGE);
  });

  test("100% of traffic to this template's revision, by its name derived from the template", () => {
    expect(svc.template.revision).toMatch(/^predict-api-[0-9a-f]{8}$/);
    expect(svc.traffic).toEqual([
      { type: "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION", revision: svc.template.revision, percent: 100 },
    ]);
  });

  test("the revision name follows the template: any change renames it, the same template keeps it", () => {
    const name = (props: Partial<CloudRunServiceProps>) => serviceOf(props).template.revision;
    expect(name({})).toBe(svc.template.revision);
    expect(name({ maxInstances: 11 })).not.toBe(svc.template.revision);
    expect(name({ env: { A: "1" } })).not.toBe(name({ env: { A: "2" } }));
    expect(name({ image: IMAGE.replace(/a{64}$/, "b".repeat(64)) })).not.toBe(svc.template.revision);
    // Service-level settings are not part of a revision: they do not rename it.
    expect(name({ ingress: "internal" })).toBe(svc.template.revision);
    expect(name({ invokers: ["group:ml@acme.example"] })).toBe(svc.template.revision);
  });

  test("runs as a dedicated service account, never the default compute one", () => {
    const sa = only(out, "google_service_account");
    expect(sa).toMatchObject({ account_id: "predict-api-run", project: "acme-ml-dev" });
    expect(svc.template.service_account).toMatch(
      /^\$\{google_service_account\.predict_service-account_[0-9A-F]+\.email\}$/,
    );
  });

  test("the service account can write logs and metrics, and nothing else", () => {
    const roles = Object.values(resources(out, "google_project_iam_member")).map((m) => m.role);
    expect(roles.sort()).toEqual(["roles/logging.logWriter", "roles/monitoring.metricWriter"]);
    expect(resources(out, "google_secret_manager_secret_iam_member")).toEqual({});
    expect(resources(out, "google_cloud_run_v2_service_iam_member")).toEqual({});
  });

  test("no probes, env, labels or lifecycle unless asked", () => {
    expect(container).not.toHaveProperty("env");
    expect(container).not.toHaveProperty("startup_probe");
    expect(container).not.toHaveProperty("liveness_probe");
    expect(svc).not.toHaveProperty("labels");
    expect(svc).not.toHaveProperty("lifecycle");
  });

  test("exposes name, URI and service account email", () => {
    const s = new CloudRunService(newStack(), "predict", base);
    expect(s.serviceName).toBe("predict-api");
    expect(Token.isUnresolved(s.uri)).toBe(true);
    expect(Token.isUnresolved(s.serviceAccountEmail)).toBe(true);
    expect(s.serviceAccount).toBeDefined();
  });
});

describe("CloudRunService options", () => {
  test("resources, scaling, concurrency, timeout, ingress, environment", () => {
    const svc = serviceOf({
      cpu: "4",
      memory: "8Gi",
      cpuIdle: false,
      startupCpuBoost: false,
      minInstances: 1,
      maxInstances: 20,
      concurrency: 4,
      timeoutSeconds: 900,
      ingress: "internal-and-cloud-load-balancing",
      executionEnvironment: "gen1",
      containerPort: 3000,
      deletionProtection: false,
      description: "Predictions",
      labels: { team: "ml", app: "predict" },
    });
    expect(svc).toMatchObject({
      ingress: "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER",
      deletion_protection: false,
      description: "Predictions",
      labels: { app: "predict", team: "ml" },
      template: {
        execution_environment: "EXECUTION_ENVIRONMENT_GEN1",
        max_instance_request_concurrency: 4,
        timeout: "900s",
        scaling: { min_instance_count: 1, max_instance_count: 20 },
        labels: { app: "predict", team: "ml" },
        containers: [
          {
            ports: { container_port: 3000 },
            resources: { limits: { cpu: "4", memory: "8Gi" }, cpu_idle: false, startup_cpu_boost: false },
          },
        ],
      },
    });
  });

  test("internal ingress", () => {
    expect(serviceOf({ ingress: "internal" }).ingress).toBe("INGRESS_TRAFFIC_INTERNAL_ONLY");
  });

  test("env sorted by name; secrets from Secret Manager with pinned versions and access granted per secret", () => {
    const out = synthService({
      env: { MODEL: "resnet", LOG_LEVEL: "info" },
      secretEnv: {
        DB_PASSWORD: { secret: "db-password", version: "3" },
        API_KEY: { secret: "projects/shared-secrets/secrets/api-key", version: "1" },
        DB_PASSWORD_OLD: { secret: "db-password", version: "2" },
      },
    });
    const svc = only(out, "google_cloud_run_v2_service");
    expect(svc.template.containers[0].env).toEqual([
      { name: "LOG_LEVEL", value: "info" },
      { name: "MODEL", value: "resnet" },
      {
        name: "API_KEY",
        value_source: { secret_key_ref: { secret: "projects/shared-secrets/secrets/api-key", version: "1" } },
      },
      { name: "DB_PASSWORD", value_source: { secret_key_ref: { secret: "db-password", version: "3" } } },
      { name: "DB_PASSWORD_OLD", value_source: { secret_key_ref: { secret: "db-password", version: "2" } } },
    ]);
    const grants = Object.values(resources(out, "google_secret_manager_secret_iam_member"));
    expect(grants.map((g) => [g.secret_id, g.project, g.role])).toEqual([
      ["db-password", "acme-ml-dev", "roles/secretmanager.secretAccessor"],
      ["projects/shared-secrets/secrets/api-key", undefined, "roles/secretmanager.secretAccessor"],
    ]);
    // The service waits for secret access, or its first revision fails to start.
    expect(svc.depends_on).toHaveLength(2);
    expect(svc.depends_on.every((d: string) => d.startsWith("google_secret_manager_secret_iam_member."))).toBe(true);
  });

  test("grantSecretAccess: false leaves the secrets' access to whoever made the account", () => {
    const out = synthService({
      serviceAccountEmail: "embed-run@acme-ml-dev.iam.gserviceaccount.com",
      grantSecretAccess: false,
      secretEnv: { DB_PASSWORD: { secret: "db-password", version: "3" } },
    });
    expect(resources(out, "google_secret_manager_secret_iam_member")).toEqual({});
    expect(only(out, "google_cloud_run_v2_service").template.containers[0].env).toEqual([
      { name: "DB_PASSWORD", value_source: { secret_key_ref: { secret: "db-password", version: "3" } } },
    ]);
  });

  test("HTTP startup and liveness probes default to the container port", () => {
    const container = serviceOf({
      containerPort: 9000,
      startupProbe: { path: "/healthz", periodSeconds: 5, failureThreshold: 24 },
      livenessProbe: { path: "/livez", port: 9001, timeoutSeconds: 3, initialDelaySeconds: 10 },
    }).template.containers[0];
    expect(container.startup_probe).toEqual({
      http_get: { path: "/healthz", port: 9000 },
      initial_delay_seconds: 0,
      period_seconds: 5,
      timeout_seconds: 1,
      failure_threshold: 24,
    });
    expect(container.liveness_probe).toEqual({
      http_get: { path: "/livez", port: 9001 },
      initial_delay_seconds: 10,
      period_seconds: 10,
      timeout_seconds: 3,
      failure_threshold: 3,
    });
  });

  test("a canary: the stable revision by name, and this template's revision, each with a tag", () => {
    const svc = serviceOf({
      traffic: [
        { revision: "predict-api-1a2b3c4d", percent: 90, tag: "stable" },
        { percent: 10, tag: "canary" },
      ],
    });
    expect(svc.traffic).toEqual([
      { type: "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION", revision: "predict-api-1a2b3c4d", percent: 90, tag: "stable" },
      { type: "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION", revision: svc.template.revision, percent: 10, tag: "canary" },
    ]);
    expect(JSON.stringify(svc)).not.toContain("LATEST");
    expect(svc.lifecycle).toBeUndefined();
  });

  test("an existing service account is used as given, with no account or project roles created", () => {
    const out = synthService({ serviceAccountEmail: "predict@acme-ml-dev.iam.gserviceaccount.com" });
    expect(resources(out, "google_service_account")).toEqual({});
    expect(resources(out, "google_project_iam_member")).toEqual({});
    expect(only(out, "google_cloud_run_v2_service").template.service_account).toBe(
      "predict@acme-ml-dev.iam.gserviceaccount.com",
    );
  });

  test("serviceAccountId overrides the derived account id", () => {
    expect(only(synthService({ serviceAccountId: "predictor" }), "google_service_account").account_id).toBe(
      "predictor",
    );
  });

  test("dependsOn a ProjectServices reaches the service account and the service", () => {
    const out = synth((s) => {
      const apis = new ProjectServices(s, "apis", { services: ["run.googleapis.com", "iam.googleapis.com"] });
      new CloudRunService(s, "predict", { ...base, dependsOn: [apis] });
    });
    for (const type of ["google_service_account", "google_cloud_run_v2_service"]) {
      expect(only(out, type).depends_on).toEqual([
        expect.stringMatching(/^google_project_service\.apis_iam-googleapis-com_/),
        expect.stringMatching(/^google_project_service\.apis_run-googleapis-com_/),
      ]);
    }
  });

  test("without a project, project roles use the service account's project", () => {
    const out = synthService({ project: undefined });
    for (const m of Object.values(resources(out, "google_project_iam_member"))) {
      expect(m.project).toMatch(/^\$\{google_service_account\.predict_service-account_[0-9A-F]+\.project\}$/);
    }
    expect(only(out, "google_cloud_run_v2_service")).not.toHaveProperty("project");
  });
});

describe("CloudRunService invokers", () => {
  test("grantInvoker adds an additive run.invoker member on this service and returns it", () => {
    const out = synth((s) => {
      const svc = new CloudRunService(s, "predict", base);
      const m = svc.grantInvoker("serviceAccount:gateway@acme-ml-dev.iam.gserviceaccount.com");
      expect(m.roles).toEqual(["roles/run.invoker"]);
      expect(m.member).toBe("serviceAccount:gateway@acme-ml-dev.iam.gserviceaccount.com");
      expect(m.resources).toHaveLength(1);
      expect(m.resources[0]).toBeInstanceOf(CloudRunV2ServiceIamMember);
      // The same member again: the same resource, no second one.
      expect(svc.grantInvoker("serviceAccount:gateway@acme-ml-dev.iam.gserviceaccount.com").resources).toEqual(
        m.resources,
      );
    });
    const m = only(out, "google_cloud_run_v2_service_iam_member");
    expect(m).toMatchObject({
      role: "roles/run.invoker",
      member: "serviceAccount:gateway@acme-ml-dev.iam.gserviceaccount.com",
      location: "europe-west1",
      project: "acme-ml-dev",
      name: expect.stringMatching(/^\$\{google_cloud_run_v2_service\.predict_service_[0-9A-F]+\.name\}$/),
    });
  });

  test("invokers prop grants each", () => {
    const out = synthService({ invokers: ["group:ml@acme.example", "user:ana@acme.example"] });
    expect(Object.values(resources(out, "google_cloud_run_v2_service_iam_member")).map((m) => m.member)).toEqual([
      "group:ml@acme.example",
      "user:ana@acme.example",
    ]);
  });

  test("the public needs allowPublic, on the service or the grant", () => {
    expect(build({ invokers: ["allUsers"] })).toThrow(
      /invokers\[0\]: got "allUsers"; makes the service callable by anyone/,
    );
    expect(build({ invokers: ["allUsers"], allowPublic: true })).not.toThrow();
    const svc = new CloudRunService(newStack(), "predict", base);
    expect(() => svc.grantInvoker("allAuthenticatedUsers")).toThrow(/CKV_GCP_102/);
    expect(() => svc.grantInvoker("allAuthenticatedUsers", { allowPublic: true })).not.toThrow();
    expect(() => svc.grantInvoker("gateway@acme-ml-dev.iam.gserviceaccount.com")).toThrow(/must be an IAM principal/);
  });

  test("the invoker check is written explicitly (on by default); turned off, it refuses invoker grants", () => {
    expect(serviceOf().invoker_iam_disabled).toBe(false);
    expect(serviceOf({ invokerIamDisabled: true }).invoker_iam_disabled).toBe(true);
    refused(
      build({ invokerIamDisabled: true, invokers: ["group:ml@acme.example"] }),
      "invokers",
      ["group:ml@acme.example"],
      /must be empty: the invoker check is off/,
    );
    refused(build({ invokerIamDisabled: true, allowPublic: true }), "allowPublic", true, /must not be set/);
  });

  test("an IAM-free public service is refused by the pack (RUN-002) at every stage", () => {
    const s = newStack();
    new CloudRunService(s, "predict", { ...base, invokerIamDisabled: true });
    for (const stage of ["development", "production"] as const) {
      expect(new PolicyPack({ stage }).evaluate(s).findings.map((f) => f.ruleId)).toContain("RUN-002");
    }
  });

  test("session affinity is written when asked for, and only then: no revision is renamed", () => {
    expect(serviceOf({ sessionAffinity: true }).template.session_affinity).toBe(true);
    expect(serviceOf().template.session_affinity).toBeUndefined();
    expect(serviceOf({ sessionAffinity: false }).template.revision).toBe(serviceOf().template.revision);
  });

  test("a reader grant on a repository for the runtime account references its email", () => {
    const out = synth((s) => {
      const repo = new ArtifactRepository(s, "images", { location: "europe-west1", repositoryId: "models" });
      const svc = new CloudRunService(s, "predict", base);
      repo.grantReader(`serviceAccount:${svc.serviceAccountEmail}`);
    });
    const [id, m] = Object.entries(resources(out, "google_artifact_registry_repository_iam_member"))[0];
    expect(m.member).toMatch(/^serviceAccount:\$\{google_service_account\.predict_service-account_[0-9A-F]+\.email\}$/);
    expect(id).toMatch(
      /^images_reader-serviceaccount-google-service-account-predict-service-a-[0-9a-f]{8}_[0-9A-F]{8}$/,
    );
  });
});

describe("CloudRunService validation at the boundaries", () => {
  const passes = (props: Partial<CloudRunServiceProps>) => expect(build(props)).not.toThrow();
  const fails = (props: Partial<CloudRunServiceProps>, path: string, rule: RegExp) => {
    const msg = errorOf(build(props));
    expect(msg).toMatch(/^CloudRunService "test\/predict" has \d+ invalid props?:/);
    const line = msg.split("\n").find((l) => l.startsWith(`  - ${path}: got `));
    expect(line).toBeDefined();
    expect(line).toMatch(rule);
  };

  test("the contract: a bad name is named, with the value and the rule", () => {
    fails({ name: "Predict_API" }, "name", /got "Predict_API"; must be 1-49 characters of lowercase letters/);
  });

  test("name: 49 characters pass, 50 fail; letter first; no trailing hyphen", () => {
    passes({ name: "a".repeat(49) });
    fails({ name: "a".repeat(50) }, "name", /must be 1-49/);
    passes({ name: "a" });
    fails({ name: "1api" }, "name", /start with a letter/);
    fails({ name: "api-" }, "name", /not end with a hyphen/);
    fails({ name: "" }, "name", /must be 1-49/);
  });

  test("location", () => {
    passes({ location: "us-central1" });
    fails({ location: "europe" }, "location", /must be a region/);
  });

  test("image references", () => {
    passes({ image: "us-docker.pkg.dev/cloudrun/container/hello" });
    passes({ image: "europe-west1-docker.pkg.dev/acme-ml-dev/models/predict:1.0" });
    fails({ image: "Europe-west1-docker.pkg.dev/acme/models/Predict:1.0" }, "image", /must be an image reference/);
    fails({ image: "predict@sha256:abc" }, "image", /must be an image reference/);
    fails({ image: "predict:1.0", requireImageDigest: true }, "image", /must be pinned by digest/);
    passes({ requireImageDigest: true });
  });

  test("concurrency: 1 and 1000 pass, 0 and 1001 fail", () => {
    passes({ concurrency: 1 });
    passes({ concurrency: 1000 });
    fails({ concurrency: 0 }, "concurrency", /from 1 to 1000/);
    fails({ concurrency: 1001 }, "concurrency", /from 1 to 1000/);
    fails({ concurrency: 2.5 }, "concurrency", /whole number/);
  });

  test("timeout: 3600 s passes, 3601 s fails", () => {
    passes({ timeoutSeconds: 3600 });
    fails({ timeoutSeconds: 3601 }, "timeoutSeconds", /from 1 to 3600/);
    fails({ timeoutSeconds: 0 }, "timeoutSeconds", /from 1 to 3600/);
  });

  test("scaling: min may equal max, not exceed it; max at least 1", () => {
    passes({ minInstances: 3, maxInstances: 3 });
    fails({ minInstances: 4, maxInstances: 3 }, "minInstances", /must not exceed maxInstances \(3\)/);
    fails({ minInstances: 11 }, "minInstances", /must not exceed maxInstances \(10\)/);
    fails({ maxInstances: 0 }, "maxInstances", /from 1 to 1000/);
    fails({ minInstances: -1 }, "minInstances", /from 0 to 1000/);
  });

  test("cpu values", () => {
    for (const cpu of ["1", "2", "4", "6", "8"]) passes({ cpu, memory: "4Gi" });
    fails({ cpu: "3" }, "cpu", /must be "1", "2", "4", "6" or "8"/);
    fails({ cpu: "16" }, "cpu", /must be "1"/);
    fails({ cpu: "0.07", concurrency: 1, executionEnvironment: "gen1" }, "cpu", /from "0.08"/);
    passes({ cpu: "0.08", memory: "256Mi", concurrency: 1, executionEnvironment: "gen1" });
    passes({ cpu: "1000m" });
    fails({ cpu: "one" }, "cpu", /must be/);
  });

  test("memory values per execution environment", () => {
    passes({ memory: "512Mi" });
    fails({ memory: "511Mi" }, "memory", /from 512Mi to 32Gi in the gen2/);
    passes({ memory: "128Mi", executionEnvironment: "gen1" });
    fails({ memory: "127Mi", executionEnvironment: "gen1" }, "memory", /from 128Mi to 32Gi in the gen1/);
    passes({ memory: "32Gi", cpu: "8" });
    fails({ memory: "33Gi", cpu: "8" }, "memory", /to 32Gi/);
    fails({ memory: "1GB" }, "memory", /whole number of Mi or Gi/);
  });

  test.each([
    ["1", "4Gi", true],
    ["1", "5Gi", false],
    ["2", "8Gi", true],
    ["2", "9Gi", false],
    ["4", "2Gi", true],
    ["4", "2047Mi", false],
    ["4", "16Gi", true],
    ["4", "17Gi", false],
    ["6", "4Gi", true],
    ["6", "3Gi", false],
    ["6", "24Gi", true],
    ["6", "25Gi", false],
    ["8", "4Gi", true],
    ["8", "3Gi", false],
  ])("cpu %s with memory %s: allowed %s", (cpu, memory, ok) => {
    if (ok) passes({ cpu, memory });
    else fails({ cpu, memory }, "memory", /vCPU (allows at most|needs at least)/);
  });

  test("below 1 CPU: memory, concurrency 1, gen1 and cpuIdle are required", () => {
    const fractional = { concurrency: 1, executionEnvironment: "gen1" as const };
    passes({ cpu: "0.49", memory: "512Mi", ...fractional });
    fails({ cpu: "0.49", memory: "513Mi", ...fractional }, "memory", /0.49 vCPU allows at most 512Mi/);
    passes({ cpu: "0.5", memory: "1Gi", ...fractional });
    fails({ cpu: "0.5", memory: "1025Mi", ...fractional }, "memory", /allows at most 1Gi/);
    fails({ cpu: "0.5", executionEnvironment: "gen1" }, "concurrency", /requires concurrency 1/);
    fails({ cpu: "0.5", concurrency: 1 }, "executionEnvironment", /requires "gen1"/);
    fails({ cpu: "0.5", ...fractional, cpuIdle: false }, "cpuIdle", /requires cpuIdle true/);
  });

  test("env names and secret versions", () => {
    passes({ env: { MODEL_NAME: "x", _X: "y" } });
    fails({ env: { PORT: "8080" } }, "env.PORT", /reserved and set by Cloud Run/);
    fails({ env: { "MODEL-NAME": "x" } }, "env.MODEL-NAME", /letters, digits and underscores/);
    fails({ env: { X_GOOGLE_A: "x" } }, "env.X_GOOGLE_A", /reserved/);
    fails({ secretEnv: { DB: { secret: "db", version: "latest" } } }, "secretEnv.DB.version", /"latest" .* is refused/);
    fails({ secretEnv: { DB: { secret: "db", version: "0" } } }, "secretEnv.DB.version", /pinned version number/);
    fails({ secretEnv: { DB: { secret: "db/x", version: "1" } } }, "secretEnv.DB.secret", /must be a secret id/);
    fails({ env: { DB: "x" }, secretEnv: { DB: { secret: "db", version: "1" } } }, "secretEnv.DB", /also set in env/);
  });

  test("probes", () => {
    passes({ startupProbe: { path: "/", periodSeconds: 240, timeoutSeconds: 240, failureThreshold: 1 } });
    passes({ livenessProbe: { path: "/", periodSeconds: 3600, failureThreshold: 100 } });
    fails({ startupProbe: { path: "healthz" } }, "startupProbe.path", /starting with \//);
    fails({ startupProbe: { path: "/", periodSeconds: 241 } }, "startupProbe.periodSeconds", /from 1 to 240/);
    fails(
      { startupProbe: { path: "/", periodSeconds: 5, timeoutSeconds: 6 } },
      "startupProbe.timeoutSeconds",
      /must not exceed periodSeconds \(5\)/,
    );
    passes({ livenessProbe: { path: "/", periodSeconds: 3600 } });
    fails({ livenessProbe: { path: "/", periodSeconds: 3601 } }, "livenessProbe.periodSeconds", /from 1 to 3600/);
    fails({ livenessProbe: { path: "/", port: 70000 } }, "livenessProbe.port", /from 1 to 65535/);
  });

  test("traffic totals, revisions and tags", () => {
    passes({ traffic: [{ percent: 100 }] });
    fails(
      { traffic: [{ percent: 60 }, { revision: "predict-api-1a2b3c4d", percent: 30 }] },
      "traffic",
      /total 100 \(they total 90\)/,
    );
    fails({ traffic: [{ percent: 101 }] }, "traffic[0].percent", /from 0 to 100/);
    fails({ traffic: [] }, "traffic", /at least one target/);
    fails(
      { traffic: [{ revision: "other-1a2b3c4d", percent: 100 }] },
      "traffic[0].revision",
      /revision of this service/,
    );
    // A shared prefix is not enough: predict-api-v1-… would be a revision of "predict-api-v1".
    fails(
      { traffic: [{ revision: "predict-api-v1", percent: 100 }] },
      "traffic[0].revision",
      /revision of this service/,
    );
    passes({ traffic: [{ revision: "predict-api-00007-xyz", percent: 100 }] });
    fails(
      {
        traffic: [
          { percent: 50, tag: "blue" },
          { revision: "predict-api-1a2b3c4d", percent: 50, tag: "blue" },
        ],
      },
      "traffic[1].tag",
      /already used by traffic\[0\]/,
    );
    fails({ traffic: [{ percent: 100, tag: "ab" }] }, "traffic[0].tag", /at least 3/);
    fails({ traffic: [{ percent: 50 }, { percent: 50 }] }, "traffic[1].revision", /same revision as traffic\[0\]/);
    fails({ traffic: [{ percent: 100, tag: "Canary" }] }, "traffic[0].tag", /lowercase/);
    // "predict-api" is 11 characters: a 35-character tag reaches 46, one more goes over.
    passes({ traffic: [{ percent: 100, tag: "t".repeat(35) }] });
    fails({ traffic: [{ percent: 100, tag: "t".repeat(36) }] }, "traffic[0].tag", /at most 46 characters \(got 47\)/);
  });

  test("service accounts", () => {
    fails(
      { serviceAccountEmail: "123456789012-compute@developer.gserviceaccount.com" },
      "serviceAccountEmail",
      /not the default compute or App Engine account/,
    );
    fails({ serviceAccountEmail: "acme-ml-dev@appspot.gserviceaccount.com" }, "serviceAccountEmail", /not the default/);
    fails({ serviceAccountEmail: "someone@example.com" }, "serviceAccountEmail", /must be a service account email/);
    fails({ serviceAccountId: "abcde" }, "serviceAccountId", /6-30/);
    passes({ serviceAccountId: "abcdef" });
    passes({ serviceAccountId: "a".repeat(30) });
    fails({ serviceAccountId: "a".repeat(31) }, "serviceAccountId", /6-30/);
    fails(
      { serviceAccountEmail: "predict@acme-ml-dev.iam.gserviceaccount.com", serviceAccountId: "predictor" },
      "serviceAccountId",
      /not be set together/,
    );
  });

  test("ingress and execution environment enums", () => {
    fails({ ingress: "public" as never }, "ingress", /must be one of "all", "internal"/);
    fails({ executionEnvironment: "gen3" as never }, "executionEnvironment", /"gen1" or "gen2"/);
  });

  test("every problem is listed in one ValidationError", () => {
    let caught: unknown;
    try {
      build({ name: "Bad", concurrency: 0, timeoutSeconds: 4000, labels: { Team: "x" } })();
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(ValidationError);
    expect((caught as ValidationError).problems.map((p) => p.path)).toEqual([
      "name",
      "labels.Team",
      "concurrency",
      "timeoutSeconds",
    ]);
  });

  test("unresolved tokens are not checked, and a token name needs an explicit account id", () => {
    const stack = newStack();
    const other = new CloudRunService(stack, "other", { ...base, name: "other" });
    expect(
      () =>
        new CloudRunService(stack, "predict", {
          ...base,
          name: other.service.name,
          serviceAccountId: "predict-run",
          image: other.uri,
        }),
    ).not.toThrow();
    expect(() => new CloudRunService(stack, "again", { ...base, name: other.service.name })).toThrow(
      /serviceAccountId: got undefined; is required when name is a token/,
    );
  });

  test("nothing is added to the stack when validation fails", () => {
    const stack = newStack();
    expect(() => new CloudRunService(stack, "predict", { ...base, name: "Bad" })).toThrow();
    expect(stack.node.tryFindChild("predict")).toBeUndefined();
    expect(() => new CloudRunService(stack, "predict", base)).not.toThrow();
  });
});

describe("CloudRunService: serving options as written", () => {
  const out = service({});
  const [id, svc] = Object.entries<Json>(resources(out, "google_cloud_run_v2_service"))[0];
  const [main, sidecar] = svc.template.containers;

  test("two containers: the main one named, with command, args, working dir and the only port, h2c", () => {
    expect(main).toMatchObject({
      name: "main",
      command: ["python", "-m", "serve"],
      args: ["--model-dir", "/models"],
      working_dir: "/app",
      ports: { container_port: 8080, name: "h2c" },
    });
    expect(sidecar).toEqual({
      name: "otel-collector",
      image: digest("f"),
      resources: { limits: { cpu: "1", memory: "256Mi" }, cpu_idle: true, startup_cpu_boost: true },
    });
  });

  test("a sidecar may set PORT (Cloud Run sets it in the main container only)", () => {
    const out = service({
      sidecars: [{ name: "otel-collector", image: digest("f"), env: { PORT: "4317" } }],
    });
    const svc = Object.values<Json>(resources(out, "google_cloud_run_v2_service"))[0];
    expect(svc.template.containers[1].env).toEqual([{ name: "PORT", value: "4317" }]);
  });

  test("gRPC startup and liveness probes, every timing written, on the container port", () => {
    expect(main.startup_probe).toEqual({
      initial_delay_seconds: 0,
      period_seconds: 10,
      timeout_seconds: 1,
      failure_threshold: 6,
      grpc: { port: 8080, service: "grpc.health.v1.Health" },
    });
    expect(main.liveness_probe.grpc).toEqual({ port: 8080 });
  });

  test("direct VPC egress to private ranges; the key, and the service waits for the agent's grant", () => {
    expect(svc.template.vpc_access).toEqual({
      network_interfaces: [{ network: "ml-vpc", subnetwork: "serving-europe-west4" }],
      egress: "PRIVATE_RANGES_ONLY",
    });
    expect(svc.template.encryption_key).toBe(KEY);
    const [grantId, grant] = Object.entries<Json>(resources(out, "google_kms_crypto_key_iam_member"))[0];
    expect(grant).toMatchObject({ crypto_key_id: KEY, role: "roles/cloudkms.cryptoKeyEncrypterDecrypter" });
    expect(grant.member).toMatch(
      /^serviceAccount:service-\$\{data\.google_project\.[\w-]+\.number\}@serverless-robot-prod\.iam\.gserviceaccount\.com$/,
    );
    expect(svc.depends_on).toContain(`google_kms_crypto_key_iam_member.${grantId}`);
    expect(id).toMatch(/^grpc_service/);
  });

  test("custom audiences and the service-level minimum", () => {
    expect(svc.custom_audiences).toEqual(["https://predict.acme.example"]);
    expect(svc.scaling).toEqual({ min_instance_count: 2 });
  });

  test("HTTP probes carry headers, sorted; a TCP startup probe; a connector with all traffic", () => {
    const other = service({
      http2: false,
      sidecars: undefined,
      encryptionKey: undefined,
      startupProbe: { tcp: {} },
      livenessProbe: { path: "/health", headers: { "X-B": "2", "X-A": "1" } },
      vpcAccess: { connector: "serving-connector", egress: "all-traffic" },
    });
    const s = Object.values<Json>(resources(other, "google_cloud_run_v2_service"))[0];
    expect(s.template.containers[0].startup_probe.tcp_socket).toEqual({ port: 8080 });
    expect(s.template.containers[0].liveness_probe.http_get).toEqual({
      path: "/health",
      port: 8080,
      http_headers: [
        { name: "X-A", value: "1" },
        { name: "X-B", value: "2" },
      ],
    });
    expect(s.template.vpc_access).toEqual({ connector: "serving-connector", egress: "ALL_TRAFFIC" });
    // Without sidecars the main container keeps no name: existing services' revisions keep theirs.
    expect(s.template.containers[0].name).toBeUndefined();
    expect(resources(other, "google_kms_crypto_key_iam_member")).toEqual({});
  });
});

describe("CloudRunService: impossible combinations, refused before Terraform runs", () => {
  test("a connector together with direct egress", () => {
    refused(
      () => service({ vpcAccess: { network: "ml-vpc", subnetwork: "s", connector: "c" } as never }),
      "vpcAccess.connector",
      "c",
      /must not be set together with network and subnetwork/,
    );
  });

  test("two containers with one name, and a name that is not a DNS label", () => {
    refused(
      () => service({ sidecars: [{ name: "main", image: digest("f") }] }),
      "sidecars[0].name",
      "main",
      /already the name of the main container \("main", the default of containerName\)/,
    );
    refused(
      () => service({ containerName: "server", sidecars: [{ name: "server", image: digest("f") }] }),
      "sidecars[0].name",
      "server",
      /already the name of the main container \(containerName\)/,
    );
    refused(
      () =>
        service({
          sidecars: [
            { name: "a", image: digest("f") },
            { name: "a", image: digest("f") },
          ],
        }),
      "sidecars[1].name",
      "a",
      /already the name of sidecars\[0\]/,
    );
    refused(
      () => service({ sidecars: [{ name: "Otel_Collector", image: digest("f") }] }),
      "sidecars[0].name",
      "Otel_Collector",
      /1-63 lowercase letters/,
    );
  });

  test("a probe of two kinds, of none, and a TCP liveness probe", () => {
    refused(
      () => service({ startupProbe: { path: "/health", grpc: {} } as never }),
      "startupProbe",
      { path: "/health", grpc: {} },
      /exactly one kind of probe: .*it has path and grpc/,
    );
    refused(
      () => service({ livenessProbe: { periodSeconds: 5 } as never }),
      "livenessProbe",
      { periodSeconds: 5 },
      /it has none/,
    );
    refused(
      () => service({ livenessProbe: { tcp: {} } }),
      "livenessProbe.tcp",
      {},
      /a liveness probe may be HTTP \(path\) or gRPC, not TCP/,
    );
  });

  // The same refusal on a repository is in artifact-repository.test.ts.
  test("a malformed key id", () => {
    refused(
      () => service({ encryptionKey: "serving-key" }),
      "encryptionKey",
      "serving-key",
      /projects\/PROJECT\/locations\/LOCATION\/keyRings\/RING\/cryptoKeys\/KEY/,
    );
  });

  test("start order: names that exist, not itself, no cycle; a sidecar probe names its port", () => {
    refused(
      () => service({ startAfter: ["nope"] }),
      "startAfter[0]",
      "nope",
      /must be one of the containers: main, otel-collector/,
    );
    refused(
      () =>
        service({
          startAfter: ["otel-collector"],
          sidecars: [{ name: "otel-collector", image: digest("f"), startAfter: ["main"] }],
        }),
      "startAfter",
      { main: ["otel-collector"], "otel-collector": ["main"] },
      /has a cycle/,
    );
    refused(
      () => service({ sidecars: [{ name: "otel-collector", image: digest("f"), startupProbe: { tcp: {} } }] }),
      "sidecars[0].startupProbe",
      { tcp: {} },
      /must give its port/,
    );
    // Cloud Run holds a container back until the ones it names pass their startup probes.
    refused(
      () => service({ startAfter: ["otel-collector"] }),
      "startAfter[0]",
      "otel-collector",
      /names a container with no startup probe/,
    );
    refused(
      () =>
        service({
          startupProbe: undefined,
          sidecars: [{ name: "otel-collector", image: digest("f"), startAfter: ["main"] }],
        }),
      "sidecars[0].startAfter[0]",
      "main",
      /names a container with no startup probe/,
    );
    expect(() =>
      service({
        startAfter: ["otel-collector"],
        sidecars: [{ name: "otel-collector", image: digest("f"), startupProbe: { tcp: { port: 4317 } } }],
      }),
    ).not.toThrow();
  });

  test("network tags are GCE tags: lowercase, starting with a letter, at most 63 characters", () => {
    const vpc = grpcProps.vpcAccess!;
    expect(() => service({ vpcAccess: { ...vpc, tags: ["serving", "a".repeat(63)] } })).not.toThrow();
    refused(() => service({ vpcAccess: { ...vpc, tags: ["9lives"] } }), "vpcAccess.tags[0]", "9lives", /network tag/);
    refused(
      () => service({ vpcAccess: { ...vpc, tags: ["ok", "a".repeat(64)] } }),
      "vpcAccess.tags[1]",
      "a".repeat(64),
      /1-63/,
    );
  });

  test("the service-level minimum within the maximum; audiences once each; an image by tag where digests are required", () => {
    refused(
      () => service({ serviceMinInstances: 11, maxInstances: 10 }),
      "serviceMinInstances",
      11,
      /must not exceed maxInstances \(10\)/,
    );
    refused(() => service({ customAudiences: ["a", "a"] }), "customAudiences", ["a", "a"], /twice/);
    refused(
      () =>
        service({
          requireImageDigest: true,
          sidecars: [{ name: "proxy", image: "europe-west4-docker.pkg.dev/p1/r/proxy:1.0" }],
        }),
      "sidecars[0].image",
      "europe-west4-docker.pkg.dev/p1/r/proxy:1.0",
      /digest/,
    );
  });
});
