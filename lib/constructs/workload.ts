import { ITerraformDependable, TerraformStack, Token } from "cdktf";
import { Construct } from "constructs";
import { notDefaultServiceAccount, serviceAccountEmail, serviceAccountId } from "../gcp/iam";
import { bucketName } from "../gcp/storage";
import * as run from "../gcp/run";
import { secretName, secretVersion } from "../gcp/secret-manager";
import { shortHash, sortedRecord } from "../gcp/terraform";
import { Constraint, Problems, hasOwn, intRange } from "../gcp/validation";
import { ServiceAccount, StorageBucketIamMember } from "../providers";
import { createRuntimeServiceAccount } from "./cloud-run-service/service-account";
import { MODEL_BUCKET_ROLES, ModelBucket } from "./model-bucket";

/*
 * What a Cloud Run service and a Cloud Run job share: environment variables and secrets, health
 * checks, GPUs and Cloud Storage volumes. Their types, their checks and how they are written.
 */

/** An environment variable read from Secret Manager. */
export interface SecretEnvVar {
  /** The secret: its id in the workload's project, or `projects/PROJECT/secrets/ID`. */
  readonly secret: string;
  /**
   * A pinned version number such as `"3"`. `latest` is refused: it changes what runs without a
   * deploy, and a new revision may start with a value nobody reviewed.
   */
  readonly version: string;
}

/** When a probe runs and when it gives up: the same for every kind of probe. */
export interface ProbeTimings {
  /**
   * Seconds to wait after the container starts before the first check.
   * @default 0
   */
  readonly initialDelaySeconds?: number;
  /**
   * Seconds between checks.
   * @default 10
   */
  readonly periodSeconds?: number;
  /**
   * Seconds before a check times out; at most `periodSeconds`.
   * @default 1
   */
  readonly timeoutSeconds?: number;
  /**
   * Failed checks in a row before the container is restarted (liveness) or fails to start
   * (startup). For a startup probe, `periodSeconds × failureThreshold` is how long a slow model
   * load may take, and Cloud Run caps it: 240 s for a service, 600 s for a job (1800 s with a GPU).
   * @default 3
   */
  readonly failureThreshold?: number;
}

/** An HTTP health check: a GET that must answer 2xx or 3xx. */
export interface HttpProbe extends ProbeTimings {
  /** The path to GET, starting with `/`. */
  readonly path: string;
  /**
   * The port to call.
   * @default - the container port
   */
  readonly port?: number;
  /**
   * Headers to send, by name.
   * @default - none
   */
  readonly headers?: Readonly<Record<string, string>>;
}

/** A gRPC health check (`grpc.health.v1.Health/Check`). */
export interface GrpcProbe extends ProbeTimings {
  readonly grpc: {
    /**
     * The service name the check asks about.
     * @default - the server's overall health
     */
    readonly service?: string;
    /**
     * The port to call.
     * @default - the container port
     */
    readonly port?: number;
  };
}

/** A TCP health check: the port accepts a connection. Startup probes only. */
export interface TcpProbe extends ProbeTimings {
  readonly tcp: {
    /**
     * The port to open.
     * @default - the container port
     */
    readonly port?: number;
  };
}

/**
 * A health check of one kind: HTTP (`path`), gRPC (`grpc`) or TCP (`tcp`). Cloud Run takes all
 * three for startup probes and HTTP or gRPC for liveness probes. Source: Cloud Run "Configure
 * container health checks (services)".
 */
export type Probe = HttpProbe | GrpcProbe | TcpProbe;

/** The probe defaults, Cloud Run's own, written explicitly. */
export const PROBE_DEFAULTS = { initialDelaySeconds: 0, periodSeconds: 10, timeoutSeconds: 1, failureThreshold: 3 };

/** A GPU attached to each instance (service) or task (job). */
export interface Gpu {
  /** The GPU type, as Cloud Run's accelerator value: `"nvidia-l4"`. */
  readonly type: run.GpuType;
  /**
   * GPUs per instance or task. Cloud Run attaches one.
   * @default 1
   */
  readonly count?: number;
  /**
   * Zonal redundancy: reserve capacity so that instances restart in another zone when one fails.
   * Off costs less and needs less quota; on is what a production service wants. Written
   * explicitly (`gpu_zonal_redundancy_disabled`).
   * @default - true for a service, false for a job (a failed task is retried)
   */
  readonly zonalRedundancy?: boolean;
}

