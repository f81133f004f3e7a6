import type { ArtifactRepositoryProps } from "../../constructs/artifact-repository";
import type { CloudRunJobProps, JobSchedule } from "../../constructs/cloud-run-job";
import type { CloudRunServiceProps, Sidecar } from "../../constructs/cloud-run-service";
import type { CloudRunWorkerPoolProps } from "../../constructs/cloud-run-worker-pool";
import type { ModelBucketProps } from "../../constructs/model-bucket";
import type {
  CloudSqlVolume,
  InMemoryVolume,
  NfsVolume,
  ProbeTimings,
  SecretVolume,
  VpcEgress,
} from "../../constructs/workload";
import type { ExecutionEnvironment, StorageEventType } from "../../gcp/run";
import type { ServiceMonitoringProps } from "../../constructs/monitoring";
import type { Stage } from "../../policies/rule";

/*
 * The configuration of one environment, as environments/<env>.ts states it. The schema
 * (schema.ts) checks the shape; checks.ts checks every value against the constructs' own
 * constraints; props.ts turns it into construct props.
 */

/** How a service's image is built, for the build workflow. */
export interface BuildConfig {
  /** The build context, relative to the repository's root, such as `services/predict`. */
  readonly context: string;
  /**
   * The Dockerfile, relative to the context.
   * @default "Dockerfile"
   */
  readonly dockerfile?: string;
}

/**
 * The workload props the app sets itself, or states otherwise: the environment's project and
 * region, the name (the key by default), the image (a name in the repository; the digest is release
 * state), the identity and its grants (the bootstrap stack's), and volumes (buckets by key).
 */
type SetByTheApp =
  | "project"
  | "location"
  | "dependsOn"
  | "name"
  | "image"
  | "serviceAccountEmail"
  | "serviceAccountId"
  | "grantSecretAccess"
  | "grantKeyAccess"
  | "grantCloudSqlAccess"
  | "projectNumber"
  | "requireImageDigest"
  | "volumes";

/**
 * One service of an environment. The fields are those of {@link CloudRunServiceProps}, with the
 * same defaults; project and location come from the environment.
 */
export interface ServiceConfig extends Omit<
  CloudRunServiceProps,
  SetByTheApp | "startupProbe" | "livenessProbe" | "vpcAccess" | "sidecars" | "traffic"
> {
  /**
   * The Cloud Run service name.
   * @default - the service's key in `services`
   */
  readonly name?: string;
  /**
   * The image's name in the environment's repository, such as `predict-api`. Which version runs
   * is release state, not configuration: the digest (and a canary, and its traffic) comes from
   * `environments/releases/<env>.json`, written by `npm run release`.
   */
  readonly image: string;
  /**
   * How the image is built, for the build workflow.
   * @default - the build workflow does not build this service
   */
  readonly build?: BuildConfig;
  /**
   * Volumes mounted into the container: buckets of this environment's `buckets`, by key, and
   * secrets, in-memory directories, NFS shares and Cloud SQL sockets (see {@link VolumeConfig}).
   * @default - none
   */
  readonly volumes?: readonly VolumeConfig[];
  /**
   * The trained model the service serves: a bucket of `buckets`, mounted read-only at `mountPath`,
   * and the environment variable that tells the server which version to load. Which version is
   * release state, like the image's digest (`npm run release -- pin ENV SERVICE --model VERSION`);
   * the variable is `MOUNT_PATH/VERSION`. A service with no model version released yet gets no
   * variable and serves what its image holds.
   * @default - no model: the image holds everything
   */
  readonly model?: ModelConfig;
  /**
   * An HTTP (`path`), gRPC (`grpc`) or TCP (`tcp`) startup probe, as on CloudRunService.
   * @default - Cloud Run's default TCP check
   */
  readonly startupProbe?: ProbeConfig;
  /**
   * An HTTP or gRPC liveness probe.
   * @default - none
   */
  readonly livenessProbe?: ProbeConfig;
  /**
   * VPC egress: `network` and `subnetwork` (direct) or `connector`, never both; `egress`.
   * @default - none
   */
  readonly vpcAccess?: VpcAccessConfig;
  /**
   * Containers beside the main one, as on CloudRunService (images by full reference, pinned by
   * digest past development).
   * @default - none
   */
  readonly sidecars?: readonly SidecarConfig[];
  /**
   * Events routed to the service through Eventarc, by trigger id (1-14 lowercase letters, digits
   * and hyphens): objects of one of the environment's `buckets`, or messages of a Pub/Sub topic.
   * Each trigger calls the service as its own account (`SERVICE-ID-ev`), which the bootstrap stack
   * makes, with the receiver role and the Cloud Storage service agent's role; the environment's
   * stack makes the trigger and its invoker grant on this service.
   * @default - none
   */
  readonly events?: Readonly<Record<string, EventConfig>>;
  /**
   * This service's monitoring: the thresholds of {@link ServiceMonitoringProps}, and `enabled`.
   * @default - the environment's `monitoring.enabled`, with ServiceMonitoring's defaults
   */
  readonly monitoring?: ServiceMonitoringConfig;
  /**
   * How `npm run release -- analyze` judges this service's canaries: steps, the minimum time and
   * requests at each, the thresholds, and whether a breach rolls back (docs/canaries.md).
   * @default - the stage's defaults (ROLLOUT_DEFAULTS): on from preproduction, off in development
   */
  readonly rollout?: RolloutConfig;
}

