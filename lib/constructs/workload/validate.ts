import { Token } from "cdktf";
import { notDefaultServiceAccount, serviceAccountEmail, serviceAccountId } from "../../gcp/iam";
import { imagePinnedByDigest, imageReference } from "../../gcp/images";
import { checkLabels, projectNumber, region } from "../../gcp/projects";
import { isUnresolved } from "../../gcp/terraform";
import * as run from "../../gcp/run";
import { secretName, secretVersion } from "../../gcp/secret-manager";
import { bucketName } from "../../gcp/storage";
import { Constraint, Problems, hasOwn, intRange, pattern, reasonText } from "../../gcp/validation";
import { checkCommonProps } from "../common";
import { ModelBucket } from "../model-bucket";
import { isCloudStorageVolume, memoryLimitsOf, mountPathOf, nameOfVolume } from "./render";
import {
  CloudSqlVolume,
  CloudStorageVolume,
  ConnectorVpcAccess,
  DirectVpcAccess,
  InMemoryVolume,
  NfsVolume,
  SecretVolume,
  Volume,
  HttpProbe,
  PROBE_DEFAULTS,
  Probe,
  WORKLOAD_DEFAULTS,
  WorkloadKind,
  WorkloadProps,
} from "./props";

/*
 * The checks of what services and jobs share, each written once. A kind's validator calls
 * checkWorkloadProps first, then its own checks.
 */

/** WorkloadProps with the execution environment each kind declares for itself. */
type Checked = WorkloadProps & { readonly executionEnvironment?: string };

/**
 * What every workload's props must be, but for the resources, the startup probe and the
 * identity, which a kind checks where its own messages belong: project, name, region, image
 * (pinned when required), command and arguments, port, labels.
 */
export function checkWorkloadBasics(p: Problems, props: Checked, kind: WorkloadKind): void {
  checkCommonProps(p, props);
  p.check("name", props.name, kind === "service" ? run.serviceName : kind === "job" ? run.jobName : run.workerPoolName);
  p.check("location", props.location, region);
  p.check("image", props.image, imageReference);
  if (props.requireImageDigest && imageReference(props.image) === undefined) {
    p.check("image", props.image, imagePinnedByDigest);
  }
  checkStrings(p, "command", props.command);
  checkStrings(p, "args", props.args);
  p.check("containerPort", props.containerPort, run.containerPort);
  checkLabels(p, "labels", props.labels);
}

/** The container's environment, GPU, volumes, VPC egress and key: each alone and with the rest. */
export function checkWorkloadContainer(p: Problems, props: Checked, kind: WorkloadKind): void {
  checkEnv(p, props);
  if (kind !== "workerPool") checkGpu(p, props, kind);
  checkVolumes(p, props);
  checkBinaryAuthorization(p, props);
}

/** Network and encryption: VPC egress and a customer-managed key. */
export function checkWorkloadNetwork(p: Problems, props: Checked): void {
  checkVpcAccess(p, props);
  p.check("encryptionKey", props.encryptionKey, run.kmsKeyName);
  p.check("projectNumber", props.projectNumber, projectNumber);
}

/** A list of strings (command, args), when it is one. */
function checkStrings(p: Problems, path: string, values: readonly string[] | undefined): void {
  if (values === undefined || Token.isUnresolved(values)) return;
  if (!Array.isArray(values)) {
    p.add(path, values, "must be a list of strings");
    return;
  }
  values.forEach((v, i) => {
    if (typeof v !== "string") p.add(`${path}[${i}]`, v, "must be a string");
  });
}

/**
 * CPU and memory, each alone, then together (only when each alone is well formed); returns the
 * CPU count when it could be read, for the kind's own checks.
 */
export function checkCpuAndMemory(p: Problems, props: Checked, gen: "gen1" | "gen2"): number | undefined {
  p.check("cpu", props.cpu, run.cpu);
  p.check("memory", props.memory, run.memory(gen));
  const cpu = props.cpu ?? WORKLOAD_DEFAULTS.cpu;
  const memory = props.memory ?? WORKLOAD_DEFAULTS.memory;
  if (Token.isUnresolved(cpu) || Token.isUnresolved(memory) || run.cpu(cpu) !== undefined) return undefined;
  const cpus = run.parseCpu(cpu) as number;
  const mi = run.parseMemoryMi(memory);
  if (mi !== undefined) {
    const combo = run.cpuMemoryCombination(cpus, mi);
    if (combo !== undefined) p.add("memory", memory, `${combo} (cpu is "${cpu}")`);
  }
  return cpus;
}