/** A Cloud Storage bucket mounted into the container as a directory (Cloud Storage FUSE). */
export interface CloudStorageVolume {
  /**
   * The bucket: a {@link ModelBucket}, whose access this workload's runtime account is then granted
   * (read for a read-only mount, read and write otherwise), or the name of a bucket whose grants
   * you make yourself.
   */
  readonly bucket: ModelBucket | string;
  /** Where the bucket appears in the container: an absolute path such as `/models`. */
  readonly mountPath: string;
  /**
   * Mount read-only. A service serving a model should; a job writing one cannot.
   * @default true
   */
  readonly readOnly?: boolean;
}

/** What {@link checkWorkload} reads: the props both workloads have. */
export interface WorkloadProps {
  readonly name: string;
  readonly location: string;
  readonly cpu?: string;
  readonly memory?: string;
  readonly executionEnvironment?: "gen1" | "gen2";
  readonly env?: Readonly<Record<string, string>>;
  readonly secretEnv?: Readonly<Record<string, SecretEnvVar>>;
  readonly gpu?: Gpu;
  readonly volumes?: readonly CloudStorageVolume[];
  readonly startupProbe?: Probe;
}

/** What a workload's checks need to know of its kind. */
export interface WorkloadDefaults {
  readonly kind: "service" | "job";
  readonly cpu: string;
  readonly memory: string;
}

/** The runtime identity: an existing account (never a default one), or the id of the one created. */
export function checkIdentity(
  p: Problems,
  props: { name: string; serviceAccountEmail?: string; serviceAccountId?: string },
): void {
  if (props.serviceAccountEmail !== undefined) {
    p.check("serviceAccountEmail", props.serviceAccountEmail, serviceAccountEmail);
    p.check("serviceAccountEmail", props.serviceAccountEmail, notDefaultServiceAccount);
    if (props.serviceAccountId !== undefined) {
      p.add("serviceAccountId", props.serviceAccountId, "must not be set together with serviceAccountEmail");
    }
  } else {
    p.check("serviceAccountId", props.serviceAccountId, serviceAccountId);
    if (props.serviceAccountId === undefined && Token.isUnresolved(props.name)) {
      p.add("serviceAccountId", undefined, "is required when name is a token: the account id is derived from the name");
    }
  }
}

/** The account a workload runs as, and the member string that names it in grants. */
export interface RuntimeIdentity {
  readonly email: string;
  readonly member: string;
  /** The account, when the workload created it. */
  readonly account?: ServiceAccount;
}

/**
 * The runtime identity of a workload: the existing account it was given, or a dedicated one
 * created in `scope` (construct ids `service-account`, `log-writer`, `metric-writer`).
 */
export function runtimeIdentity(
  scope: Construct,
  props: { project?: string; name: string; serviceAccountEmail?: string; serviceAccountId?: string },
  kind: "service" | "job",
  dependsOn: ITerraformDependable[] | undefined,
): RuntimeIdentity {
  if (props.serviceAccountEmail !== undefined) {
    return { email: props.serviceAccountEmail, member: `serviceAccount:${props.serviceAccountEmail}` };
  }
  const account = createRuntimeServiceAccount(scope, {
    project: props.project,
    serviceName: props.name,
    accountId: props.serviceAccountId,
    dependsOn,
    kind,
  });
  return { email: account.email, member: account.member, account };
}

/** Plain and secret environment variables: names valid, each from one place, secrets pinned. */
export function checkEnv(p: Problems, props: WorkloadProps): void {
  const names = new Set<string>();
  for (const [name, value] of Object.entries(props.env ?? {})) {
    p.check(`env.${name}`, name, run.envName);
    if (typeof value !== "string") p.add(`env.${name}`, value, "must be a string");
    names.add(name);
  }
  for (const [name, ref] of Object.entries(props.secretEnv ?? {})) {
    p.check(`secretEnv.${name}`, name, run.envName);
    if (names.has(name)) p.add(`secretEnv.${name}`, name, "is also set in env; a variable comes from one place");
    p.check(`secretEnv.${name}.secret`, ref.secret, secretName);
    p.check(`secretEnv.${name}.version`, ref.version, secretVersion);
  }
}