/**
 * A service's rollout protocol. Every field has a default per stage (`ROLLOUT_DEFAULTS` in
 * lib/app/config/rollout.ts); the absolute thresholds default to the service's alert thresholds.
 */
export interface RolloutConfig {
  /**
   * Analyze this service's canaries (the canary workflow runs `analyze --apply` for them).
   * @default - true in preproduction and production, false in development
   */
  readonly enabled?: boolean;
  /**
   * The canary's share of requests at each step, in percent, strictly increasing within 1-99
   * (at most 10 steps); after the last step the canary completes (100%).
   * @default [10, 50] (development: [50])
   */
  readonly steps?: readonly number[];
  /**
   * The least time, in minutes, a step runs before it can advance (1-1440).
   * @default 30 in production, 10 in preproduction, 5 in development
   */
  readonly minutesPerStep?: number;
  /**
   * The least number of requests the canary serves at a step before the step is judged.
   * @default 100 in production, 50 in preproduction, 20 in development
   */
  readonly minRequestsPerStep?: number;
  /**
   * The highest share of the canary's requests that may fail with 5xx (0-1).
   * @default - the service's monitoring.errorRatio.threshold (0.02)
   */
  readonly maxErrorRatio?: number;
  /**
   * How much higher the canary's 5xx ratio may be than the stable revision's over the same
   * minutes, in points of ratio (0.01: one percentage point).
   * @default 0.01
   */
  readonly maxErrorRatioOverStable?: number;
  /**
   * The highest 99th-percentile latency of the canary, in milliseconds.
   * @default - the service's monitoring.latency.thresholdMs (1000)
   */
  readonly maxP99Ms?: number;
  /**
   * How many times the stable revision's 99th percentile the canary's may be (1-100).
   * @default 1.5
   */
  readonly maxP99OverStable?: number;
  /**
   * A breach rolls the canary back at once (`analyze --apply`); false: it holds, and a person
   * decides.
   * @default true
   */
  readonly autoRollback?: boolean;
}

/** A service's monitoring: ServiceMonitoring's options, and whether it has any. */
export interface ServiceMonitoringConfig extends Pick<
  ServiceMonitoringProps,
  "uptimeCheck" | "errorRatio" | "latency" | "instancesAtMax" | "slo"
> {
  /**
   * Monitor this service.
   * @default - the environment's `monitoring.enabled`
   */
  readonly enabled?: boolean;
}

