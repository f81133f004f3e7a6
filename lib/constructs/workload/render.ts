import { VPC_EGRESS, parseMemoryMi } from "../../gcp/run";
import { isUnresolved, sortedRecord } from "../../gcp/terraform";
import {
  CloudStorageVolume,
  Gpu,
  HttpProbe,
  PROBE_DEFAULTS,
  Probe,
  SecretVolume,
  SecretVolumeFile,
  Volume,
  WORKLOAD_DEFAULTS,
  WorkloadProps,
} from "./props";

/*
 * How what services and jobs share is written into their templates: every default explicit,
 * records sorted, so the synthesized JSON depends on the props only.
 */

/** Plain variables, then secret ones, each sorted by name. */
export function environment(props: Pick<WorkloadProps, "env" | "secretEnv">) {
  const plain = Object.entries(sortedRecord(props.env) ?? {}).map(([name, value]) => ({ name, value }));
  const secret = Object.entries(sortedRecord(props.secretEnv) ?? {}).map(([name, ref]) => ({
    name,
    valueSource: { secretKeyRef: { secret: ref.secret, version: ref.version } },
  }));
  const all = [...plain, ...secret];
  return all.length > 0 ? all : undefined;
}

/**
 * The main container's image, command, arguments and environment, as a job and a worker pool
 * write them. (A service writes its own, in its own order: its revision name is the hash of its
 * template as written, and a new order would rename every revision.)
 */