/**
 * One probe: exactly one kind, a kind the probe may be, its fields, and for a startup probe
 * (`window` given) the longest time it lets the container start, `periodSeconds ×
 * failureThreshold`, as Google defines it.
 */
export function checkProbe(
  p: Problems,
  path: string,
  probe: Probe | undefined,
  maxPeriod: number,
  window?: { max: number; why: string },
): void {
  if (probe === undefined) return;
  const kinds = (["path", "grpc", "tcp"] as const).filter(
    (k) => (probe as unknown as Record<string, unknown>)[k] !== undefined,
  );
  if (kinds.length !== 1) {
    p.add(
      path,
      probe,
      `must be exactly one kind of probe: path (HTTP), grpc or tcp; ${kinds.length === 0 ? "it has none" : `it has ${kinds.join(" and ")}`}`,
    );
    return;
  }
  const liveness = window === undefined;
  if ("tcp" in probe && probe.tcp !== undefined) {
    if (liveness) {
      p.add(
        `${path}.tcp`,
        probe.tcp,
        'a liveness probe may be HTTP (path) or gRPC, not TCP (Cloud Run "Configure container health checks")',
      );
    }
    p.check(`${path}.tcp.port`, probe.tcp.port, run.containerPort);
  } else if ("grpc" in probe && probe.grpc !== undefined) {
    p.check(`${path}.grpc.port`, probe.grpc.port, run.containerPort);
    p.check(`${path}.grpc.service`, probe.grpc.service, (v) =>
      /^[A-Za-z_][\w.]*$/.test(v) ? undefined : "must be a gRPC service name such as grpc.health.v1.Health",
    );
  } else {
    const http = probe as HttpProbe;
    p.check(`${path}.path`, http.path, run.probePath);
    p.check(`${path}.port`, http.port, run.containerPort);
    for (const [name, value] of Object.entries(http.headers ?? {})) {
      p.check(`${path}.headers.${name}`, name, (n) =>
        /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(n) ? undefined : "must be an HTTP header name (letters, digits and -)",
      );
      if (typeof value !== "string") p.add(`${path}.headers.${name}`, value, "must be a string");
    }
  }
  const range = (lo: number): Constraint<number> =>
    intRange(lo, maxPeriod, `must be a whole number of seconds from ${lo} to ${maxPeriod}`);
  p.check(`${path}.initialDelaySeconds`, probe.initialDelaySeconds, range(0));
  p.check(`${path}.periodSeconds`, probe.periodSeconds, range(1));
  p.check(`${path}.timeoutSeconds`, probe.timeoutSeconds, range(1));
  p.check(`${path}.failureThreshold`, probe.failureThreshold, run.probeFailureThreshold);
  const period = probe.periodSeconds ?? PROBE_DEFAULTS.periodSeconds;
  const timeout = probe.timeoutSeconds ?? PROBE_DEFAULTS.timeoutSeconds;
  const threshold = probe.failureThreshold ?? PROBE_DEFAULTS.failureThreshold;
  if ([period, timeout, threshold].some((v) => Token.isUnresolved(v))) return;
  if (timeout > period) p.add(`${path}.timeoutSeconds`, timeout, `must not exceed periodSeconds (${period})`);
  if (window !== undefined && period * threshold > window.max) {
    p.add(
      path,
      { periodSeconds: period, failureThreshold: threshold },
      `gives the container ${period * threshold} s to start (periodSeconds × failureThreshold); ${window.why} allows at most ${window.max} s: lower failureThreshold or periodSeconds, or load the model faster`,
    );
  }
}

/** The CPU limit as a number of vCPUs, when given well formed. */
function cpus(cpu: string): number | undefined {
  return Token.isUnresolved(cpu) || run.cpu(cpu) !== undefined ? undefined : run.parseCpu(cpu);
}

/**
 * A GPU and what Cloud Run asks of a workload that has one: the type and count, the region,
 * the second generation execution environment, and enough CPU and memory.
 */