/** The runtime identity: an existing account (never a default one), or the id of the one created. */
export function checkIdentity(p: Problems, props: WorkloadProps): void {
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

/** Plain and secret environment variables: names valid, each from one place, secrets pinned. */
export function checkEnv(p: Problems, props: Pick<WorkloadProps, "env" | "secretEnv">): void {
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
export function checkGpu(p: Problems, props: Checked, kind: "service" | "job"): void {
  const gpu = props.gpu;
  if (gpu === undefined) return;
  p.check("gpu.type", gpu.type, run.gpuType);
  p.check("gpu.count", gpu.count, run.gpuCount);
  const spec = hasOwn(run.GPUS, gpu.type) ? run.GPUS[gpu.type as run.GpuType] : undefined;
  if (spec === undefined) return;
  const source = run.GPU_SOURCE[kind];
  const regions: readonly string[] = spec.regions[kind];
  if (!Token.isUnresolved(props.location) && !regions.includes(props.location)) {
    p.add(
      "location",
      props.location,
      `${gpu.type} GPUs for Cloud Run ${kind}s are offered in ${regions.join(", ")} only (${source}); choose one of them or drop gpu`,
    );
  }
  if ((props.executionEnvironment ?? "gen2") !== "gen2") {
    p.add("executionEnvironment", props.executionEnvironment, `a GPU needs "gen2" (${source})`);
  }
  const cpu = props.cpu ?? WORKLOAD_DEFAULTS.cpu;
  const n = cpus(cpu);
  if (n !== undefined && n < spec.minCpu) {
    p.add("cpu", cpu, `an ${gpu.type} GPU needs at least ${spec.minCpu} CPU beside it (${source})`);
  }
  const memory = props.memory ?? WORKLOAD_DEFAULTS.memory;
  const mi = Token.isUnresolved(memory) ? undefined : run.parseMemoryMi(memory);
  if (mi !== undefined && mi < spec.minMemoryGi * 1024) {
    p.add("memory", memory, `an ${gpu.type} GPU needs at least ${spec.minMemoryGi}Gi of memory beside it (${source})`);
  }
}

/** The kinds of volume, as `kind` names them ("gcs" may be left out). */
const VOLUME_KINDS = ["gcs", "secret", "emptyDir", "nfs", "cloudSql"] as const;

/**
 * Volumes, each of its kind, then together: names unique, mount paths absolute, not reserved and
 * not overlapping, Cloud Storage and NFS in gen2 only.
 */
export function checkVolumes(p: Problems, props: Checked): void {
  const volumes = props.volumes ?? [];
  if (!Array.isArray(volumes)) {
    p.add("volumes", volumes, "must be a list of volumes");
    return;
  }
  const gen = props.executionEnvironment ?? "gen2";
  const paths = new Map<string, number>();
  const names = new Map<string, number>();
  volumes.forEach((v: Volume, i) => {
    const at = `volumes[${i}]`;
    if (typeof v !== "object" || v === null) {
      p.add(at, v, "must be a volume");
      return;
    }
    if (v.kind !== undefined && !(VOLUME_KINDS as readonly string[]).includes(v.kind)) {
      p.add(`${at}.kind`, v.kind, `must be one of ${VOLUME_KINDS.map((k) => `"${k}"`).join(", ")} (none means "gcs")`);
      return;
    }
    if (!isCloudStorageVolume(v) && v.name === undefined) {
      p.add(`${at}.name`, undefined, `is required for a ${v.kind} volume`);
    }
    p.check(`${at}.name`, v.name, volumeName);
    const name = v.name ?? nameOfVolume(v, i);
    if (!isUnresolved(name)) {
      if (names.has(name))
        p.add(`${at}.name`, name, `is already the name of volumes[${names.get(name)}]; volume names must be unique`);
      names.set(name, i);
    }
    if (isCloudStorageVolume(v) && gen !== "gen2") {
      p.add(
        "executionEnvironment",
        props.executionEnvironment,
        `Cloud Storage volumes need "gen2" (${run.VOLUME_SOURCE})`,
      );
    }
    if (v.kind === "nfs" && props.vpcAccess === undefined) {
      p.add(
        "vpcAccess",
        undefined,
        `is required with an NFS volume (${at}): the server is reached through the VPC it runs in (${run.NFS_SOURCE})`,
      );
    }
    if (isCloudStorageVolume(v)) checkCloudStorageVolume(p, at, v);
    else if (v.kind === "secret") checkSecretVolume(p, at, v);
    else if (v.kind === "emptyDir") checkInMemoryVolume(p, at, v, props);
    else if (v.kind === "nfs") checkNfsVolume(p, at, v);
    else checkCloudSqlVolume(p, at, v);
    const mount = mountPathOf(v);
    const mountField =
      v.kind === "cloudSql" && v.mountPath === undefined ? `${at}.mountPath (default)` : `${at}.mountPath`;
    p.check(`${at}.mountPath`, mount, run.mountPath);
    if (typeof mount === "string" && !isUnresolved(mount)) {
      const clash = [...paths].find(([other]) => nested(other, mount));
      if (clash !== undefined) {
        p.add(mountField, mount, `overlaps volumes[${clash[1]}].mountPath (${clash[0]}); mount paths must be distinct`);
      }
      paths.set(mount, i);
    }
  });
}

/** A volume's name: a DNS label, as Cloud Run's volume names are. */
const volumeName = pattern(
  /^[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?$/,
  "must be 1-63 lowercase letters, digits and hyphens, starting and ending with a letter or digit",
);

function checkCloudStorageVolume(p: Problems, at: string, v: CloudStorageVolume): void {
  if (typeof v.bucket === "string") p.check(`${at}.bucket`, v.bucket, bucketName);
  else if (!(v.bucket instanceof ModelBucket))
    p.add(`${at}.bucket`, v.bucket, "must be a ModelBucket or a bucket name");
  checkBoolean(p, `${at}.readOnly`, v.readOnly);
}

function checkSecretVolume(p: Problems, at: string, v: SecretVolume): void {
  p.check(`${at}.secret`, v.secret, secretName);
  p.check(`${at}.defaultMode`, v.defaultMode, run.fileMode);
  if (v.files !== undefined) {
    if (v.version !== undefined)
      p.add(`${at}.version`, v.version, "must not be set together with files: give one or the other");
    if (v.fileName !== undefined)
      p.add(`${at}.fileName`, v.fileName, "must not be set together with files, which name their own paths");
    if (!Array.isArray(v.files) || v.files.length === 0) {
      p.add(`${at}.files`, v.files, "must list at least one file");
      return;
    }
    const seen = new Map<string, number>();
    v.files.forEach((f, j) => {
      const fat = `${at}.files[${j}]`;
      p.check(`${fat}.path`, f.path, run.secretFilePath);
      p.check(`${fat}.version`, f.version, secretVersion);
      p.check(`${fat}.mode`, f.mode, run.itemFileMode);
      if (typeof f.path === "string" && !isUnresolved(f.path)) {
        const clash = [...seen].find(([other]) => nested(`/${other}`, `/${f.path}`));
        if (clash !== undefined) {
          p.add(
            `${fat}.path`,
            f.path,
            `overlaps ${at}.files[${clash[1]}].path (${clash[0]}); file paths must be distinct (${run.SECRET_SOURCE})`,
          );
        }
        seen.set(f.path, j);
      }
    });
    return;
  }
  if (v.version === undefined) {
    p.add(`${at}.version`, undefined, 'is required (or files): the version to mount, pinned such as "3"');
    return;
  }
  p.check(`${at}.version`, v.version, secretVersion);
  p.check(`${at}.fileName`, v.fileName, run.secretFilePath);
}

function checkInMemoryVolume(p: Problems, at: string, v: InMemoryVolume, props: Checked): void {
  const memory = memoryLimitsOf(props);
  p.check(`${at}.sizeLimit`, v.sizeLimit, run.sizeLimit);
  if (v.sizeLimit === undefined || isUnresolved(v.sizeLimit) || memory === undefined) return;
  const size = run.parseMemoryMi(v.sizeLimit);
  if (size !== undefined && size > memory.mi) {
    p.add(
      `${at}.sizeLimit`,
      v.sizeLimit,
      `must not exceed the memory the containers have (${memory.limits.length === 1 ? `memory is "${memory.limits[0]}"` : `their limits, ${memory.limits.join(" + ")}, total ${memory.mi}Mi`}): an in-memory volume's contents count against it (${run.IN_MEMORY_SOURCE})`,
    );
  }
}

function checkNfsVolume(p: Problems, at: string, v: NfsVolume): void {
  p.check(`${at}.server`, v.server, run.nfsServer);
  p.check(`${at}.path`, v.path, run.nfsPath);
  checkBoolean(p, `${at}.readOnly`, v.readOnly);
}

function checkCloudSqlVolume(p: Problems, at: string, v: CloudSqlVolume): void {
  if (!Array.isArray(v.instances) || v.instances.length === 0) {
    p.add(`${at}.instances`, v.instances, "must list at least one instance connection name (PROJECT:REGION:INSTANCE)");
    return;
  }
  const seen = new Map<string, number>();
  v.instances.forEach((name, j) => {
    p.check(`${at}.instances[${j}]`, name, run.cloudSqlInstance);
    if (seen.has(name)) p.add(`${at}.instances[${j}]`, name, `is already instances[${seen.get(name)}]`);
    seen.set(name, j);
  });
}

/** A boolean prop, when given. */
function checkBoolean(p: Problems, path: string, value: unknown): void {
  if (value !== undefined && typeof value !== "boolean") p.add(path, value, "must be true or false");
}

/** Binary Authorization: the default policy or a named one, and a breakglass with its reason. */
export function checkBinaryAuthorization(p: Problems, props: Pick<WorkloadProps, "binaryAuthorization">): void {
  const b = props.binaryAuthorization;
  if (b === undefined) return;
  if (typeof b !== "object" || b === null) {
    p.add("binaryAuthorization", b, 'must be { policy: "default" } or { policy: NAME }');
    return;
  }
  if (b.policy !== "default") p.check("binaryAuthorization.policy", b.policy, run.binaryAuthorizationPolicy);
  if (b.breakglass !== undefined) {
    const j = (b.breakglass as { justification?: unknown }).justification;
    if (j === undefined) {
      p.add("binaryAuthorization.breakglass.justification", undefined, "is required: a breakglass deploy must say why");
    } else p.check("binaryAuthorization.breakglass.justification", j as string, reasonText);
  }
}

/** True when one path is the other or inside it. */
function nested(a: string, b: string): boolean {
  const [x, y] = [a.replace(/\/+$/, ""), b.replace(/\/+$/, "")];
  return x === y || x.startsWith(`${y}/`) || y.startsWith(`${x}/`);
}

/** VPC access: direct egress or a connector, never both; names and egress valid. */
export function checkVpcAccess(p: Problems, props: Pick<WorkloadProps, "vpcAccess" | "location">): void {
  const v = props.vpcAccess as (Partial<DirectVpcAccess> & Partial<ConnectorVpcAccess>) | undefined;
  if (v === undefined) return;
  const direct = v.network !== undefined || v.subnetwork !== undefined || v.tags !== undefined;
  if (direct && v.connector !== undefined) {
    p.add(
      "vpcAccess.connector",
      v.connector,
      "must not be set together with network and subnetwork: direct VPC egress and a connector cannot be combined",
    );
  }
  if (!direct && v.connector === undefined)
    p.add("vpcAccess", v, "must have network and subnetwork (direct egress) or connector");
  if (direct) {
    if (v.network === undefined) p.add("vpcAccess.network", undefined, "is required with subnetwork");
    if (v.subnetwork === undefined) p.add("vpcAccess.subnetwork", undefined, "is required with network");
    p.check("vpcAccess.network", v.network, run.networkName);
    p.check("vpcAccess.subnetwork", v.subnetwork, run.subnetworkName);
    (v.tags ?? []).forEach((t, i) => p.check(`vpcAccess.tags[${i}]`, t, run.networkTag));
  }
  p.check("vpcAccess.connector", v.connector, run.connectorName);
  p.check("vpcAccess.egress", v.egress, run.vpcEgress);
  // A subnet or connector named by its full path is in a region: the workload's, or egress fails.
  for (const [field, re] of [
    ["subnetwork", /\/regions\/([^/]+)\//],
    ["connector", /\/locations\/([^/]+)\//],
  ] as const) {
    const value = v[field];
    const region = typeof value === "string" && !isUnresolved(value) ? re.exec(value)?.[1] : undefined;
    if (region !== undefined && !isUnresolved(props.location) && region !== props.location) {
      p.add(
        `vpcAccess.${field}`,
        value,
        `is in ${region}; the workload runs in ${props.location}, and egress goes through its own region's ${field === "connector" ? "connectors" : "subnets"}`,
      );
    }
  }
}
