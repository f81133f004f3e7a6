/**
 * Serving parity (issue 15): command and args, sidecars and start order, HTTP/2 and probes of three
 * kinds, VPC egress, customer-managed keys, custom audiences, service-level minimum instances,
 * and Artifact Registry formats and remote repositories: what each writes, and every refusal,
 * naming the field and the value.
 */
import { TerraformStack, Testing } from "cdktf";
import { Construct } from "constructs";
import {
  ArtifactRepository,
  ArtifactRepositoryProps,
  CloudRunService,
  CloudRunServiceProps,
  PolicyPack,
  ProjectServices,
  ValidationError,
} from "../lib";
import { BootstrapStack } from "../lib/app/bootstrap-stack";
import { ConfigError, EnvironmentStack, parseEnvironmentConfig } from "../lib/app";
import { GoogleProvider } from "../lib/providers";
import { fixtureEnvironment, fixtureRelease, fixtureService } from "./fixtures/environment";
import { Json, Synth, resources } from "./helpers";

const PROJECT = "acme-ml-prod";
const REGION = "europe-west4";
const digest = (c: string) => `${REGION}-docker.pkg.dev/${PROJECT}/models/predict-grpc@sha256:${c.repeat(64)}`;
const KEY = `projects/acme-kms/locations/${REGION}/keyRings/ml/cryptoKeys/serving`;

function stack(build: (s: Construct) => void): Synth {
  const s = new TerraformStack(Testing.app(), "serving");
  new GoogleProvider(s, "google", { project: PROJECT, region: REGION });
  build(s);
  return JSON.parse(Testing.synth(s));
}

const grpcProps: CloudRunServiceProps = {
  name: "predict-grpc",
  location: REGION,
  image: digest("e"),
  command: ["python", "-m", "serve"],
  args: ["--model-dir", "/models"],
  workingDir: "/app",
  http2: true,
  startupProbe: { grpc: { service: "grpc.health.v1.Health" }, periodSeconds: 10, failureThreshold: 6 },
  livenessProbe: { grpc: {} },
  sidecars: [{ name: "otel-collector", image: digest("f"), cpu: "1", memory: "256Mi" }],
  vpcAccess: { network: "ml-vpc", subnetwork: "serving-europe-west4", egress: "private-ranges-only" },
  encryptionKey: KEY,
  customAudiences: ["https://predict.acme.example"],
  serviceMinInstances: 2,
};

function refused(fn: () => unknown, path: string, value: unknown, rule: RegExp): void {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationError);
    const problem = (e as ValidationError).problems.find((p) => p.path === path);
    expect({ path, allowed: problem?.allowed }).toEqual({ path, allowed: expect.stringMatching(rule) });
    expect(problem?.value).toEqual(value);
    return;
  }
  throw new Error(`expected a ValidationError at ${path}`);
}

const service = (props: Partial<CloudRunServiceProps>) =>
  stack((s) => new CloudRunService(s, "grpc", { ...grpcProps, ...props }));
