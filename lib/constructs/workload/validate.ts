import { Token } from "cdktf";
import { notDefaultServiceAccount, serviceAccountEmail, serviceAccountId } from "../../gcp/iam";
import { imagePinnedByDigest, imageReference } from "../../gcp/images";
import { checkLabels, projectNumber, region } from "../../gcp/projects";
import { isUnresolved } from "../../gcp/terraform";
import * as run from "../../gcp/run";
import { secretName, secretVersion } from "../../gcp/secret-manager";
import { bucketName } from "../../gcp/storage";
import { Constraint, Problems, hasOwn, intRange } from "../../gcp/validation";
import { checkCommonProps } from "../common";
import { ModelBucket } from "../model-bucket";
import {
  ConnectorVpcAccess,
  DirectVpcAccess,
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
  p.check("name", props.name, kind === "service" ? run.serviceName : run.jobName);
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
  checkGpu(p, props, kind);
  checkVolumes(p, props);
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
export function checkGpu(p: Problems, props: Checked, kind: WorkloadKind): void {
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

/** Volumes: a valid bucket, an absolute mount path not reserved and not shared, gen2. */
export function checkVolumes(p: Problems, props: Checked): void {
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