/** An environment's monitoring: whether its services and jobs have it, and where alerts go. */
export interface MonitoringConfig {
  /**
   * Uptime checks, alerts and SLOs for every service, and a failure alert for every job.
   * @default - true in preproduction and production, false in development
   */
  readonly enabled?: boolean;
  /**
   * Email addresses alerts go to, one notification channel each.
   * @default - none
   */
  readonly emails?: readonly string[];
  /**
   * Channels that exist already (Slack, PagerDuty, …), by id: `projects/P/notificationChannels/ID`.
   * @default - none
   */
  readonly notificationChannels?: readonly string[];
}

/**
 * A probe in configuration: the fields of one kind (HTTP, gRPC or TCP); the construct checks that
 * exactly one kind is given.
 */
export interface ProbeConfig extends ProbeTimings {
  readonly path?: string;
  readonly port?: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly grpc?: { readonly service?: string; readonly port?: number };
  readonly tcp?: { readonly port?: number };
}

/** A sidecar in configuration: its probe may name any kind (the construct checks it). */
export interface SidecarConfig extends Omit<Sidecar, "startupProbe"> {
  readonly startupProbe?: ProbeConfig;
}

/** VPC egress in configuration; the construct checks that it is direct or a connector. */
export interface VpcAccessConfig {
  readonly network?: string;
  readonly subnetwork?: string;
  readonly tags?: readonly string[];
  readonly connector?: string;
  readonly egress?: VpcEgress;
}

/** A bucket of the environment mounted into a service's or job's container. */
export interface BucketVolumeConfig {
  /**
   * The kind of volume: a bucket when it has none.
   * @default "gcs"
   */
  readonly kind?: "gcs";
  /**
   * The volume's name.
   * @default - `gcs-N`, N being its place in `volumes`
   */
  readonly name?: string;
  /** The bucket's key in the environment's `buckets`. */
  readonly bucket: string;
  /** Where it appears in the container, such as `/models`. */
  readonly mountPath: string;
  /**
   * Mount read-only.
   * @default true
   */
  readonly readOnly?: boolean;
}

/**
 * A volume of a service's, job's or worker pool's container: a bucket of the environment (no
 * kind), or a Secret Manager secret as files, an in-memory directory, an NFS share or Cloud SQL
 * sockets, as the constructs take them ({@link SecretVolume}, {@link InMemoryVolume},
 * {@link NfsVolume}, {@link CloudSqlVolume}). The runtime account's grants for a secret and for
 * Cloud SQL are the bootstrap stack's.
 */
export type VolumeConfig = BucketVolumeConfig | SecretVolume | InMemoryVolume | NfsVolume | CloudSqlVolume;

/** An Eventarc trigger to a service, as the configuration states it. */
export interface EventConfig {
  /** A bucket's objects (`bucket`, a key of `buckets`, and `eventType`), or a topic's messages (`pubsubTopic`). */
  readonly source: { readonly bucket: string; readonly eventType: StorageEventType } | { readonly pubsubTopic: string };
  /**
   * The path each event is POSTed to.
   * @default "/"
   */
  readonly path?: string;
}

/** Where a service finds its model. */
export interface ModelConfig {
  /** The bucket's key in the environment's `buckets`. */
  readonly bucket: string;
  /** Where the bucket is mounted, read-only, such as `/models`. */
  readonly mountPath: string;
  /**
   * The environment variable that holds the model version's path in the container.
   * @default "MODEL_PATH" (DEFAULT_MODEL_VARIABLE)
   */
  readonly variable?: string;
}

/**
 * A Cloud Storage bucket of the environment, such as the one models are trained into. The
 * fields are those of {@link ModelBucketProps}; project and location come from the environment,
 * and `preventDestroy` follows its `deletionProtection`.
 */
export interface BucketConfig extends Omit<
  ModelBucketProps,
  "project" | "location" | "dependsOn" | "name" | "preventDestroy"
> {
  /**
   * The bucket name, globally unique.
   * @default - `PROJECT-KEY`, such as `acme-ml-dev-models`
   */
  readonly name?: string;
  /**
   * A region or multi-region.
   * @default - the environment's region
   */
  readonly location?: string;
}

