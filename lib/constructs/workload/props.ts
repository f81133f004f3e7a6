import type { GpuType, VPC_EGRESS } from "../../gcp/run";
import type { CommonProps } from "../common";
import type { ModelBucket } from "../model-bucket";

/*
 * What Cloud Run services, jobs and worker pools share, declared and documented once: the container
 * (image, command, environment, resources, GPU, volumes, startup probe), the network (VPC egress),
 * encryption, Binary Authorization, identity, labels and deletion protection. The props of each
 * kind extend WorkloadProps and add only what is their own. Every default is written to the
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
   * The kind of volume. A volume without a kind is a Cloud Storage one, as before kinds existed.
   * @default "gcs"
   */
  readonly kind?: "gcs";
  /**
   * The volume's name, unique among the workload's volumes.
   * @default - `gcs-N`, N being its place in `volumes` (so its name moves with its place)
   */
  readonly name?: string;
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

/** One file of a {@link SecretVolume}: a pinned version of the secret, at a path of its own. */
export interface SecretVolumeFile {
  /** The file's path under the mount path: relative, such as `key` or `tls/key.pem`. */
  readonly path: string;
  /** A pinned version number such as `"3"`; `latest` is refused. */
  readonly version: string;
  /**
   * The file's mode bits, 0 to 0o777.
   * @default - the volume's `defaultMode`
   */
  readonly mode?: number;
}

/**
 * A Secret Manager secret mounted as files, each a pinned version. The runtime account is granted
 * `roles/secretmanager.secretAccessor` on this secret only, as for `secretEnv`.
 * @see https://cloud.google.com/run/docs/configuring/services/secrets
 */
export interface SecretVolume {
  readonly kind: "secret";
  /** The volume's name, unique among the workload's volumes: a DNS label. */
  readonly name: string;
  /** The directory the files appear in: an absolute path such as `/secrets`. */
  readonly mountPath: string;
  /**
   * The secret: its id in the workload's project, or `projects/PROJECT/secrets/ID`. Name one secret
   * one way in a workload (here and in `secretEnv`): with `project` given the two ways are told to
   * be one secret, with one grant; without it they cannot be, and two grants would hold one binding.
   */
  readonly secret: string;
  /**
   * The one version to mount, pinned (`"3"`), as the file `fileName`. Give `version` or `files`.
   * @default - none: `files` says which versions
   */
  readonly version?: string;
  /**
   * The name of the file holding `version`.
   * @default - the secret's id
   */
  readonly fileName?: string;
  /**
   * Several files, each a pinned version at its own path (paths unique), instead of `version`.
   * @default - one file, `fileName`, of `version`
   */
  readonly files?: readonly SecretVolumeFile[];
  /**
   * The mode bits of the files, 0 to 0o777. Cloud Run's own default, written explicitly: readable
   * by every user of the container (it may not run as the files' owner), writable by none.
   * @default 0o444
   */
  readonly defaultMode?: number;
}

/**
 * An in-memory directory (`emptyDir`, medium `MEMORY`): scratch space for a model's unpacked
 * weights, say. What it holds counts against the memory of the container that wrote it, so its
 * size may not exceed the containers' memory limits together.
 * @see https://cloud.google.com/run/docs/configuring/services/in-memory-volume-mounts
 */
export interface InMemoryVolume {
  readonly kind: "emptyDir";
  /** The volume's name, unique among the workload's volumes: a DNS label. */
  readonly name: string;
  /** Where it appears in the container: an absolute path such as `/scratch`. */
  readonly mountPath: string;
  /**
   * The most it may hold, such as `"1Gi"` or `"512Mi"`: at most the containers' memory limits
   * together, which it uses. Always written.
   * @default - half the containers' memory limits together (Cloud Run's own default)
   */
  readonly sizeLimit?: string;
}

/**
 * An NFS share (Filestore, say) mounted into the container. The workload needs VPC egress to
 * reach the server (`vpcAccess`). Cloud Run mounts it without locking; writing needs a container
 * running as root.
 * @see https://cloud.google.com/run/docs/configuring/services/nfs-volume-mounts
 */
