import type { ArtifactRepositoryProps } from "../../constructs/artifact-repository";
import type { CloudRunJobProps } from "../../constructs/cloud-run-job";
import type { CloudRunServiceProps } from "../../constructs/cloud-run-service";
import type { CloudRunWorkerPoolProps } from "../../constructs/cloud-run-worker-pool";
import { own } from "../../gcp/validation";
import type { ModelBucket, ModelBucketProps } from "../../constructs/model-bucket";
import type { Probe, Volume, WorkloadProps } from "../../constructs/workload";
import { repositoryUrlOf } from "../../gcp/artifact-registry";
import type { BucketVolumeConfig, EnvironmentConfig, ModelConfig, VolumeConfig } from "./types";

/** The variable that holds a service's model path when its configuration names none. */
export const DEFAULT_MODEL_VARIABLE = "MODEL_PATH";

/** The environment variable that tells a service which model version to load. */
export function modelVariable(model: ModelConfig): string {
  return model.variable ?? DEFAULT_MODEL_VARIABLE;
}

/**
 * Whether a service or job is monitored: its own `monitoring.enabled`, else the environment's,
 * else on past the development stage.
 */
export function monitored(config: EnvironmentConfig, own: { readonly enabled?: boolean } | undefined): boolean {
  return own?.enabled ?? config.monitoring?.enabled ?? config.stage !== "development";
}

/** Whether anything of the environment is monitored: then it has notification channels. */
export function anythingMonitored(config: EnvironmentConfig): boolean {
  return (
    Object.values(config.services).some((s) => monitored(config, s.monitoring)) ||
    Object.values(config.jobs ?? {}).some((j) => monitored(config, j.monitoring))
  );
}

/**
 * What a volume's bucket key stands for: the stack's ModelBucket, or (for checks, where no
 * construct exists) the bucket's name.
 */
export type BucketResolver = (key: string) => ModelBucket | string;

/** The bucket names of the environment's buckets: the resolver checks use. */
export const bucketNames =
  (config: EnvironmentConfig): BucketResolver =>
  (key) =>
    config.buckets?.[key] === undefined ? key : bucketProps(config, key).name;

/** The props of one of the environment's buckets. */
export function bucketProps(config: EnvironmentConfig, key: string): ModelBucketProps {
  const { name, location, ...rest } = config.buckets![key];
  return {
    ...rest,
    name: name ?? `${config.project}-${key}`,
    project: config.project,
    location: location ?? config.region,
    preventDestroy: config.deletionProtection ?? true,
  };
}

/** A configuration's volumes as the constructs take them: a bucket volume's key resolved. */
function volumesOf(volumes: readonly VolumeConfig[] | undefined, resolve: BucketResolver): Volume[] | undefined {
  return volumes?.map((v) => (isBucketVolume(v) ? { ...v, bucket: resolve(v.bucket) } : v));
}

/** A configuration's volume of a bucket of the environment: no kind, or "gcs". */
export function isBucketVolume(v: VolumeConfig): v is BucketVolumeConfig {
  return v.kind === undefined || v.kind === "gcs";
}

/** How an environment's configuration becomes construct props. */

/** The props of the environment's repository, as {@link EnvironmentStack} creates it. */
export function repositoryProps(config: EnvironmentConfig): ArtifactRepositoryProps {
  const { location, ...rest } = config.repository;
  return {
    ...rest,
    project: config.project,
    location: location ?? config.region,
    preventDestroy: config.deletionProtection ?? true,
  };
}

/**
 * The props of one service, as {@link EnvironmentStack} creates it, but for the image and the
 * traffic: those come from the environment's release file.
 */
export function serviceProps(
  config: EnvironmentConfig,
  id: string,
  resolve: BucketResolver = bucketNames(config),
): Omit<CloudRunServiceProps, "image"> {
  const {
    image: _image,
    build: _build,
    name,
    deletionProtection,
    volumes,
    model,
    startupProbe,
    livenessProbe,
    vpcAccess,
    sidecars,
    rollout: _rollout,
    events: _events,
    ...rest
  } = config.services[id];
  // The model's bucket is mounted read-only; which version the server loads is release state.
  const mounts = [
    ...(volumes ?? []),
    ...(model ? [{ bucket: model.bucket, mountPath: model.mountPath, readOnly: true }] : []),
  ];
  return {
    ...rest,
    // A probe in configuration may name any kind: the construct checks it has exactly one.
    startupProbe: startupProbe as Probe | undefined,
    livenessProbe: livenessProbe as Probe | undefined,
    vpcAccess: vpcAccess as WorkloadProps["vpcAccess"],
    sidecars: sidecars as CloudRunServiceProps["sidecars"],
    volumes: mounts.length > 0 ? volumesOf(mounts, resolve) : undefined,
    name: name ?? id,
    project: config.project,
    location: config.region,
    deletionProtection: deletionProtection ?? config.deletionProtection ?? true,
  };
}

/** The URL of the environment's repository, as the stack creates it. */
export function repositoryUrl(config: EnvironmentConfig): string {
  const repo = repositoryProps(config);
  return repositoryUrlOf(repo.location, "docker", config.project, repo.repositoryId);
}

/**
 * The props of one job, as {@link EnvironmentStack} creates it, but for the image (release state)
 * and the accounts (the bootstrap stack's).
 */
export function jobProps(
  config: EnvironmentConfig,
  id: string,
  resolve: BucketResolver = bucketNames(config),
): Omit<CloudRunJobProps, "image"> {
  const {
    image: _image,
    build: _build,
    name,
    deletionProtection,
    volumes,
    startupProbe,
    vpcAccess,
    executionEnvironment,
    ...rest
  } = config.jobs![id];
  return {
    ...rest,
    // Jobs run in gen2 only: the construct refuses anything else, with the reason.
    executionEnvironment: executionEnvironment as CloudRunJobProps["executionEnvironment"],
    startupProbe: startupProbe as Probe | undefined,
    vpcAccess: vpcAccess as WorkloadProps["vpcAccess"],
    volumes: volumesOf(volumes, resolve),
    name: name ?? id,
    project: config.project,
    location: config.region,
    deletionProtection: deletionProtection ?? config.deletionProtection ?? true,
  };
}

/**
 * The props of one worker pool, as {@link EnvironmentStack} creates it, but for the image (release
 * state) and the account (the bootstrap stack's).
 */
export function workerPoolProps(
  config: EnvironmentConfig,
  id: string,
  resolve: BucketResolver = bucketNames(config),
): Omit<CloudRunWorkerPoolProps, "image"> {
  const { image: _image, build: _build, name, deletionProtection, volumes, ...rest } = config.workerPools![id];
  return {
    ...rest,
    volumes: volumesOf(volumes, resolve),
    name: name ?? id,
    project: config.project,
    location: config.region,
    deletionProtection: deletionProtection ?? config.deletionProtection ?? true,
  };
}

/** The kinds of workload an environment's release file names beside its services. */
export type TrafficlessKind = "job" | "worker pool";

/**
 * A job or worker pool of the environment by key, with its kind: the workloads that take no
 * traffic (no canary, no split), released by digest alone. Undefined for a service or nothing.
 */
export function trafficless(
  config: EnvironmentConfig,
  key: string,
): { kind: TrafficlessKind; image: string } | undefined {
  const job = own(config.jobs, key);
  if (job !== undefined) return { kind: "job", image: job.image };
  const pool = own(config.workerPools, key);
  return pool === undefined ? undefined : { kind: "worker pool", image: pool.image };
}
