/**
 * Volumes of every kind and Binary Authorization (lib/constructs/workload/), on each kind of
 * workload that takes them: a service, a job and a worker pool. What each writes into the
 * synthesized template (every default explicit), the grants each makes and nothing more, and
 * every refusal at its boundary, naming the field, the value and the rule.
 */
import { Construct } from "constructs";
import { CloudRunWorkerPool, CloudRunWorkerPoolProps, Volume, WorkloadProps } from "../../../lib";
import { Json, Synth, newStack, synth } from "../../helpers";
import {
  JOB,
  PROJECT,
  SERVICE,
  allResources,
  escapeRegExp,
  refused,
  serviceBase,
  serviceFails,
  servicePasses,
} from "./builders";

const POOL_SUBJECT = 'CloudRunWorkerPool "test/consume"';
const poolBase: CloudRunWorkerPoolProps = {
  project: PROJECT,
  location: "europe-west1",
  name: "consume",
  image: serviceBase.image,
};

type Shared = Partial<
  Omit<WorkloadProps, "executionEnvironment" | "gpu" | "startupProbe" | "containerPort" | "vpcAccess">
> & {
  vpcAccess?: { network: string; subnetwork: string };
};

/** One kind of workload, as these tests build and read it. */
interface VolumeKind {
  readonly kind: string;
  readonly subject: string;
  readonly type: string;
  build(scope: Construct, props: Shared): unknown;
  template(resource: Json): Json;
}
const KINDS: readonly VolumeKind[] = [
  {
    kind: "service",
    subject: SERVICE.subject,
    type: SERVICE.type,
    build: (s, p) => SERVICE.build(s, p),
    template: SERVICE.template,
  },
  { kind: "job", subject: JOB.subject, type: JOB.type, build: (s, p) => JOB.build(s, p), template: JOB.template },
  {
    kind: "worker pool",
    subject: POOL_SUBJECT,
    type: "google_cloud_run_v2_worker_pool",
    build: (s, p) => new CloudRunWorkerPool(s, "consume", { ...poolBase, ...p } as CloudRunWorkerPoolProps),
    template: (r) => r.template,
  },
];

const synthKind = (k: VolumeKind, props: Shared): Synth => synth((s) => void k.build(s, props));
const resourceOf = (out: Synth, k: VolumeKind): Json => Object.values(out.resource[k.type])[0];
const fails = (k: VolumeKind, props: Shared, path: string, value: unknown, rule: RegExp) =>
  refused(() => k.build(newStack(), props), k.subject, path, value, rule);
const passes = (k: VolumeKind, props: Shared) => expect(() => k.build(newStack(), props)).not.toThrow();

/** The IAM resources of a stack, as `type role member-ref`, sorted. */
function grants(out: Synth): string[] {
  return allResources(out)
    .filter(([type]) => /_iam_member$/.test(type))
    .map(([type, , v]) => `${type} ${v.role} ${String(v.member).replace(/_[0-9A-F]{8}\./, ".")}`)
    .sort();
}

const SECRET: Volume = { kind: "secret", name: "creds", mountPath: "/secrets", secret: "api-key", version: "3" };
const SCRATCH: Volume = { kind: "emptyDir", name: "scratch", mountPath: "/scratch", sizeLimit: "256Mi" };
const NFS: Volume = { kind: "nfs", name: "shared", mountPath: "/shared", server: "10.0.0.2", path: "/share1" };
const SQL: Volume = { kind: "cloudSql", name: "cloudsql", instances: ["acme-ml-dev:europe-west1:features"] };
const VPC = { network: "default", subnetwork: "serving" };

