/**
 * CloudRunWorkerPool (lib/constructs/cloud-run-worker-pool/): what it writes by default and with
 * each option, the identity it runs as and the grants it makes (and nothing more), and every
 * refusal at its boundary. Volumes and Binary Authorization, which it shares with services and
 * jobs, are tested for all three in workload/volumes.test.ts.
 */
import { CloudRunWorkerPool, CloudRunWorkerPoolProps, PolicyPack } from "../../lib";
import { WORKER_POOL_LIMITS } from "../../lib/gcp/run";
import { IMAGE, newStack, only, resources, synth } from "../helpers";
import { allResources, refused } from "./workload/builders";

const base: CloudRunWorkerPoolProps = {
  project: "acme-ml-dev",
  location: "europe-west1",
  name: "events-consumer",
  image: IMAGE,
};
const SUBJECT = 'CloudRunWorkerPool "test/consumer"';
const build = (props: Partial<CloudRunWorkerPoolProps> = {}) =>
  new CloudRunWorkerPool(newStack(), "consumer", { ...base, ...props } as CloudRunWorkerPoolProps);
const synthPool = (props: Partial<CloudRunWorkerPoolProps> = {}) =>
  synth((s) => new CloudRunWorkerPool(s, "consumer", { ...base, ...props } as CloudRunWorkerPoolProps));
const poolOf = (props: Partial<CloudRunWorkerPoolProps> = {}) =>
  only(synthPool(props), "google_cloud_run_v2_worker_pool");
const fails = (props: Partial<CloudRunWorkerPoolProps>, path: string, value: unknown, rule: RegExp) =>
  refused(() => build(props), SUBJECT, path, value, rule);

describe("CloudRunWorkerPool defaults", () => {
  test("manual scaling of one instance, every instance on the latest revision, deletion protection, written", () => {
    expect(poolOf()).toEqual({
      project: "acme-ml-dev",
      location: "europe-west1",
      name: "events-consumer",
      deletion_protection: true,
      scaling: { scaling_mode: "MANUAL", manual_instance_count: 1 },
      instance_splits: [{ type: "INSTANCE_SPLIT_ALLOCATION_TYPE_LATEST", percent: 100 }],
      template: {
        service_account: expect.stringMatching(
          /^\$\{google_service_account\.consumer_service-account_[0-9A-F]{8}\.email\}$/,
        ),
        containers: [{ image: IMAGE, resources: { limits: { cpu: "1", memory: "2Gi" } } }],
      },
    });
  });

  test("no port, no probe, no URL: the template has none", () => {
    const container = poolOf().template.containers[0];
    expect(container.ports).toBeUndefined();
    expect(container.startup_probe).toBeUndefined();
  });

  test("its own account, NAME-pool, with log and metric writing and nothing else", () => {
    const out = synthPool();
    expect(Object.values(resources(out, "google_service_account"))).toEqual([
      expect.objectContaining({
        account_id: "events-consumer-pool",
        display_name: "Cloud Run worker pool runtime: events-consumer",
      }),
    ]);
    expect(
      allResources(out)
        .filter(([type]) => /iam_member$/.test(type))
        .map(([type, , v]) => `${type} ${v.role}`)
        .sort(),
    ).toEqual([
      "google_project_iam_member roles/logging.logWriter",
      "google_project_iam_member roles/monitoring.metricWriter",
    ]);
  });

  test("an existing account is used, never a default one", () => {
    const email = "consumer@acme-ml-dev.iam.gserviceaccount.com";
    const out = synthPool({ serviceAccountEmail: email });
    expect(only(out, "google_cloud_run_v2_worker_pool").template.service_account).toBe(email);
    expect(resources(out, "google_service_account")).toEqual({});
    fails(
      { serviceAccountEmail: "123-compute@developer.gserviceaccount.com" },
      "serviceAccountEmail",
      "123-compute@developer.gserviceaccount.com",
      /default/,
    );
  });
});