export function checkGpu(p: Problems, props: WorkloadProps, defaults: WorkloadDefaults): void {
  const gpu = props.gpu;
  if (gpu === undefined) return;
  p.check("gpu.type", gpu.type, run.gpuType);
  p.check("gpu.count", gpu.count, run.gpuCount);
  const spec = hasOwn(run.GPUS, gpu.type) ? run.GPUS[gpu.type as run.GpuType] : undefined;
  if (spec === undefined) return;
  const regions: readonly string[] = spec.regions[defaults.kind];
  if (!Token.isUnresolved(props.location) && !regions.includes(props.location)) {
    p.add(
      "location",
      props.location,
      `${gpu.type} GPUs for Cloud Run ${defaults.kind}s are offered in ${regions.join(", ")} only (${run.GPU_SOURCE[defaults.kind]}); choose one of them or drop gpu`,
    );
  }
  if ((props.executionEnvironment ?? "gen2") !== "gen2") {
    p.add("executionEnvironment", props.executionEnvironment, `a GPU needs "gen2" (${run.GPU_SOURCE[defaults.kind]})`);
  }
  const cpu = props.cpu ?? defaults.cpu;
  const n = cpus(cpu);
  if (n !== undefined && n < spec.minCpu) {
    p.add(
      "cpu",
      cpu,
      `an ${gpu.type} GPU needs at least ${spec.minCpu} CPU beside it (${run.GPU_SOURCE[defaults.kind]})`,
    );
  }
  const memory = props.memory ?? defaults.memory;
  const mi = Token.isUnresolved(memory) ? undefined : run.parseMemoryMi(memory);
  if (mi !== undefined && mi < spec.minMemoryGi * 1024) {
    p.add(
      "memory",
      memory,
      `an ${gpu.type} GPU needs at least ${spec.minMemoryGi}Gi of memory beside it (${run.GPU_SOURCE[defaults.kind]})`,
    );
  }
}

/** Volumes: a valid bucket, an absolute mount path not reserved and not shared, gen2. */
export function checkVolumes(p: Problems, props: WorkloadProps): void {
  const volumes = props.volumes ?? [];
  if (volumes.length > 0 && (props.executionEnvironment ?? "gen2") !== "gen2") {
    p.add(
      "executionEnvironment",
      props.executionEnvironment,
      `Cloud Storage volumes need "gen2" (${run.VOLUME_SOURCE})`,
    );
  }
  const paths = new Map<string, number>();
  volumes.forEach((v, i) => {
    const at = `volumes[${i}]`;
    if (typeof v.bucket === "string") p.check(`${at}.bucket`, v.bucket, bucketName);
    else if (!(v.bucket instanceof ModelBucket))
      p.add(`${at}.bucket`, v.bucket, "must be a ModelBucket or a bucket name");
    p.check(`${at}.mountPath`, v.mountPath, run.mountPath);
    if (typeof v.mountPath === "string" && !Token.isUnresolved(v.mountPath)) {
      const clash = [...paths].find(([other]) => nested(other, v.mountPath));
      if (clash !== undefined) {
        p.add(
          `${at}.mountPath`,
          v.mountPath,
          `overlaps volumes[${clash[1]}].mountPath (${clash[0]}); mount paths must be distinct`,
        );
      }
      paths.set(v.mountPath, i);
    }
    if (v.readOnly !== undefined && typeof v.readOnly !== "boolean")
      p.add(`${at}.readOnly`, v.readOnly, "must be true or false");
  });
}

/** True when one path is the other or inside it. */
function nested(a: string, b: string): boolean {
  const [x, y] = [a.replace(/\/+$/, ""), b.replace(/\/+$/, "")];
  return x === y || x.startsWith(`${y}/`) || y.startsWith(`${x}/`);
}

/** Everything {@link checkWorkload} checks, in one call. */
export function checkWorkload(p: Problems, props: WorkloadProps, defaults: WorkloadDefaults): void {
  checkEnv(p, props);
  checkGpu(p, props, defaults);
  checkVolumes(p, props);
}

/** Plain variables, then secret ones, each sorted by name. */
export function environment(props: WorkloadProps) {
  const plain = Object.entries(sortedRecord(props.env) ?? {}).map(([name, value]) => ({ name, value }));
  const secret = Object.entries(sortedRecord(props.secretEnv) ?? {}).map(([name, ref]) => ({
    name,
    valueSource: { secretKeyRef: { secret: ref.secret, version: ref.version } },
  }));
  const all = [...plain, ...secret];
  return all.length > 0 ? all : undefined;
}