/**
 * A Cloud Run job of the environment, such as the one that trains a model. The fields are those
 * of {@link CloudRunJobProps}, with the same defaults; its image's digest is release state, as a
 * service's is. Job and service keys share the release file, so they must differ.
 */
export interface JobConfig extends Omit<
  CloudRunJobProps,
  SetByTheApp | "schedule" | "startupProbe" | "vpcAccess" | "executionEnvironment"
> {
  /**
   * The Cloud Run job name.
   * @default - the job's key in `jobs`
   */
  readonly name?: string;
  /** The image's name in the environment's repository, such as `train`. */
  readonly image: string;
  /**
   * How the image is built, for the build workflow.
   * @default - the build workflow does not build this job
   */
  readonly build?: BuildConfig;
  /**
   * Volumes mounted into the container: buckets of this environment's `buckets`, by key, and
   * secrets, in-memory directories, NFS shares and Cloud SQL sockets (see {@link VolumeConfig}).
   * @default - none
   */
  readonly volumes?: readonly VolumeConfig[];
  /**
   * When Cloud Scheduler runs the job; the account it calls the job as is the bootstrap stack's.
   * @default - no schedule: the Train workflow (or anyone granted) runs it
   */
  readonly schedule?: Omit<JobSchedule, "serviceAccountEmail">;
  /**
   * A startup probe, as on a service.
   * @default - none
   */
  readonly startupProbe?: ProbeConfig;
  /**
   * VPC egress, as on a service: `network` and `subnetwork` (direct) or `connector`; `egress`.
   * @default - none
   */
  readonly vpcAccess?: VpcAccessConfig;
  /**
   * Jobs run in the second generation execution environment only: `"gen2"`, the default; `"gen1"`
   * is refused, with the reason.
   * @default "gen2"
   */
  readonly executionEnvironment?: ExecutionEnvironment;
  /**
   * An alert when an execution fails: `enabled` follows the environment's monitoring.
   * @default - the environment's `monitoring.enabled`
   */
  readonly monitoring?: { readonly enabled?: boolean };
}

/**
 * A Cloud Run worker pool of the environment: always-on consumers of a queue, with no URL. The
 * fields are those of {@link CloudRunWorkerPoolProps}, with the same defaults; its image's digest
 * is release state, as a service's and a job's are (`npm run release`), and its runtime account
 * (`NAME-pool`) is the bootstrap stack's. Its key shares the release file with the services' and
 * jobs', so it must differ from theirs.
 */
export interface WorkerPoolConfig extends Omit<CloudRunWorkerPoolProps, SetByTheApp> {
  /**
   * The worker pool's name.
   * @default - its key in `workerPools`
   */
  readonly name?: string;
  /** The image's name in the environment's repository, such as `consumer`. */
  readonly image: string;
  /**
   * How the image is built, for the build workflow.
   * @default - the build workflow does not build this worker pool
   */
  readonly build?: BuildConfig;
  /**
   * Volumes mounted into the container, as a service's (see {@link VolumeConfig}).
   * @default - none
   */
  readonly volumes?: readonly VolumeConfig[];
}

/**
 * The environment's Artifact Registry repository. The fields are those of
 * {@link ArtifactRepositoryProps}; `preventDestroy` follows the environment's `deletionProtection`.
 */
export interface RepositoryConfig extends Omit<
  ArtifactRepositoryProps,
  | "project"
  | "location"
  | "dependsOn"
  | "preventDestroy"
  | "format"
  | "remote"
  | "encryptionKey"
  | "grantKeyAccess"
  | "projectNumber"
> {
  /**
   * A region or multi-region.
   * @default - the environment's region
   */
  readonly location?: string;
}

/**
 * One environment: where it runs, its state, its repository and its services.
 *
 * Field paths in errors follow this shape: `services.predict.memory`.
 */