export function mainContainer(props: Pick<WorkloadProps, "image" | "command" | "args" | "env" | "secretEnv">) {
  return { image: props.image, command: listOf(props.command), args: listOf(props.args), env: environment(props) };
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

/** The path a workload's health checks call: its HTTP startup probe's, else its HTTP liveness probe's. */
export function httpPathOf(...probes: (Probe | undefined)[]): string | undefined {
  return probes.map((p) => (p !== undefined && "path" in p ? p.path : undefined)).find((p) => p !== undefined);
}

/** The name of the n-th volume when it has none (Cloud Storage ones): `gcs-0`, `gcs-1`, … */
const volumeName = (i: number): string => `gcs-${i}`;

/** Where a Cloud SQL volume's sockets appear when its mountPath does not say. */
export const CLOUD_SQL_MOUNT_PATH = "/cloudsql";

/** The bucket name of a volume. */
export function volumeBucket(v: CloudStorageVolume): string {
  return typeof v.bucket === "string" ? v.bucket : v.bucket.bucket.name;
}

/** A volume's name: its own, or `gcs-N` for a Cloud Storage volume without one. */
export function nameOfVolume(v: Volume, i: number): string {
  return v.name ?? volumeName(i);
}

/** Where a volume appears in the container. */
export function mountPathOf(v: Volume): string {
  return v.kind === "cloudSql" ? (v.mountPath ?? CLOUD_SQL_MOUNT_PATH) : v.mountPath;
}

/**
 * The memory limits of a workload's containers, as written (defaults included): the main
 * container's, then each sidecar's (a service's). Undefined when one is a token or malformed.
 */
export function memoryLimitsOf(props: Pick<WorkloadProps, "memory">): { mi: number; limits: string[] } | undefined {
  const sidecars = (props as { sidecars?: readonly { memory?: string }[] }).sidecars ?? [];
  const limits = [
    props.memory ?? WORKLOAD_DEFAULTS.memory,
    ...sidecars.map((s) => s.memory ?? WORKLOAD_DEFAULTS.sidecarMemory),
  ];
  if (limits.some((m) => typeof m !== "string" || isUnresolved(m))) return undefined;
  const mis = limits.map((m) => parseMemoryMi(m));
  if (mis.some((m) => m === undefined)) return undefined;
  return { mi: (mis as number[]).reduce((a, b) => a + b, 0), limits };
}

/**
 * An in-memory volume's size limit when it gives none: half the containers' memory limits
 * together, Cloud Run's own default, written explicitly (Cloud Run "Configure in-memory volume
 * mounts": "automatically set to half of the total size of all the containers").
 */
export function defaultSizeLimit(props: Pick<WorkloadProps, "memory">): string | undefined {
  const memory = memoryLimitsOf(props);
  return memory === undefined ? undefined : `${Math.floor(memory.mi / 2)}Mi`;
}

/** A Cloud Storage volume has no kind, or `"gcs"`. */
export function isCloudStorageVolume(v: Volume): v is CloudStorageVolume {
  return v.kind === undefined || v.kind === "gcs";
}

/** The files of a secret volume: its one `version`, or its `files`. */
export function secretFilesOf(v: SecretVolume): readonly SecretVolumeFile[] {
  return v.files ?? [{ path: v.fileName ?? secretIdOf(v.secret), version: v.version as string }];
}

/** A secret's id: the last part of `projects/P/secrets/ID`, or the id itself. */
export function secretIdOf(secret: string): string {
  return secret.slice(secret.lastIndexOf("/") + 1);
}

/** The default mode of a secret volume's files: readable by all, written by none (Cloud Run's own, 0444). */
export const SECRET_DEFAULT_MODE = 0o444;

/** The template's volumes and the main container's mounts, each kind written explicitly. */
export function volumesOf(props: Pick<WorkloadProps, "volumes" | "memory">) {
  const volumes = props.volumes ?? [];
  if (volumes.length === 0) return { volumes: undefined, volumeMounts: undefined };
  return {
    volumes: volumes.map((v, i) => {
      const name = nameOfVolume(v, i);
      switch (v.kind) {
        case "secret":
          return {
            name,
            secret: {
              secret: v.secret,
              defaultMode: v.defaultMode ?? SECRET_DEFAULT_MODE,
              items: secretFilesOf(v).map((f) => ({ path: f.path, version: f.version, mode: f.mode })),
            },
          };
        case "emptyDir":
          return { name, emptyDir: { medium: "MEMORY", sizeLimit: v.sizeLimit ?? defaultSizeLimit(props) } };
        case "nfs":
          return { name, nfs: { server: v.server, path: v.path, readOnly: v.readOnly ?? true } };
        case "cloudSql":
          return { name, cloudSqlInstance: { instances: [...v.instances] } };
        default:
          return { name, gcs: { bucket: volumeBucket(v), readOnly: v.readOnly ?? true } };
      }
    }),
    volumeMounts: volumes.map((v, i) => ({ name: nameOfVolume(v, i), mountPath: mountPathOf(v) })),
  };
}

/** Binary Authorization as the provider takes it: the default policy or a named one, and breakglass. */
export function binaryAuthorizationOf(props: Pick<WorkloadProps, "binaryAuthorization">) {
  const b = props.binaryAuthorization;
  if (b === undefined) return undefined;
  return {
    ...(b.policy === "default" ? { useDefault: true } : { policy: b.policy }),
    breakglassJustification: b.breakglass?.justification,
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

/** VPC egress: direct (a network interface) or through a connector, the egress written. */
export function vpcAccessOf(props: Pick<WorkloadProps, "vpcAccess">) {
  const v = props.vpcAccess;
  if (v === undefined) return undefined;
  const egress = VPC_EGRESS[v.egress ?? WORKLOAD_DEFAULTS.vpcEgress];
  if ("connector" in v) return { connector: v.connector, egress };
  return {
    networkInterfaces: [
      { network: v.network, subnetwork: v.subnetwork, tags: v.tags === undefined ? undefined : [...v.tags] },
    ],
    egress,
  };
}

/** A list prop as the provider takes it: a copy, or nothing. */
export function listOf<T>(values: readonly T[] | undefined): T[] | undefined {
  return values === undefined ? undefined : [...values];
}

/**
 * The APIs a workload needs enabled beyond those of the resources it creates: Binary Authorization
 * (`binaryauthorization.googleapis.com`) when it is checked, and the Cloud SQL Admin API
 * (`sqladmin.googleapis.com`, which the Cloud SQL connection Cloud Run runs calls) with a
 * `cloudSql` volume. Sorted.
 */
export function workloadApis(props: Pick<WorkloadProps, "binaryAuthorization" | "volumes">): string[] {
  return [
    ...(props.binaryAuthorization !== undefined ? ["binaryauthorization.googleapis.com"] : []),
    ...((props.volumes ?? []).some((v) => v.kind === "cloudSql") ? ["sqladmin.googleapis.com"] : []),
  ];
}