/** A probe with every timing written (Cloud Run's defaults where not given), of its kind. */
export function probe(p: Probe | undefined, port: number) {
  if (p === undefined) return undefined;
  const timings = {
    initialDelaySeconds: p.initialDelaySeconds ?? PROBE_DEFAULTS.initialDelaySeconds,
    periodSeconds: p.periodSeconds ?? PROBE_DEFAULTS.periodSeconds,
    timeoutSeconds: p.timeoutSeconds ?? PROBE_DEFAULTS.timeoutSeconds,
    failureThreshold: p.failureThreshold ?? PROBE_DEFAULTS.failureThreshold,
  };
  if ("grpc" in p && p.grpc !== undefined) {
    return { ...timings, grpc: { port: p.grpc.port ?? port, service: p.grpc.service } };
  }
  if ("tcp" in p && p.tcp !== undefined) return { ...timings, tcpSocket: { port: p.tcp.port ?? port } };
  const http = p as HttpProbe;
  const headers = Object.entries(sortedRecord(http.headers) ?? {}).map(([name, value]) => ({ name, value }));
  return {
    ...timings,
    httpGet: { path: http.path, port: http.port ?? port, ...(headers.length > 0 ? { httpHeaders: headers } : {}) },
  };
}

/** The name of the n-th volume: `gcs-0`, `gcs-1`, … (stable while the list's order is). */
const volumeName = (i: number): string => `gcs-${i}`;

/** The bucket name of a volume. */
export function volumeBucket(v: CloudStorageVolume): string {
  return typeof v.bucket === "string" ? v.bucket : v.bucket.bucket.name;
}

/** The template's volumes and the container's mounts. */
export function volumesOf(props: WorkloadProps) {
  const volumes = props.volumes ?? [];
  if (volumes.length === 0) return { volumes: undefined, volumeMounts: undefined };
  return {
    volumes: volumes.map((v, i) => ({
      name: volumeName(i),
      gcs: { bucket: volumeBucket(v), readOnly: v.readOnly ?? true },
    })),
    volumeMounts: volumes.map((v, i) => ({ name: volumeName(i), mountPath: v.mountPath })),
  };
}

/** The GPU's node selector, container limit and zonal redundancy, or nothing without a GPU. */
export function gpuOf(
  gpu: Gpu | undefined,
  defaultZonalRedundancy: boolean,
): { nodeSelector?: { accelerator: string }; limit: Record<string, string>; gpuZonalRedundancyDisabled?: boolean } {
  if (gpu === undefined) return { limit: {} };
  return {
    nodeSelector: { accelerator: gpu.type },
    limit: { "nvidia.com/gpu": String(gpu.count ?? 1) },
    gpuZonalRedundancyDisabled: !(gpu.zonalRedundancy ?? defaultZonalRedundancy),
  };
}

/**
 * Grants the runtime account access to each mounted {@link ModelBucket}: read
 * (`roles/storage.objectViewer`) for a read-only mount, read and write (`roles/storage.objectUser`)
 * otherwise; a bucket mounted both ways gets the writer grant only. The grants belong to the
 * workload (construct id `bucket-reader-<bucket>` or `bucket-writer-<bucket>`, from the bucket's
 * path in its stack), so their addresses do not depend on the account's email.
 */
export function grantVolumeAccess(
  scope: Construct,
  volumes: readonly CloudStorageVolume[] | undefined,
  member: string,
  dependsOn?: ITerraformDependable[],
): StorageBucketIamMember[] {
  const byBucket = new Map<ModelBucket, boolean>();
  for (const v of volumes ?? []) {
    if (typeof v.bucket === "string") continue;
    byBucket.set(v.bucket, (byBucket.get(v.bucket) ?? false) || v.readOnly === false);
  }
  return [...byBucket].map(([bucket, write]) => {
    const kind = write ? "writer" : "reader";
    const where = bucket.node.scopes
      .slice(bucket.node.scopes.indexOf(TerraformStack.of(bucket)) + 1)
      .map((c) => c.node.id)
      .join("-");
    // The bucket's path, as an id; when that loses characters, a hash of the path keeps two
    // buckets apart (`models_a` and `models-a`).
    const slug = where.replace(/[^A-Za-z0-9-]+/g, "-").toLowerCase();
    const id = `bucket-${kind}-${slug}${slug === where ? "" : `-${shortHash(where)}`}`;
    return new StorageBucketIamMember(scope, id, {
      bucket: bucket.bucket.name,
      role: MODEL_BUCKET_ROLES[kind],
      member,
      dependsOn,
    });
  });
}
