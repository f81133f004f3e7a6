/**
 * The consumer's view, built from the README's own blocks: the library is built and packed as it
 * is published (`npm run package`, then `npm pack ./dist`), the tarball is installed into an
 * empty folder outside this repository, the README's package.json, cdktf.json and main.ts are
 * written there, main.ts is compiled with `tsc --strict`, and the cdktf.json `app` command (what
 * `cdktf synth` runs) synthesizes it.
 *
 * The package has no dependencies of its own, so npm installs it offline with nothing to fetch.
 * The README's other dependencies (cdktf, constructs, the provider, tsx, TypeScript) are linked
 * from this repository's node_modules rather than installed again (the provider alone unpacks to
 * about 300 MB); the test checks that the README pins the versions this repository tests with.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

import { docBlocks } from "../../scripts/doc-blocks.cjs";
import { packLibrary, repo, run } from "./pack";

const LINKED = ["cdktf", "constructs", "@cdktf/provider-google", "typescript", "tsx", "@types/node"];

const blocks = docBlocks();
const block = (kind: string, arg: string): string => {
  const found = blocks.find((b) => b.marker?.kind === kind && b.marker.arg === arg);
  if (found === undefined) throw new Error(`the documentation has no block marked "test: ${kind} ${arg}"`);
  return found.text;
};
const PACKAGE_JSON = JSON.parse(block("file", "consumer/package.json"));
const CDKTF_JSON = JSON.parse(block("file", "consumer/cdktf.json"));
const MAIN = block("program", "consumer");
const COMMANDS = block("file", "consumer/commands");
const TRAINING = block("program", "training");
const SERVING = block("program", "serving");
const PARITY = block("program", "parity");

const BAD_NAME = `import { TerraformStack, Testing } from "cdktf";
import { CloudRunService } from "cdktf-cloud-run";

const stack = new TerraformStack(Testing.app(), "consumer");
try {
  new CloudRunService(stack, "svc", { location: "europe-west1", name: "Predict_API", image: "nginx:1.27" });
  console.log("no error");
} catch (e) {
  console.log((e as Error).message);
}
`;

describe("the packed library, in the README's consumer app", () => {
  let app: string;
  let packDir: string;
  let installOutput: string;

  beforeAll(() => {
    packDir = fs.mkdtempSync(path.join(os.tmpdir(), "cdktf-cloud-run-pack-"));
    app = fs.mkdtempSync(path.join(os.tmpdir(), "cdktf-cloud-run-consumer-"));
    const tarball = packLibrary(packDir);

    fs.writeFileSync(path.join(app, "package.json"), JSON.stringify({ name: "consumer", private: true }));
    // Scripts are not ignored: a package that ships an install-time script makes npm warn here.
    installOutput = run(
      "npm",
      ["install", "--offline", "--no-audit", "--no-fund", "--legacy-peer-deps", tarball],
      app,
      { npm_config_loglevel: "warn" },
    );
    for (const name of LINKED) {
      const link = path.join(app, "node_modules", name);
      fs.mkdirSync(path.dirname(link), { recursive: true });
      fs.symlinkSync(path.join(repo, "node_modules", name), link, "dir");
    }
    fs.mkdirSync(path.join(app, "node_modules", ".bin"), { recursive: true });
    fs.symlinkSync(path.join("..", "tsx", "dist", "cli.mjs"), path.join(app, "node_modules", ".bin", "tsx"));

    // The README's files, as a user writes them into an empty folder.
    fs.writeFileSync(path.join(app, "package.json"), JSON.stringify(PACKAGE_JSON, null, 2));
    fs.writeFileSync(path.join(app, "cdktf.json"), JSON.stringify(CDKTF_JSON, null, 2));
    fs.writeFileSync(path.join(app, "main.ts"), MAIN);
    fs.writeFileSync(path.join(app, "bad-name.ts"), BAD_NAME);
    fs.writeFileSync(path.join(app, "training.ts"), TRAINING);
    fs.writeFileSync(path.join(app, "serving.ts"), SERVING);
    fs.writeFileSync(path.join(app, "parity.ts"), PARITY);
    fs.writeFileSync(
      path.join(app, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          target: "ES2022",
          module: "commonjs",
          moduleResolution: "node",
          strict: true,
          noEmit: true,
          // As in cdktf's project template. The library's declarations are checked for what
          // they import by the test below, and are emitted by tsc from type-checked sources.
          skipLibCheck: true,
          types: ["node"],
        },
        files: ["main.ts", "bad-name.ts", "training.ts", "serving.ts", "parity.ts"],
      }),
    );
  }, 120_000);

  afterAll(() => {
    fs.rmSync(app, { recursive: true, force: true });
    fs.rmSync(packDir, { recursive: true, force: true });
  });

  test("the README's package.json pins what this repository is tested with, and accepts this version", () => {
    const ours = JSON.parse(fs.readFileSync(path.join(repo, "package.json"), "utf8"));
    const all = { ...PACKAGE_JSON.dependencies, ...PACKAGE_JSON.devDependencies } as Record<string, string>;
    for (const [name, version] of Object.entries(all)) {
      if (name === ours.name) continue;
      expect(`${name}@${version}`).toBe(`${name}@${ours.devDependencies[name] ?? ours.dependencies?.[name]}`);
    }
    expect(Object.keys(ours.peerDependencies).every((peer) => peer in PACKAGE_JSON.dependencies)).toBe(true);
    const [major, minor] = ours.version.split(".");
    expect(PACKAGE_JSON.dependencies[ours.name]).toBe(`^${major}.${minor}.0`);
  });

  test("the tarball holds the compiled library and its declarations, not the app, the sources or tests", () => {
    const installed = path.join(app, "node_modules", "cdktf-cloud-run");
    const pkg = JSON.parse(fs.readFileSync(path.join(installed, "package.json"), "utf8"));
    expect(pkg.main).toBe("index.js");
    expect(pkg.types).toBe("index.d.ts");
    expect(Object.keys(pkg.peerDependencies).sort()).toEqual(["@cdktf/provider-google", "cdktf", "constructs"]);
    // The peers are optional for npm: the check command (its bin) needs none of them.
    expect(pkg.peerDependenciesMeta).toEqual({
      "@cdktf/provider-google": { optional: true },
      cdktf: { optional: true },
      constructs: { optional: true },
    });
    expect(pkg.bin).toEqual({ "cdktf-cloud-run": "check/bin.js" });
    // Nothing runs at install time; the only dependencies are the check command's two parsers.
    expect(pkg.scripts).toBeUndefined();
    expect(Object.keys(pkg.dependencies).sort()).toEqual(["@cdktf/hcl2json", "jsonc-parser"]);
    expect(installOutput).toMatch(/^added \d+ packages?\b/m);
    expect(installOutput).not.toMatch(/warn/i);
    expect(fs.existsSync(path.join(installed, "index.d.ts"))).toBe(true);
    const shipped = fs.readdirSync(installed, { recursive: true, encoding: "utf8" });
    expect(shipped.filter((f) => /(^|\/)app(\/|$)|\.ts$/.test(f) && !f.endsWith(".d.ts"))).toEqual([]);
    expect(shipped.filter((f) => /__tests__|\.tsbuildinfo/.test(f))).toEqual([]);
  });

  test("the package root exports the constructs, the policy pack and errors, and nothing of the app", () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the installed package, as a consumer loads it
    const exported = Object.keys(require(path.join(app, "node_modules", "cdktf-cloud-run"))).sort();
    expect(exported).toEqual([
      "ArtifactRepository",
      "CloudRunJob",
      "CloudRunService",
      "CloudRunWorkerPool",
      "FORMATS",
      "GitHubWorkloadIdentity",
      "INGRESS",
      "JobMonitoring",
      "ModelBucket",
      "MonitoringDashboard",
      "NotificationChannels",
      "PolicyError",
      "PolicyPack",
      "ProjectServices",
      "RULES",
      "STAGES",
      "STORAGE_EVENT_TYPES",
      "ServiceMonitoring",
      "StateBucket",
      "UPSTREAMS",
      "VPC_EGRESS",
      "ValidationError",
      "accountIdFor",
      "acknowledge",
      "eventTriggerServiceAccountId",
      "formatAcknowledged",
      "formatReport",
      "hasErrors",
      "jobServiceAccountId",
      "jobWidgets",
      "runtimeServiceAccountId",
      "schedulerServiceAccountId",
      "serviceWidgets",
      "workerPoolServiceAccountId",
    ]);
  });

  test("the declarations import nothing a consumer lacks: the peers, the bundled parsers and the library itself", () => {
    const dist = path.join(app, "node_modules", "cdktf-cloud-run");
    const allowed =
      /^(cdktf|constructs|@cdktf\/provider-google\/lib\/[a-z0-9-]+|jsonc-parser|@cdktf\/hcl2json|(\.\.?\/)+[\w./-]+)$/;
    const imported = new Set<string>();
    // The library's own declarations; the bundled parsers' (node_modules/) are theirs.
    const declarations = fs
      .readdirSync(dist, { recursive: true, encoding: "utf8" })
      .filter((f) => f.endsWith(".d.ts") && !f.startsWith("node_modules"));
    for (const file of declarations) {
      const text = fs.readFileSync(path.join(dist, file), "utf8");
      for (const m of text.matchAll(/^(?:import|export)\b[^;]*?\sfrom "([^"]+)";/gms)) imported.add(m[1]);
      for (const m of text.matchAll(/import\("([^"]+)"\)/g)) imported.add(m[1]);
    }
    expect(imported.size).toBeGreaterThan(10);
    for (const name of imported) expect(name).toMatch(allowed);
  });

  test("the README's main.ts compiles under tsc --strict", () => {
    expect(() =>
      run(process.execPath, [path.join(repo, "node_modules", "typescript", "bin", "tsc"), "-p", "."], app),
    ).not.toThrow();
  }, 60_000);

  test("the cdktf.json app command synthesizes the stack the README's commands plan, with the safe defaults", () => {
    const out = path.join(app, "cdktf.out");
    run("sh", ["-c", CDKTF_JSON.app], app, { CDKTF_OUTDIR: out });
    const planned = /cdktf plan (\S+)/.exec(COMMANDS)![1];
    expect(COMMANDS).toContain(`cdktf.out/stacks/${planned}/cdk.tf.json`);
    const tf = JSON.parse(fs.readFileSync(path.join(out, "stacks", planned, "cdk.tf.json"), "utf8"));
    expect(Object.keys(tf.terraform.backend)).toEqual(["gcs"]);
    const r = tf.resource;

    for (const api of Object.values<Record<string, unknown>>(r.google_project_service)) {
      expect(api).toMatchObject({ disable_on_destroy: false, disable_dependent_services: false });
    }
    const [svc] = Object.values<Record<string, any>>(r.google_cloud_run_v2_service); // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(svc.name).toBe("predict-api");
    expect(svc.deletion_protection).toBe(true);
    expect(svc.template.containers[0].image).toMatch(/^europe-west1-docker\.pkg\.dev\/.+@sha256:[0-9a-f]{64}$/);
    expect(svc.template.service_account).toMatch(/^\$\{google_service_account\./);
    expect(svc.template.scaling.max_instance_count).toBe(10);
    expect(svc.depends_on).toHaveLength(3);
    const invokers = Object.values<Record<string, string>>(r.google_cloud_run_v2_service_iam_member);
    expect(invokers.map((m) => [m.role, m.member])).toEqual([
      ["roles/run.invoker", "serviceAccount:gateway@acme-ml-dev.iam.gserviceaccount.com"],
    ]);
    expect(Object.values<Record<string, unknown>>(r.google_artifact_registry_repository)[0]).toMatchObject({
      lifecycle: { prevent_destroy: true },
      docker_config: { immutable_tags: true },
    });
  }, 60_000);

  test("the README's training program (issue 12's contract) synthesizes: job, schedule, bucket, GPU service", () => {
    const out = path.join(app, "out-training");
    run(process.execPath, ["--require", "tsx/cjs", "training.ts"], app, { CDKTF_OUTDIR: out });
    const tf = JSON.parse(fs.readFileSync(path.join(out, "stacks", "training", "cdk.tf.json"), "utf8"));
    const r = tf.resource;
    const one = (type: string) => {
      const all = Object.entries<Record<string, any>>(r[type] ?? {}); // eslint-disable-line @typescript-eslint/no-explicit-any
      expect(all).toHaveLength(1);
      return all[0];
    };
    const address = (type: string, id: string) => `\${${type}.${id}`;

    // The job: its own account, 4 tasks 2 at a time, 1 retry, one hour, the GPU, the bucket read-write.
    const [jobId, job] = one("google_cloud_run_v2_job");
    const accounts = Object.entries<Record<string, string>>(r.google_service_account);
    const jobAccount = accounts.find(([, a]) => a.account_id === "train-sentiment-job")!;
    expect(job.template.template.service_account).toBe(`${address("google_service_account", jobAccount[0])}.email}`);
    expect(job.template).toMatchObject({ task_count: 4, parallelism: 2 });
    expect(job.template.template).toMatchObject({
      max_retries: 1,
      timeout: "3600s",
      execution_environment: "EXECUTION_ENVIRONMENT_GEN2",
      node_selector: { accelerator: "nvidia-l4" },
      gpu_zonal_redundancy_disabled: true,
    });
    expect(job.template.template.containers[0].resources.limits).toEqual({
      cpu: "8",
      memory: "32Gi",
      "nvidia.com/gpu": "1",
    });
    const [bucketId, bucket] = one("google_storage_bucket");
    const bucketName = `${address("google_storage_bucket", bucketId)}.name}`;
    expect(job.template.template.volumes).toEqual([{ name: "gcs-0", gcs: { bucket: bucketName, read_only: false } }]);
    expect(job.template.template.containers[0].volume_mounts).toEqual([{ name: "gcs-0", mount_path: "/models" }]);
    expect(job.deletion_protection).toBe(true);

    // The schedule: POST to the job's :run with an OAuth token of its own account, which holds
    // invoker on this job and nothing else anywhere.
    const [, schedule] = one("google_cloud_scheduler_job");
    const schedulerAccount = accounts.find(([, a]) => a.account_id === "train-sentiment-sched")!;
    expect(schedule).toMatchObject({ schedule: "0 3 * * 1", time_zone: "Etc/UTC", region: "us-central1" });
    expect(schedule.http_target).toMatchObject({
      http_method: "POST",
      uri: `https://run.googleapis.com/v2/projects/${address("google_cloud_run_v2_job", jobId)}.project}/locations/us-central1/jobs/${address("google_cloud_run_v2_job", jobId)}.name}:run`,
      oauth_token: { service_account_email: `${address("google_service_account", schedulerAccount[0])}.email}` },
    });
    const schedulerMember = `${address("google_service_account", schedulerAccount[0])}.member}`;
    const grantsOf = (member: string) =>
      Object.entries<Record<string, Record<string, string>>>(r)
        .filter(([type]) => /_iam_(member|binding|policy)$/.test(type))
        .flatMap(([type, byId]) =>
          Object.values(byId)
            .filter((g) => g.member === member)
            .map((g) => [type, g.role, g.name]),
        );
    expect(grantsOf(schedulerMember)).toEqual([
      ["google_cloud_run_v2_job_iam_member", "roles/run.invoker", `${address("google_cloud_run_v2_job", jobId)}.name}`],
    ]);
    // The runner from CI: invoker and viewer on the job only.
    expect(
      grantsOf("serviceAccount:ci-train@acme-ml-dev.iam.gserviceaccount.com").map(([t, role]) => [t, role]),
    ).toEqual([
      ["google_cloud_run_v2_job_iam_member", "roles/run.invoker"],
      ["google_cloud_run_v2_job_iam_member", "roles/run.viewer"],
    ]);

    // The bucket: private and versioned; the job's account writes, the service's reads.
    expect(bucket).toMatchObject({
      public_access_prevention: "enforced",
      uniform_bucket_level_access: true,
      versioning: { enabled: true },
      force_destroy: false,
      lifecycle: { prevent_destroy: true },
    });
    const serviceAccount = accounts.find(([, a]) => a.account_id === "predict-gpu-run")!;
    // Each runtime account: logs and metrics, and exactly what its mount needs; it can start no job.
    const logsAndMetrics = [
      ["google_project_iam_member", "roles/logging.logWriter", undefined],
      ["google_project_iam_member", "roles/monitoring.metricWriter", undefined],
    ];
    expect(grantsOf(`${address("google_service_account", jobAccount[0])}.member}`)).toEqual([
      ...logsAndMetrics,
      ["google_storage_bucket_iam_member", "roles/storage.objectUser", undefined],
    ]);
    expect(grantsOf(`${address("google_service_account", serviceAccount[0])}.member}`)).toEqual([
      ...logsAndMetrics,
      ["google_storage_bucket_iam_member", "roles/storage.objectViewer", undefined],
    ]);

    // The GPU service: CPU always allocated, the L4, the bucket read-only, a 120 s startup window.
    const [, svc] = one("google_cloud_run_v2_service");
    expect(svc.template.node_selector).toEqual({ accelerator: "nvidia-l4" });
    expect(svc.template.gpu_zonal_redundancy_disabled).toBe(false);
    expect(svc.template.containers[0].resources).toMatchObject({
      cpu_idle: false,
      limits: { cpu: "4", memory: "16Gi", "nvidia.com/gpu": "1" },
    });
    expect(svc.template.volumes).toEqual([{ name: "gcs-0", gcs: { bucket: bucketName, read_only: true } }]);
    expect(svc.template.containers[0].startup_probe).toMatchObject({ period_seconds: 10, failure_threshold: 12 });
  }, 60_000);

  test("the README's serving program (issue 15's contract) synthesizes: gRPC, sidecar, VPC, key, remote repositories", () => {
    const out = path.join(app, "out-serving");
    run(process.execPath, ["--require", "tsx/cjs", "serving.ts"], app, { CDKTF_OUTDIR: out });
    const tf = JSON.parse(fs.readFileSync(path.join(out, "stacks", "serving", "cdk.tf.json"), "utf8"));
    const r = tf.resource;
    const [svc] = Object.values<Record<string, any>>(r.google_cloud_run_v2_service); // eslint-disable-line @typescript-eslint/no-explicit-any
    const containers = svc.template.containers;
    expect(containers.map((c: { name: string }) => c.name)).toEqual(["main", "otel-collector"]);
    expect(containers.filter((c: { ports?: unknown }) => c.ports !== undefined)).toHaveLength(1);
    expect(containers[0]).toMatchObject({
      command: ["python", "-m", "serve"],
      args: ["--model-dir", "/models"],
      working_dir: "/app",
      ports: { name: "h2c", container_port: 8080 },
      startup_probe: { grpc: { service: "grpc.health.v1.Health" } },
      liveness_probe: { grpc: { port: 8080 } },
    });
    expect(svc.template.vpc_access).toEqual({
      network_interfaces: [{ network: "ml-vpc", subnetwork: "serving-europe-west4" }],
      egress: "PRIVATE_RANGES_ONLY",
    });
    expect(svc.template.encryption_key).toBe("projects/acme-kms/locations/europe-west4/keyRings/ml/cryptoKeys/serving");
    expect(svc.custom_audiences).toEqual(["https://predict.acme.example"]);
    expect(svc.scaling).toEqual({ min_instance_count: 2 });
    const grants = Object.entries<Record<string, string>>(r.google_kms_crypto_key_iam_member);
    const runGrant = grants.find(([, g]) => g.member.endsWith("@serverless-robot-prod.iam.gserviceaccount.com"))!;
    expect(runGrant[1].role).toBe("roles/cloudkms.cryptoKeyEncrypterDecrypter");
    expect(svc.depends_on).toContain(`google_kms_crypto_key_iam_member.${runGrant[0]}`);
    const repos = Object.values<Record<string, any>>(r.google_artifact_registry_repository); // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(repos.map((x) => [x.format, x.mode, JSON.stringify(x.remote_repository_config)])).toEqual([
      [
        "DOCKER",
        "REMOTE_REPOSITORY",
        JSON.stringify({ description: "Cache of docker-hub", docker_repository: { public_repository: "DOCKER_HUB" } }),
      ],
      [
        "PYTHON",
        "REMOTE_REPOSITORY",
        JSON.stringify({ description: "Cache of pypi", python_repository: { public_repository: "PYPI" } }),
      ],
    ]);
    expect(repos[0].kms_key_name).toBe("projects/acme-kms/locations/europe-west4/keyRings/ml/cryptoKeys/registry");
    expect(grants.some(([, g]) => g.member.endsWith("@gcp-sa-artifactregistry.iam.gserviceaccount.com"))).toBe(true);
  }, 60_000);

  test("issue 27's contract synthesizes: a worker pool, volumes of every kind, Binary Authorization, an event", () => {
    const out = path.join(app, "out-parity");
    run(process.execPath, ["--require", "tsx/cjs", "parity.ts"], app, { CDKTF_OUTDIR: out });
    const tf = JSON.parse(fs.readFileSync(path.join(out, "stacks", "parity", "cdk.tf.json"), "utf8"));
    const r = tf.resource;
    const [pool] = Object.values<Record<string, any>>(r.google_cloud_run_v2_worker_pool); // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(pool.scaling).toEqual({ scaling_mode: "MANUAL", manual_instance_count: 2 });
    expect(pool.template.volumes).toEqual([{ name: "scratch", empty_dir: { medium: "MEMORY", size_limit: "1Gi" } }]);
    const [svc] = Object.values<Record<string, any>>(r.google_cloud_run_v2_service); // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(svc.binary_authorization).toEqual({ use_default: true });
    expect(svc.template.session_affinity).toBe(true);
    expect(svc.template.volumes.map((v: { name: string }) => v.name)).toEqual(["creds", "cloudsql"]);
    const [trigger] = Object.values<Record<string, any>>(r.google_eventarc_trigger); // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(trigger.destination.cloud_run_service.path).toBe("/reload");
    const roles = Object.values<Record<string, string>>({
      ...r.google_project_iam_member,
      ...r.google_secret_manager_secret_iam_member,
      ...r.google_cloud_run_v2_service_iam_member,
    })
      .map((g) => g.role)
      .sort();
    expect(roles).toEqual([
      "roles/cloudsql.client",
      "roles/eventarc.eventReceiver",
      "roles/logging.logWriter",
      "roles/logging.logWriter",
      "roles/monitoring.metricWriter",
      "roles/monitoring.metricWriter",
      "roles/pubsub.publisher",
      "roles/run.invoker",
      "roles/secretmanager.secretAccessor",
    ]);
  }, 60_000);

  test("a bad name, a policy error (main.ts at the production stage, image by tag), and no zod: one process", () => {
    // The README's main.ts with two changes; run after the bad-name program, in one process (the
    // cdktf.json app command's runtime, tsx): the policy error ends it.
    const production = MAIN.replace('stage: "development"', 'stage: "production"').replace(
      'repo.imageUri("predict-api", "sha256:" + "a".repeat(64))',
      'repo.imageUri("predict-api", "1.4.2")',
    );
    expect(production).not.toBe(MAIN);
    fs.writeFileSync(path.join(app, "production.ts"), production);
    const zodLoaded = "Object.keys(require.cache).some((f) => /[\\\\/]node_modules[\\\\/]zod[\\\\/]/.test(f))";
    const script = `require("./bad-name.ts"); console.log("zod loaded: " + ${zodLoaded}); require("./production.ts");`;
    const r = spawnSync(process.execPath, ["--require", "tsx/cjs", "-e", script], {
      cwd: app,
      env: {
        ...process.env,
        CDKTF_OUTDIR: path.join(app, "out-production"),
        CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS: "true",
      },
      encoding: "utf8",
    });
    expect(r.stdout).toContain(
      'name: got "Predict_API"; must be 1-49 characters of lowercase letters, digits and hyphens',
    );
    expect(r.stdout).toMatch(/zod loaded: false\n$/);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/stack predict-dev breaks the policy pack/);
    expect(r.stderr).toMatch(/ERROR RUN-004 predict-dev\/predict\/service/);
    // A production service with no monitoring: MON-001, naming what is missing.
    expect(r.stderr).toMatch(
      /ERROR MON-001 predict-dev\/predict\/service .*\n.*has no alert on its 5xx error ratio and no uptime check/,
    );
    expect(fs.existsSync(path.join(app, "out-production", "stacks", "predict-dev"))).toBe(false);
  }, 60_000);
});
