import { VPC_EGRESS } from "../../gcp/run";
import { sortedRecord } from "../../gcp/terraform";
import { CloudStorageVolume, Gpu, HttpProbe, PROBE_DEFAULTS, Probe, WORKLOAD_DEFAULTS, WorkloadProps } from "./props";

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

/** The name of the n-th volume: `gcs-0`, `gcs-1`, … (stable while the list's order is). */
const volumeName = (i: number): string => `gcs-${i}`;

/** The bucket name of a volume. */
export function volumeBucket(v: CloudStorageVolume): string {
  return typeof v.bucket === "string" ? v.bucket : v.bucket.bucket.name;
}

/** The template's volumes and the container's mounts. */
export function volumesOf(props: Pick<WorkloadProps, "volumes">) {
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