export interface EnvironmentConfig {
  /** The environment: `dev`, `staging`, `prod`. Also the stack id. 1-20 lowercase letters, digits, hyphens. */
  readonly name: string;
  /** The application, in labels and the state prefix (`<app>/<env>`). */
  readonly app: string;
  /**
   * Where the environment stands in the promotion order, the one word for how it is treated:
   *
   * - the deploy workflow applies every `development` environment first, then `preproduction`
   *   ones, then `production` ones;
   * - the policy pack applies the rules of this stage (docs/policy-rules.md);
   * - `preproduction` and `production` environments may not relax the guardrails: deletion
   *   protection, the repository's destroy protection and immutable tags, images pinned by
   *   digest, an explicit maximum on every service; `production` also needs at least one minimum
   *   instance (the one guardrail that only costs money).
   */
  readonly stage: Stage;
  /** The GCP project id. */
  readonly project: string;
  /** The region of every resource, such as `europe-west1`. */
  readonly region: string;
  /** The GCS bucket holding Terraform state; it must exist, with object versioning, before `init`. */
  readonly stateBucket: string;
  /**
   * Labels on every resource that takes labels (besides `environment`, `app` and `managed-by`).
   * @default - none
   */
  readonly labels?: Readonly<Record<string, string>>;
  /**
   * Deletion protection on every service and `prevent_destroy` on the repository. A service may
   * override it.
   * @default true
   */
  readonly deletionProtection?: boolean;
  readonly repository: RepositoryConfig;
  /** The GitHub repository whose Actions deploy this environment (its bootstrap stack trusts it). */
  readonly github: GitHubConfig;
  /** The services, by construct id; the id is also the service name unless `name` is set. */
  readonly services: Readonly<Record<string, ServiceConfig>>;
  /**
   * Cloud Storage buckets, such as the one models are trained into, by key.
   * @default - none
   */
  readonly buckets?: Readonly<Record<string, BucketConfig>>;
  /**
   * Cloud Run jobs, such as the one that trains a model, by key.
   * @default - none
   */
  readonly jobs?: Readonly<Record<string, JobConfig>>;
  /**
   * Cloud Run worker pools, always-on consumers with no URL, by key.
   * @default - none
   */
  readonly workerPools?: Readonly<Record<string, WorkerPoolConfig>>;
  /**
   * Monitoring and where its alerts go. A production environment with monitoring must name at
   * least one channel.
   * @default - on in preproduction and production, off in development; no channels
   */
  readonly monitoring?: MonitoringConfig;
  /**
   * Where this environment intentionally differs from the others, for the parity check
   * (`npm run parity`): attribute path as the parity matrix spells it
   * (`google_cloud_run_v2_service.predict_service.template.scaling.min_instance_count`) → the
   * reason, at least 10 letters. A path covers everything below it.
   * @default - none
   */
  readonly differences?: Readonly<Record<string, string>>;
  /**
   * Policy findings this environment accepts, each with its reason (at least 10 letters),
   * on the whole stack or on one service. Recorded in the synthesized stack's metadata; one
   * that accepts no finding fails synthesis.
   * @default - none
   */
  readonly acknowledgements?: readonly PolicyAcknowledgement[];
}

/**
 * The GitHub repository whose Actions workflows plan and deploy, by name and by numeric ids: the
 * workload identity provider admits only its tokens, by the ids, which survive a rename.
 * `gh api repos/OWNER/NAME --jq '.id, .owner.id'` prints both ids.
 */
export interface GitHubConfig {
  /** `OWNER/NAME`. */
  readonly repository: string;
  /** The repository's numeric id, as digits. */
  readonly repositoryId: string;
  /** The owner's (organization's or user's) numeric id, as digits. */
  readonly ownerId: string;
}

/** A policy finding an environment accepts. */
export interface PolicyAcknowledgement {
  /** The rule id, such as `RUN-009`. */
  readonly rule: string;
  /** Why the finding is accepted; at least 10 letters. */
  readonly reason: string;
  /**
   * The service (its key in `services`) the acknowledgement is limited to.
   * @default - the whole stack
   */
  readonly service?: string;
}