describe.each(KINDS)("volumes of a $kind", (k) => {
  test("each kind written explicitly, in order, with its mount", () => {
    const tf = resourceOf(synthKind(k, { volumes: [SECRET, SCRATCH, NFS, SQL], vpcAccess: VPC }), k);
    const t = k.template(tf);
    expect(t.volumes).toEqual([
      { name: "creds", secret: { secret: "api-key", default_mode: 0o444, items: [{ path: "api-key", version: "3" }] } },
      { name: "scratch", empty_dir: { medium: "MEMORY", size_limit: "256Mi" } },
      { name: "shared", nfs: { server: "10.0.0.2", path: "/share1", read_only: true } },
      { name: "cloudsql", cloud_sql_instance: { instances: ["acme-ml-dev:europe-west1:features"] } },
    ]);
    expect(t.containers[0].volume_mounts).toEqual([
      { name: "creds", mount_path: "/secrets" },
      { name: "scratch", mount_path: "/scratch" },
      { name: "shared", mount_path: "/shared" },
      { name: "cloudsql", mount_path: "/cloudsql" },
    ]);
  });

  test("a secret of several files: each path and pinned version, modes where given", () => {
    const files = [
      { path: "tls/key.pem", version: "2", mode: 0o400 },
      { path: "tls/cert.pem", version: "5" },
    ];
    const t = k.template(
      resourceOf(synthKind(k, { volumes: [{ ...SECRET, version: undefined, files, defaultMode: 0o440 }] }), k),
    );
    expect(t.volumes[0].secret).toEqual({
      secret: "api-key",
      default_mode: 0o440,
      items: [
        { path: "tls/key.pem", version: "2", mode: 0o400 },
        { path: "tls/cert.pem", version: "5" },
      ],
    });
  });

  test("grants: secretAccessor on the mounted secret only, cloudsql.client on the project, nothing for memory or NFS", () => {
    const out = synthKind(k, { volumes: [SECRET, SCRATCH, NFS, SQL], vpcAccess: VPC });
    const account = /service-account/;
    const made = grants(out);
    expect(made.filter((g) => !/logWriter|metricWriter/.test(g))).toEqual([
      expect.stringMatching(
        /^google_project_iam_member roles\/cloudsql\.client \$\{google_service_account\..*service-account\.member\}$/,
      ),
      expect.stringMatching(/^google_secret_manager_secret_iam_member roles\/secretmanager\.secretAccessor /),
    ]);
    made.forEach((g) => expect(g).toMatch(account));
    const secretGrant = Object.values(out.resource.google_secret_manager_secret_iam_member)[0] as Json;
    expect(secretGrant).toMatchObject({ secret_id: "api-key", project: PROJECT });
    const sql = Object.values(out.resource.google_project_iam_member).find(
      (g: Json) => g.role === "roles/cloudsql.client",
    ) as Json;
    expect(sql.project).toBe(PROJECT);
    // The workload waits for both.
    const depends = resourceOf(out, k).depends_on as string[];
    expect(depends).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^google_secret_manager_secret_iam_member\./),
        expect.stringMatching(/cloudsql-client/),
      ]),
    );
  });

  test("one secret named by its id and by its path in the workload's project is granted once", () => {
    const out = synthKind(k, {
      volumes: [{ ...SECRET, secret: `projects/${PROJECT}/secrets/api-key` }],
      secretEnv: { API_KEY: { secret: "api-key", version: "3" } },
    });
    expect(Object.values(out.resource.google_secret_manager_secret_iam_member).map((g: Json) => g.secret_id)).toEqual([
      "api-key",
    ]);
    const two = synthKind(k, {
      volumes: [{ ...SECRET, secret: "projects/acme-shared/secrets/api-key" }],
      secretEnv: { API_KEY: { secret: "api-key", version: "3" } },
    });
    expect(Object.keys(two.resource.google_secret_manager_secret_iam_member)).toHaveLength(2);
  });

  test("a secret read as a variable and as files is granted once; grantSecretAccess and grantCloudSqlAccess false grant nothing", () => {
    const once = synthKind(k, { volumes: [SECRET], secretEnv: { API_KEY: { secret: "api-key", version: "3" } } });
    expect(Object.keys(once.resource.google_secret_manager_secret_iam_member)).toHaveLength(1);
    const none = synthKind(k, { volumes: [SECRET, SQL], grantSecretAccess: false, grantCloudSqlAccess: false });
    expect(grants(none).filter((g) => !/logWriter|metricWriter/.test(g))).toEqual([]);
  });

  test("an in-memory volume without a size gets half the memory, written", () => {
    const t = k.template(
      resourceOf(synthKind(k, { memory: "4Gi", volumes: [{ kind: "emptyDir", name: "tmp", mountPath: "/tmp/x" }] }), k),
    );
    expect(t.volumes[0].empty_dir).toEqual({ medium: "MEMORY", size_limit: "2048Mi" });
  });

  test("an in-memory volume may be as large as the memory, not larger", () => {
    passes(k, { memory: "1Gi", volumes: [{ ...SCRATCH, sizeLimit: "1Gi" }] });
    passes(k, { memory: "1Gi", volumes: [{ ...SCRATCH, sizeLimit: "1024Mi" }] });
    fails(
      k,
      { memory: "1Gi", volumes: [{ ...SCRATCH, sizeLimit: "1025Mi" }] },
      "volumes[0].sizeLimit",
      "1025Mi",
      /must not exceed the memory the containers have \(memory is "1Gi"\).*in-memory volume mounts/,
    );
    fails(
      k,
      { volumes: [{ ...SCRATCH, sizeLimit: "1G" }] },
      "volumes[0].sizeLimit",
      "1G",
      /positive whole number of Mi or Gi/,
    );
    fails(k, { volumes: [{ ...SCRATCH, sizeLimit: "0Mi" }] }, "volumes[0].sizeLimit", "0Mi", /positive/);
    fails(k, { volumes: [{ ...SCRATCH, sizeLimit: "00512Mi" }] }, "volumes[0].sizeLimit", "00512Mi", /positive/);
  });

  test("two volumes with one mount path, or one inside the other, are refused; names are unique DNS labels", () => {
    fails(
      k,
      { volumes: [SECRET, { ...SCRATCH, mountPath: "/secrets" }] },
      "volumes[1].mountPath",
      "/secrets",
      /overlaps volumes\[0\]\.mountPath \(\/secrets\); mount paths must be distinct/,
    );
    fails(
      k,
      { volumes: [SECRET, { ...SCRATCH, mountPath: "/secrets/tmp" }] },
      "volumes[1].mountPath",
      "/secrets/tmp",
      /overlaps volumes\[0\]/,
    );
    fails(
      k,
      { volumes: [SQL, { ...SCRATCH, mountPath: "/cloudsql" }] },
      "volumes[1].mountPath",
      "/cloudsql",
      /overlaps volumes\[0\]\.mountPath \(\/cloudsql\)/,
    );
    fails(
      k,
      { volumes: [SECRET, { ...SCRATCH, name: "creds" }] },
      "volumes[1].name",
      "creds",
      /already the name of volumes\[0\]; volume names must be unique/,
    );
    fails(
      k,
      { volumes: [{ ...SECRET, name: "Creds_1" }] },
      "volumes[0].name",
      "Creds_1",
      /lowercase letters, digits and hyphens/,
    );
    fails(
      k,
      { volumes: [{ kind: "emptyDir", mountPath: "/x" } as unknown as Volume] },
      "volumes[0].name",
      undefined,
      /is required for a emptyDir volume/,
    );
    fails(k, { volumes: [{ ...SECRET, mountPath: "/proc/x" }] }, "volumes[0].mountPath", "/proc/x", /reserves/);
    fails(
      k,
      { volumes: [{ ...SCRATCH, kind: "ramdisk" } as unknown as Volume] },
      "volumes[0].kind",
      "ramdisk",
      /must be one of "gcs", "secret", "emptyDir", "nfs", "cloudSql"/,
    );
  });

  test("a secret volume: pinned versions, never latest; paths relative, unique; modes from 0 to 0o777", () => {
    fails(
      k,
      { volumes: [{ ...SECRET, version: "latest" }] },
      "volumes[0].version",
      "latest",
      /pinned version number.*"latest".*refused/,
    );
    fails(
      k,
      { volumes: [{ ...SECRET, version: undefined }] },
      "volumes[0].version",
      undefined,
      /is required \(or files\)/,
    );
    const file = (path: string, version = "1") => ({ path, version });
    fails(
      k,
      { volumes: [{ ...SECRET, version: undefined, files: [file("a"), file("a", "2")] }] },
      "volumes[0].files[1].path",
      "a",
      /overlaps volumes\[0\]\.files\[0\]\.path \(a\); file paths must be distinct/,
    );
    fails(
      k,
      { volumes: [{ ...SECRET, version: undefined, files: [file("a"), file("a/b")] }] },
      "volumes[0].files[1].path",
      "a/b",
      /file paths must be distinct/,
    );
    fails(
      k,
      { volumes: [{ ...SECRET, version: undefined, files: [file("../etc/passwd")] }] },
      "volumes[0].files[0].path",
      "../etc/passwd",
      /relative path/,
    );
    fails(
      k,
      { volumes: [{ ...SECRET, version: undefined, files: [file("/abs")] }] },
      "volumes[0].files[0].path",
      "/abs",
      /relative path/,
    );
    fails(
      k,
      { volumes: [{ ...SECRET, version: undefined, files: [file("k", "latest")] }] },
      "volumes[0].files[0].version",
      "latest",
      /pinned/,
    );
    fails(
      k,
      { volumes: [{ ...SECRET, files: [file("k")] }] },
      "volumes[0].version",
      "3",
      /not be set together with files/,
    );
    fails(k, { volumes: [{ ...SECRET, version: undefined, files: [] }] }, "volumes[0].files", [], /at least one file/);
    fails(k, { volumes: [{ ...SECRET, defaultMode: 0o1000 }] }, "volumes[0].defaultMode", 512, /0 to 0o777/);
    fails(
      k,
      { volumes: [{ ...SECRET, version: undefined, files: [{ path: "k", version: "1", mode: 0 }] }] },
      "volumes[0].files[0].mode",
      0,
      /from 1 to 0o777 \(511\); leave it out for defaultMode/,
    );
    fails(k, { volumes: [{ ...SECRET, secret: "bad secret" }] }, "volumes[0].secret", "bad secret", /secret id/);
    passes(k, { volumes: [{ ...SECRET, secret: "projects/acme-shared/secrets/api-key", defaultMode: 0 }] });
  });

  test("NFS needs VPC egress, a server and an absolute export; Cloud SQL names PROJECT:REGION:INSTANCE", () => {
    fails(k, { volumes: [NFS] }, "vpcAccess", undefined, /is required with an NFS volume \(volumes\[0\]\)/);
    fails(k, { volumes: [{ ...NFS, path: "share1" }], vpcAccess: VPC }, "volumes[0].path", "share1", /absolute path/);
    fails(
      k,
      { volumes: [{ ...NFS, server: "nfs server" }], vpcAccess: VPC },
      "volumes[0].server",
      "nfs server",
      /IP address .* or host name/,
    );
    passes(k, { volumes: [{ ...NFS, server: "filer.internal.example", readOnly: false }], vpcAccess: VPC });
    fails(
      k,
      { volumes: [{ ...SQL, instances: ["features"] }] },
      "volumes[0].instances[0]",
      "features",
      /PROJECT:REGION:INSTANCE/,
    );
    fails(k, { volumes: [{ ...SQL, instances: [] }] }, "volumes[0].instances", [], /at least one instance/);
    fails(
      k,
      { volumes: [{ ...SQL, instances: [SQL.instances[0], SQL.instances[0]] }] },
      "volumes[0].instances[1]",
      SQL.instances[0],
      /already instances\[0\]/,
    );
    const t = k.template(resourceOf(synthKind(k, { volumes: [{ ...SQL, mountPath: "/sockets" }] }), k));
    expect(t.containers[0].volume_mounts).toEqual([{ name: "cloudsql", mount_path: "/sockets" }]);
  });

  test("every problem at once, nothing made", () => {
    const scope = newStack();
    const err = refused(
      () =>
        k.build(scope, {
          volumes: [
            { ...SECRET, version: "latest" },
            { ...SCRATCH, sizeLimit: "64Gi", mountPath: "/secrets" },
          ],
        }),
      k.subject,
      "volumes[0].version",
      "latest",
      /pinned/,
    );
    expect(err.problems.map((p) => p.path)).toEqual(
      expect.arrayContaining(["volumes[0].version", "volumes[1].sizeLimit", "volumes[1].mountPath"]),
    );
    expect(scope.node.children.filter((c) => !/google/.test(c.node.id))).toHaveLength(0);
  });

  test("Binary Authorization: the default policy, a named one, a breakglass with its reason", () => {
    expect(resourceOf(synthKind(k, { binaryAuthorization: { policy: "default" } }), k).binary_authorization).toEqual({
      use_default: true,
    });
    const named = "projects/acme-ml-dev/platforms/cloudrun/policies/serving";
    expect(resourceOf(synthKind(k, { binaryAuthorization: { policy: named } }), k).binary_authorization).toEqual({
      policy: named,
    });
    const why = "INC-4121: the attestor is down, hotfix for the outage";
    expect(
      resourceOf(synthKind(k, { binaryAuthorization: { policy: "default", breakglass: { justification: why } } }), k)
        .binary_authorization,
    ).toEqual({ use_default: true, breakglass_justification: why });
    expect(resourceOf(synthKind(k, {}), k).binary_authorization).toBeUndefined();
    fails(
      k,
      { binaryAuthorization: { policy: "serving" } },
      "binaryAuthorization.policy",
      "serving",
      /"default" .* or projects\/PROJECT\/platforms\/cloudrun\/policies\/NAME/,
    );
    fails(
      k,
      { binaryAuthorization: { policy: "default", breakglass: {} as never } },
      "binaryAuthorization.breakglass.justification",
      undefined,
      /is required: a breakglass deploy must say why/,
    );
    fails(
      k,
      { binaryAuthorization: { policy: "default", breakglass: { justification: "hotfix" } } },
      "binaryAuthorization.breakglass.justification",
      "hotfix",
      /at least 10 letters/,
    );
  });
});