const repo = (props: Partial<ArtifactRepositoryProps>) =>
  stack((s) => new ArtifactRepository(s, "repo", { repositoryId: "cache", location: REGION, ...props }));

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

  test("a malformed key id, on the service and on a repository", () => {
    refused(
      () => service({ encryptionKey: "serving-key" }),
      "encryptionKey",
      "serving-key",
      /projects\/PROJECT\/locations\/LOCATION\/keyRings\/RING\/cryptoKeys\/KEY/,
    );
    refused(
      () => repo({ encryptionKey: "projects/acme-kms/keyRings/ml" }),
      "encryptionKey",
      "projects/acme-kms/keyRings/ml",
      /must be a key id/,
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

describe("the policy pack reads every container", () => {
  test("a sidecar image by tag in production is RUN-004's finding, naming the image", () => {
    const s = new TerraformStack(Testing.app(), "serving");
    new GoogleProvider(s, "google", { project: PROJECT, region: REGION });
    new CloudRunService(s, "grpc", {
      ...grpcProps,
      sidecars: [{ name: "otel-collector", image: "otel/opentelemetry-collector:0.98.0" }],
    });
    const findings = new PolicyPack({ stage: "production" })
      .evaluate(s)
      .findings.filter((f) => f.ruleId === "RUN-004")
      .map((f) => f.message);
    expect(findings).toEqual([
      expect.stringMatching(/image "otel\/opentelemetry-collector:0.98.0" is not pinned by digest/),
    ]);
  });
});

describe("ArtifactRepository: formats and remote repositories", () => {
  test("a Python cache of PyPI and an encrypted Docker Hub cache, each with its upstream", () => {
    const out = stack((s) => {
      new ArtifactRepository(s, "pypi", {
        repositoryId: "pypi-cache",
        location: REGION,
        format: "python",
        remote: { upstream: "pypi" },
      });
      new ArtifactRepository(s, "hub", {
        repositoryId: "dockerhub-cache",
        location: REGION,
        remote: { upstream: "docker-hub" },
        encryptionKey: `projects/acme-kms/locations/${REGION}/keyRings/ml/cryptoKeys/registry`,
      });
    });
    const repos = Object.values<Json>(resources(out, "google_artifact_registry_repository"));
    const pypi = repos.find((r) => r.repository_id === "pypi-cache")!;
    expect(pypi).toMatchObject({
      format: "PYTHON",
      mode: "REMOTE_REPOSITORY",
      remote_repository_config: { python_repository: { public_repository: "PYPI" } },
    });
    expect(pypi.docker_config).toBeUndefined();
    expect(pypi.vulnerability_scanning_config).toBeUndefined();
    const hub = repos.find((r) => r.repository_id === "dockerhub-cache")!;
    expect(hub).toMatchObject({
      format: "DOCKER",
      mode: "REMOTE_REPOSITORY",
      remote_repository_config: { docker_repository: { public_repository: "DOCKER_HUB" } },
      kms_key_name: `projects/acme-kms/locations/${REGION}/keyRings/ml/cryptoKeys/registry`,
    });
    const [grantId, grant] = Object.entries<Json>(resources(out, "google_kms_crypto_key_iam_member"))[0];
    expect(grant.member).toMatch(/@gcp-sa-artifactregistry\.iam\.gserviceaccount\.com$/);
    expect(hub.depends_on).toEqual([`google_kms_crypto_key_iam_member.${grantId}`]);
  });

  test("an unknown upstream, an upstream of another format, an unknown format; images only in Docker repositories", () => {
    refused(
      () => repo({ remote: { upstream: "ghcr" as never } }),
      "remote.upstream",
      "ghcr",
      /must be one of "docker-hub", "pypi", "npmjs", "maven-central"/,
    );
    refused(
      () => repo({ remote: { upstream: "pypi" } }),
      "remote.upstream",
      "pypi",
      /serves python packages; the repository's format is "docker"/,
    );
    refused(() => repo({ format: "wheel" as never }), "format", "wheel", /must be one of "docker", "python", "kfp"/);
    let kfp: ArtifactRepository | undefined;
    stack((s) => {
      kfp = new ArtifactRepository(s, "kfp", { repositoryId: "pipelines", location: REGION, format: "kfp" });
    });
    expect(() => kfp!.imageUri("x", "1.0")).toThrow(/images are in Docker repositories only/);
  });

  test("a package repository: its URL names its format, no Docker-only settings, cleanup only when asked", () => {
    let py: ArtifactRepository | undefined;
    const out = stack((s) => {
      py = new ArtifactRepository(s, "py", {
        repositoryId: "wheels",
        location: REGION,
        project: PROJECT,
        format: "python",
      });
    });
    expect(py!.repositoryUrl).toBe(`${REGION}-python.pkg.dev/${PROJECT}/wheels`);
    // yum and apt name the project under projects/; apt's sources line names the repository apart.
    const urls: Record<string, string> = {};
    stack((s) => {
      for (const format of ["yum", "apt", "npm"] as const) {
        urls[format] = new ArtifactRepository(s, format, {
          repositoryId: `os-${format}`,
          location: REGION,
          project: PROJECT,
          format,
        }).repositoryUrl;
      }
    });
    expect(urls).toEqual({
      yum: `${REGION}-yum.pkg.dev/projects/${PROJECT}/os-yum`,
      apt: `${REGION}-apt.pkg.dev/projects/${PROJECT}`,
      npm: `${REGION}-npm.pkg.dev/${PROJECT}/os-npm`,
    });
    const wheels = Object.values<Json>(resources(out, "google_artifact_registry_repository"))[0];
    expect(wheels.cleanup_policies).toBeUndefined();
    refused(
      () => repo({ format: "python", vulnerabilityScanning: true }),
      "vulnerabilityScanning",
      true,
      /Docker repositories only/,
    );
    refused(
      () => repo({ remote: { upstream: "docker-hub" }, immutableTags: true }),
      "immutableTags",
      true,
      /standard Docker repositories only/,
    );
  });

  test("AR-001 asks Docker repositories for cleanup, not package repositories", () => {
    const s = new TerraformStack(Testing.app(), "serving");
    new GoogleProvider(s, "google", { project: PROJECT, region: REGION });
    new ArtifactRepository(s, "py", { repositoryId: "wheels", location: REGION, format: "python" });
    new ArtifactRepository(s, "images", { repositoryId: "images", location: REGION, cleanup: false });
    const ar001 = new PolicyPack({ stage: "production" })
      .evaluate(s)
      .findings.filter((f) => f.ruleId === "AR-001")
      .map((f) => f.path);
    expect(ar001).toEqual([expect.stringMatching(/images/)]);
  });

  test("a key's grants wait for the APIs, whose enabling creates the service agents", () => {
    const out = stack((s) => {
      const apis = new ProjectServices(s, "apis", {
        services: ["run.googleapis.com", "artifactregistry.googleapis.com", "cloudkms.googleapis.com"],
      });
      new CloudRunService(s, "grpc", { ...grpcProps, projectNumber: "123456789012", dependsOn: [apis] });
      new ArtifactRepository(s, "repo", {
        repositoryId: "images",
        location: REGION,
        encryptionKey: KEY,
        projectNumber: "123456789012",
        dependsOn: [apis],
      });
    });
    const grants = Object.values<Json>(resources(out, "google_kms_crypto_key_iam_member"));
    expect(grants.map((g) => g.member).sort()).toEqual([
      "serviceAccount:service-123456789012@gcp-sa-artifactregistry.iam.gserviceaccount.com",
      "serviceAccount:service-123456789012@serverless-robot-prod.iam.gserviceaccount.com",
    ]);
    for (const g of grants) {
      expect(g.depends_on).toEqual(expect.arrayContaining([expect.stringMatching(/^google_project_service\./)]));
    }
  });

  test("grantKeyAccess: false leaves the key's grant to whoever made the key", () => {
    const out = repo({ encryptionKey: KEY, grantKeyAccess: false, projectNumber: "123456789012" });
    expect(resources(out, "google_kms_crypto_key_iam_member")).toEqual({});
    const r = Object.values<Json>(resources(out, "google_artifact_registry_repository"))[0];
    expect(r.kms_key_name).toBe(KEY);
    expect(r.depends_on).toBeUndefined();
  });
});

describe("the environments app", () => {
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

  test("a sidecar image by tag: refused with the configuration past development, accepted in it", () => {
    const tagged = "otel/opentelemetry-collector:0.98.0";
    const withTag = (stage: "development" | "preproduction" | "production") =>
      fixtureEnvironment({
        name: "live",
        stage,
        services: { predict: fixtureService({ sidecars: [{ name: "otel", image: tagged }] }) },
      });
    for (const stage of ["preproduction", "production"] as const) {
      let error: unknown;
      try {
        parseEnvironmentConfig(withTag(stage));
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems).toEqual([
        expect.objectContaining({
          path: "services.predict.sidecars[0].image",
          value: tagged,
          allowed: expect.stringMatching(/pinned by digest/),
        }),
      ]);
    }
    // In development the released main image is a digest; the sidecar may follow a tag.
    const dev = parseEnvironmentConfig(withTag("development"));
    const out = JSON.parse(
      Testing.synth(new EnvironmentStack(Testing.app(), "live", dev, { release: fixtureRelease(dev) })),
    );
    const svc = Object.values<Json>(resources(out, "google_cloud_run_v2_service"))[0];
    expect(svc.template.containers.map((c: Json) => c.image)).toEqual([
      expect.stringMatching(/@sha256:[0-9a-f]{64}$/),
      tagged,
    ]);
  });
});
