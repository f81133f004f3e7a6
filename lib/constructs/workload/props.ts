import type { GpuType, VPC_EGRESS } from "../../gcp/run";
import type { CommonProps } from "../common";
import type { ModelBucket } from "../model-bucket";

/*
 * What a Cloud Run service and a Cloud Run job share, declared and documented once: the container
 * (image, command, environment, resources, GPU, volumes, startup probe), the network (VPC egress),
 * encryption, identity, labels and deletion protection. CloudRunServiceProps and CloudRunJobProps
 * extend WorkloadProps and add only what is their own. Every default is written to the
 * synthesized JSON explicitly, so a stack's snapshot shows what runs.
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

/** A GPU attached to each instance (service) or task (job). */
export interface Gpu {
  /** The GPU type, as Cloud Run's accelerator value: `"nvidia-l4"`. */
  readonly type: GpuType;
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

/** What goes through the VPC: every request, or only those to private addresses. */
export type VpcEgress = keyof typeof VPC_EGRESS;

/** Direct VPC egress: the instances (or tasks) get addresses in a subnet. */
export interface DirectVpcAccess {
  /** The VPC network: a name, or `projects/P/global/networks/N`. */
  readonly network: string;
  /** The subnet, in the workload's region: a name, or `projects/P/regions/R/subnetworks/S`. */
  readonly subnetwork: string;
  /**
   * Network tags on the instances, for firewall rules.
   * @default - none
   */
  readonly tags?: readonly string[];
  /**
   * What goes through the VPC: every request (`"all-traffic"`) or only private addresses.
   * @default "private-ranges-only"
   */
  readonly egress?: VpcEgress;
}

/** Egress through a Serverless VPC Access connector. */
export interface ConnectorVpcAccess {
  /** The connector: a name, or `projects/P/locations/L/connectors/C`. */
  readonly connector: string;
  /**
   * What goes through the VPC.
   * @default "private-ranges-only"
   */
  readonly egress?: VpcEgress;
}

/** The props every Cloud Run workload takes: a {@link CloudRunService} and a {@link CloudRunJob}. */
export interface WorkloadProps extends CommonProps {
  /**
   * The service or job name: 1-49 lowercase letters, digits and hyphens, starting with a letter.
   * Changing it replaces the service or job.
   * @see https://cloud.google.com/run/docs/reference/rest/v2/projects.locations.services
   */
  readonly name: string;

  /** The region, such as `europe-west1`. */
  readonly location: string;

  /**
   * The container image. Prefer a digest (`…@sha256:…`): a tag can be moved to other content.
   * See {@link ArtifactRepository.imageUri}.
   */
  readonly image: string;

  /**
   * Refuse an image that is not pinned by digest. Production environments set this.
   * @default false
   */
  readonly requireImageDigest?: boolean;

  /**
   * The entrypoint, replacing the image's (model servers and trainers are started with flags).
   * @default - the image's ENTRYPOINT
   */
  readonly command?: readonly string[];

  /**
   * Arguments to the entrypoint. A job's execution may override them (`gcloud run jobs execute
   * --args`) only with `run.jobs.runWithOverrides`, which {@link CloudRunJob.grantRunner} grants
   * only when asked.
   * @default - the image's CMD
   */
  readonly args?: readonly string[];

  /**
   * Plain environment variables. Never put secrets here: use `secretEnv`.
   * @default - none
   */
  readonly env?: Readonly<Record<string, string>>;

  /**
   * Environment variables read from Secret Manager, each with a pinned version. The runtime
   * account is granted `roles/secretmanager.secretAccessor` on each secret (see
   * `grantSecretAccess`).
   * @default - none
   */
  readonly secretEnv?: Readonly<Record<string, SecretEnvVar>>;

  /**
   * Grant the runtime account `roles/secretmanager.secretAccessor` on each secret of
   * `secretEnv`. Turn it off when those grants are made elsewhere, such as with the account
   * itself in a bootstrap stack owned by someone else (managing a secret's IAM policy takes a
   * role that can also read every secret of the project).
   * @default true
   */
  readonly grantSecretAccess?: boolean;

  /**
   * CPU limit per instance or task: "1", "2", "4", "6", "8", or a fraction from "0.08" to "1".
   * Below 1 CPU, a service needs concurrency 1, `cpuIdle` true and the gen1 execution environment.
   * @see https://cloud.google.com/run/docs/configuring/services/cpu
   * @default "1"
   */
  readonly cpu?: string;