describe("volumes that only some kinds take", () => {
  test("Cloud Storage volumes keep their names and need gen2; other kinds run in gen1", () => {
    const t = SERVICE.template(
      resourceOf(
        synthKind(KINDS[0], { volumes: [{ bucket: "acme-models", mountPath: "/models" }, SCRATCH] }),
        KINDS[0],
      ),
    );
    expect(t.volumes.map((v: Json) => v.name)).toEqual(["gcs-0", "scratch"]);
    serviceFails(
      { executionEnvironment: "gen1", volumes: [{ bucket: "acme-models", mountPath: "/models" }] },
      "executionEnvironment",
      "gen1",
      /Cloud Storage volumes need "gen2"/,
    );
    servicePasses({ executionEnvironment: "gen1", cpu: "1", volumes: [SECRET, SCRATCH, SQL] });
  });

  test("a service's in-memory volume counts its sidecars' memory too", () => {
    const sidecars = [{ name: "proxy", image: serviceBase.image, memory: "512Mi" }];
    servicePasses({ memory: "1Gi", sidecars, volumes: [{ ...SCRATCH, sizeLimit: "1536Mi" }] });
    serviceFails(
      { memory: "1Gi", sidecars, volumes: [{ ...SCRATCH, sizeLimit: "1537Mi" }] },
      "volumes[0].sizeLimit",
      "1537Mi",
      new RegExp(escapeRegExp("their limits, 1Gi + 512Mi, total 1536Mi")),
    );
  });
});
