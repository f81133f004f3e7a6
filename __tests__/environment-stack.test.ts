import { TerraformResource, TerraformStack, Testing } from "cdktf";
import { ConfigError, EnvironmentConfig, EnvironmentStack, apiFor } from "../lib/app";
import { RULES } from "../lib/policies";
import { ServiceAccount } from "../lib/providers";
import { FIXTURE_DIGEST, fixtureEnvironment, fixtureRelease, fixtureService } from "./fixtures/environment";
import { Json, Synth, resources } from "./helpers";

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

  test("services run as the runtime accounts the bootstrap stack makes; the stack manages no account or IAM policy but invokers", () => {
    const svc = Object.values(resources(out, "google_cloud_run_v2_service"))[0];
    expect(svc.template.service_account).toBe("predict-run@acme-fx-live.iam.gserviceaccount.com");
    expect(Object.keys(out.resource as Json).sort()).toEqual([
      "google_artifact_registry_repository",
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
    expect(resources(s.out, "google_artifact_registry_repository_iam_member")).toEqual({});
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

  test("a resource type with no known API is refused with the fix", () => {
    const scope = new TerraformStack(Testing.app(), "s");
    const bucket = new TerraformResource(scope, "bucket", { terraformResourceType: "google_pubsub_topic" });
    expect(() => apiFor(bucket)).toThrow(
      "s/bucket: no API is known for resource type google_pubsub_topic; add it to RESOURCE_TYPES in lib/gcp/resource-types.ts",
    );
    expect(apiFor(new ServiceAccount(scope, "sa", { accountId: "someone" }))).toBe("iam.googleapis.com");
  });
});

describe("policy findings point at the configuration", () => {
  test("each finding names the file and the field it comes from, beside the construct path", () => {
    const config = fixtureEnvironment({
      name: "live",
      repository: { repositoryId: "images", cleanup: false },
      services: { predict: fixtureService({ startupProbe: undefined }) },
    });
    const stack = new EnvironmentStack(Testing.app(), "live", config, {
      source: "environments/live.ts",
      release: fixtureRelease(config),
    });
    const findings = stack.policyPack.evaluate(stack).findings.map((f) => [f.ruleId, f.path, f.source]);
    expect(findings).toEqual([
      ["AR-001", "live/repository/repository", "environments/live.ts repository.cleanup"],
      ["RUN-008", "live/predict/service", "environments/live.ts services.predict.startupProbe"],
    ]);
  });

  test("without a file, the environment is named; a construct added by hand has no config field", () => {
    const live = fixtureEnvironment({ name: "live" });
    const stack = new EnvironmentStack(Testing.app(), "live", live, { release: fixtureRelease(live) });
    new TerraformResource(stack, "bucket", { terraformResourceType: "google_pubsub_topic" });
    const locate = stack.policyPack.props.locate!;
    // A finding as the pack makes it: with the field its rule points at.
    const located = (ruleId: string, path: string) =>
      locate({
        ruleId,
        path,
        field: RULES.find((r) => r.id === ruleId)!.field,
        severity: "error",
        message: "m",
        fix: "f",
        construct: stack,
      });
    expect(located("RUN-009", "live/predict/service")).toBe("environment live services.predict.ingress");
    expect(located("RUN-005", "live/predict/service")).toBe("environment live deletionProtection");
    expect(located("RUN-002", "live/predict/service")).toBe("environment live services.predict");
    expect(located("LABEL-001", "live")).toBe("environment live labels");
    expect(located("RUN-009", "live/bucket")).toBeUndefined();
  });
});