  /**
   * Memory limit per instance or task, such as "512Mi" or "32Gi"; checked against `cpu`.
   * @see https://cloud.google.com/run/docs/configuring/services/memory-limits
   * @default "512Mi"
   */
  readonly memory?: string;

  /**
   * A GPU on each instance or task. Cloud Run then needs the second generation execution
   * environment, at least 4 CPU and 16Gi of memory for an L4, and a region that offers it; a
   * service also needs `cpuIdle: false` (CPU always allocated), and a job's task attempt may run
   * at most one hour. Each is checked here.
   * @see https://cloud.google.com/run/docs/configuring/services/gpu
   * @see https://cloud.google.com/run/docs/configuring/jobs/gpu
   * @default - no GPU
   */
  readonly gpu?: Gpu;

  /**
   * Cloud Storage buckets mounted into the container, such as a {@link ModelBucket} at `/models`
   * (read-only by default; a job that writes models mounts it with `readOnly: false`). The
   * runtime account is granted read, or read and write, on each mounted ModelBucket.
   * @see https://cloud.google.com/run/docs/configuring/services/cloud-storage-volume-mounts
   * @default - none
   */
  readonly volumes?: readonly CloudStorageVolume[];

  /**
   * A startup probe (HTTP, gRPC or TCP); until it passes, a service's instance gets no request.
   * A model server that loads its weights at start needs `periodSeconds × failureThreshold` to
   * cover the load; Cloud Run allows at most 240 s for a service and 600 s for a job (1800 s with
   * a GPU), and a longer window is refused here.
   * @default - a service: Cloud Run's default TCP startup check on the container port; a job: none
   */
  readonly startupProbe?: Probe;

  /**
   * The port the container listens on: a service's requests and probes go there (Cloud Run sets
   * `PORT` to it); a job's startup probe calls it.
   * @default 8080
   */
  readonly containerPort?: number;

  /**
   * Labels on the service or job.
   * @default - none
   */
  readonly labels?: Readonly<Record<string, string>>;

  /**
   * Make `terraform destroy` (and a replacing plan) fail for this service or job. Always
   * written, so a stack's snapshot shows it.
   * @default true
   */
  readonly deletionProtection?: boolean;

  /**
   * An existing service account to run as, instead of the one this construct creates. Never the
   * default compute or App Engine account.
   * @default - a dedicated account is created (`NAME-run` for a service, `NAME-job` for a job),
   *   with log and metric writing only
   */
  readonly serviceAccountEmail?: string;

  /**
   * The account id of the runtime service account this construct creates.
   * @default - derived from `name` (see {@link runtimeServiceAccountId} and {@link jobServiceAccountId})
   */
  readonly serviceAccountId?: string;

  /**
   * Egress into a VPC: direct (`network`, `subnetwork`) or through a connector, never both.
   * @default - none: the internet only
   */
  readonly vpcAccess?: DirectVpcAccess | ConnectorVpcAccess;

  /**
   * A customer-managed key (`projects/P/locations/L/keyRings/R/cryptoKeys/K`) that encrypts the
   * image and data of every revision or execution. The project's Cloud Run service agent is
   * granted `roles/cloudkms.cryptoKeyEncrypterDecrypter` on the key, and the workload waits for it.
   * @default - Google-managed encryption
   */
  readonly encryptionKey?: string;

  /**
   * Grant the Cloud Run service agent the use of `encryptionKey`. Turn it off when the grant is
   * made elsewhere (a bootstrap stack owned by someone who may set the key's IAM policy).
   * @default true
   */
  readonly grantKeyAccess?: boolean;

  /**
   * The project's number, which names its service agents (for `encryptionKey`).
   * @default - read with a `google_project` data source
   */
  readonly projectNumber?: string;
}

/** What services and jobs share of their defaults, in one place. */
export const WORKLOAD_DEFAULTS = {
  cpu: "1",
  memory: "512Mi",
  containerPort: 8080,
  executionEnvironment: "gen2" as const,
  deletionProtection: true,
  vpcEgress: "private-ranges-only" as VpcEgress,
};

/** The probe defaults, Cloud Run's own, written explicitly. */
export const PROBE_DEFAULTS = { initialDelaySeconds: 0, periodSeconds: 10, timeoutSeconds: 1, failureThreshold: 3 };

/** The kinds of workload, as messages and account names tell them apart. */
export type WorkloadKind = "service" | "job";