export interface NfsVolume {
  readonly kind: "nfs";
  /** The volume's name, unique among the workload's volumes: a DNS label. */
  readonly name: string;
  /** Where the share appears in the container: an absolute path such as `/shared`. */
  readonly mountPath: string;
  /** The NFS server: an IP address or host name, such as Filestore's `10.0.0.2`. */
  readonly server: string;
  /** The exported path on the server: absolute, such as `/share1`. */
  readonly path: string;
  /**
   * Mount read-only.
   * @default true
   */
  readonly readOnly?: boolean;
}

/**
 * Cloud SQL instances, reached through Unix sockets under `mountPath` (the Cloud SQL Auth Proxy
 * that Cloud Run runs): `/cloudsql/PROJECT:REGION:INSTANCE`. The runtime account is granted
 * `roles/cloudsql.client` on the workload's project: Cloud SQL offers that role on a project only,
 * not on one instance, so the account may connect to every instance of the project it can log in to.
 * @see https://cloud.google.com/sql/docs/postgres/connect-run
 */
export interface CloudSqlVolume {
  readonly kind: "cloudSql";
  /** The volume's name, unique among the workload's volumes: a DNS label. */
  readonly name: string;
  /** The instances' connection names: `PROJECT:REGION:INSTANCE`. */
  readonly instances: readonly string[];
  /**
   * Where the sockets appear.
   * @default "/cloudsql"
   */
  readonly mountPath?: string;
}

/** A volume of one kind, told apart by `kind`: Cloud Storage when it has none. */
export type Volume = CloudStorageVolume | SecretVolume | InMemoryVolume | NfsVolume | CloudSqlVolume;

/**
 * Binary Authorization: Cloud Run deploys only images the policy allows.
 * @see https://cloud.google.com/binary-authorization/docs/run/enabling-binauthz-cloud-run
 */
export interface BinaryAuthorization {
  /**
   * `"default"`, the project's policy, or a named Cloud Run platform policy:
   * `projects/PROJECT/platforms/cloudrun/policies/NAME`.
   */
  readonly policy: string;
  /**
   * Deploy even what the policy refuses, with the reason written down. Cloud Run records it in the
   * audit log, and the policy pack reports it (RUN-013: refused in production unless acknowledged).
   * @default - no breakglass
   */
  readonly breakglass?: { readonly justification: string };
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

/**
 * The props every Cloud Run workload takes: a {@link CloudRunService}, a {@link CloudRunJob} and a
 * {@link CloudRunWorkerPool}.
 */
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
   * Volumes mounted into the main container, each of a `kind`: Cloud Storage buckets (no kind),
   * such as a {@link ModelBucket} at `/models` (read-only by default; a job that writes models
   * mounts it with `readOnly: false`), Secret Manager secrets as files (`"secret"`), in-memory
   * scratch space (`"emptyDir"`), NFS shares (`"nfs"`) and Cloud SQL sockets (`"cloudSql"`).
   * Mount paths must not overlap. The runtime account is granted read, or read and write, on each
   * mounted ModelBucket, access to each mounted secret, and `roles/cloudsql.client` for Cloud SQL.
   * @see https://cloud.google.com/run/docs/configuring/services/cloud-storage-volume-mounts
   * @default - none
   */
  readonly volumes?: readonly Volume[];

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
   * Binary Authorization: deploy only images the project's default policy, or a named one,
   * allows. Enable the Binary Authorization API (`binaryauthorization.googleapis.com`) first.
   * @default - none
   */
  readonly binaryAuthorization?: BinaryAuthorization;

  /**
   * Grant the runtime account `roles/cloudsql.client` on the project when a `cloudSql` volume is
   * mounted. Turn it off when the grant is made elsewhere (a bootstrap stack).
   * @default true
   */
  readonly grantCloudSqlAccess?: boolean;

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
  /** A sidecar's memory limit (services have sidecars; in-memory volumes count them). */
  sidecarMemory: "256Mi",
  containerPort: 8080,
  executionEnvironment: "gen2" as const,
  deletionProtection: true,
  vpcEgress: "private-ranges-only" as VpcEgress,
};

/** The probe defaults, Cloud Run's own, written explicitly. */
export const PROBE_DEFAULTS = { initialDelaySeconds: 0, periodSeconds: 10, timeoutSeconds: 1, failureThreshold: 3 };

/** The kinds of workload, as messages and account names tell them apart. */
export type WorkloadKind = "service" | "job" | "workerPool";