describe("CloudRunWorkerPool options", () => {
  test("the whole container, VPC egress, key, labels and description, written", () => {
    const pool = poolOf({
      instanceCount: 3,
      command: ["python", "-m", "consume"],
      args: ["--batch", "32"],
      env: { TOPIC: "predictions" },
      secretEnv: { TOKEN: { secret: "queue-token", version: "2" } },
      cpu: "2",
      memory: "4Gi",
      vpcAccess: { network: "default", subnetwork: "serving", egress: "all-traffic" },
      encryptionKey: "projects/acme-ml-dev/locations/europe-west1/keyRings/run/cryptoKeys/pool",
      projectNumber: "123456789012",
      labels: { team: "ml" },
      description: "Consumes prediction requests",
      deletionProtection: false,
    });
    expect(pool).toMatchObject({
      description: "Consumes prediction requests",
      labels: { team: "ml" },
      deletion_protection: false,
      scaling: { scaling_mode: "MANUAL", manual_instance_count: 3 },
      template: {
        labels: { team: "ml" },
        encryption_key: "projects/acme-ml-dev/locations/europe-west1/keyRings/run/cryptoKeys/pool",
        vpc_access: { egress: "ALL_TRAFFIC", network_interfaces: [{ network: "default", subnetwork: "serving" }] },
        containers: [
          {
            command: ["python", "-m", "consume"],
            args: ["--batch", "32"],
            env: [
              { name: "TOPIC", value: "predictions" },
              { name: "TOKEN", value_source: { secret_key_ref: { secret: "queue-token", version: "2" } } },
            ],
            resources: { limits: { cpu: "2", memory: "4Gi" } },
          },
        ],
      },
    });
  });

  test("instanceCount from 0 (stopped) to the limit; outside it refused, citing it", () => {
    expect(poolOf({ instanceCount: 0 }).scaling.manual_instance_count).toBe(0);
    expect(poolOf({ instanceCount: WORKER_POOL_LIMITS.maxInstances }).scaling.manual_instance_count).toBe(1000);
    fails(
      { instanceCount: -1 },
      "instanceCount",
      -1,
      /from 0 \(the pool stopped\) to 1000 \(Cloud Run "Manual scaling for worker pools"/,
    );
    fails({ instanceCount: 1001 }, "instanceCount", 1001, /to 1000/);
    fails({ instanceCount: 1.5 }, "instanceCount", 1.5, /whole number/);
  });

  test("a connector, a bad name, CPU and memory that do not go together are refused, all at once", () => {
    const err = fails(
      { vpcAccess: { connector: "serving" } as never, name: "Events", cpu: "1", memory: "8Gi" },
      "vpcAccess.connector",
      "serving",
      /not offered for a worker pool/,
    );
    expect(err.problems.map((p) => p.path)).toEqual(expect.arrayContaining(["name", "memory", "vpcAccess.connector"]));
  });

  test("a customer-managed key: Cloud Run's service agent may use it, and the pool waits for that", () => {
    const out = synthPool({
      encryptionKey: "projects/acme-ml-dev/locations/europe-west1/keyRings/run/cryptoKeys/pool",
      projectNumber: "123456789012",
    });
    const grant = only(out, "google_kms_crypto_key_iam_member");
    expect(grant).toMatchObject({
      role: "roles/cloudkms.cryptoKeyEncrypterDecrypter",
      member: "serviceAccount:service-123456789012@serverless-robot-prod.iam.gserviceaccount.com",
    });
    expect(only(out, "google_cloud_run_v2_worker_pool").depends_on).toEqual([
      expect.stringMatching(/^google_kms_crypto_key_iam_member\./),
    ]);
  });

  test("the policy pack finds nothing to refuse in a default pool at production (the stack's own backend aside)", () => {
    const s = newStack();
    new CloudRunWorkerPool(s, "consumer", { ...base, labels: { environment: "prod", app: "predict" } });
    const findings = new PolicyPack({ stage: "production" }).evaluate(s).findings;
    expect(findings.filter((f) => f.resourceType !== undefined).map((f) => `${f.ruleId} ${f.path}`)).toEqual([]);
    expect(findings.map((f) => f.ruleId)).toEqual(["STATE-001"]);
  });
});
