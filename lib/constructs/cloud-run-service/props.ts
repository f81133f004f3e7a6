import { INGRESS } from "../../gcp/run";
import { CommonProps } from "../common";
import { CloudStorageVolume, Gpu, Probe, SecretEnvVar } from "../workload";

export type { CloudStorageVolume, GrpcProbe, Gpu, HttpProbe, Probe, SecretEnvVar, TcpProbe } from "../workload";

/*
 * The props of CloudRunService and their defaults. Every default is written to the synthesized
 * JSON explicitly, so a stack's snapshot shows what runs.
 */

/**
 * One traffic target: a share of requests to one revision, by name (never "the latest ready
 * revision", which moves whenever anything deploys), and optionally a tag with its own URL.
 */
export interface TrafficTarget {
  /** Whole percent of requests, 0-100. All targets together must total 100. */
  readonly percent: number;
  /**
   * An existing revision of this service: one this construct named (`SERVICE-<8 hex>`, see
   * {@link CloudRunService.revisionName}) or one Cloud Run named (`SERVICE-00001-abc`).
   * @default - the revision of this template, {@link CloudRunService.revisionName}
   */
  readonly revision?: string;
  /**
   * A tag, which gives this target its own URL (`https://TAG---SERVICE-...run.app`), for testing a
   * canary before it takes traffic. At least 3 characters; with the service name at most 46.
   * @default - no tag
   */
  readonly tag?: string;
}

/** Where requests may come from. */
export type Ingress = keyof typeof INGRESS;

/** A container beside the main one: a metrics collector, a proxy, a model downloader. */
export interface Sidecar {
  /** Its name: a DNS label (lowercase letters, digits, hyphens), unique among the containers. */
  readonly name: string;
  /** Its image; pinned by digest where the service requires it. */
  readonly image: string;
  /**
   * Plain environment variables.
   * @default - none
   */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * CPU limit.
   * @default "0.5"
   */
  readonly cpu?: string;
  /**
   * Memory limit.
   * @default "256Mi"
   */
  readonly memory?: string;
  /**
   * A startup probe (it has no port of its own: give the probe's port).
   * @default - none
   */
  readonly startupProbe?: Probe;
  /**
   * Containers that must have started before this one (by name).
   * @default - none
   */
  readonly startAfter?: readonly string[];
}

/** Direct VPC egress: the service's instances get addresses in a subnet. */
export interface DirectVpcAccess {
  /** The VPC network: a name, or `projects/P/global/networks/N`. */
  readonly network: string;
  /** The subnet, in the service's region: a name, or `projects/P/regions/R/subnetworks/S`. */
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

export type VpcEgress = "all-traffic" | "private-ranges-only";

export interface CloudRunServiceProps extends CommonProps {
  /**
   * The service name: 1-49 lowercase letters, digits and hyphens, starting with a letter.
   * Changing it replaces the service.
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
   * The port the container listens on; Cloud Run sends requests there and sets `PORT` to it.
   * @default 8080
   */
  readonly containerPort?: number;

  /**
   * Plain environment variables. Never put secrets here: use `secretEnv`.
   * @default - none
   */
  readonly env?: Readonly<Record<string, string>>;

  /**
   * Environment variables read from Secret Manager, each with a pinned version. The runtime
   * service account is granted `roles/secretmanager.secretAccessor` on each secret.
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
   * CPU limit: "1", "2", "4", "6", "8", or a fraction from "0.08" to "1". Below 1 CPU, Cloud Run
   * needs concurrency 1, `cpuIdle` true and the gen1 execution environment.
   * @see https://cloud.google.com/run/docs/configuring/services/cpu
   * @default "1"
   */
  readonly cpu?: string;

  /**
   * Memory limit, such as "512Mi" or "2Gi"; checked against `cpu`.
   * @see https://cloud.google.com/run/docs/configuring/services/memory-limits
   * @default "512Mi"
   */
  readonly memory?: string;

  /**
   * Allocate CPU only while a request is being handled (request-based billing). Always written:
   * once limits are set, leaving it out gives a permanent diff.
   * @default true
   */
  readonly cpuIdle?: boolean;

  /**
   * Give the container more CPU while it starts, which shortens cold starts of model servers.
   * @default true
   */
  readonly startupCpuBoost?: boolean;

  /**
   * Instances kept warm. Above 0 avoids cold starts and costs money while idle.
   * @default 0
   */
  readonly minInstances?: number;

  /**
   * The most instances Cloud Run may start. Always written, so a traffic spike or a loop cannot
   * scale cost without bound (Cloud Run's own default is 100).
   * @default 10
   */
  readonly maxInstances?: number;

  /**
   * Concurrent requests per instance, 1-1000.
   * @see https://cloud.google.com/run/docs/about-concurrency
   * @default 80
   */
  readonly concurrency?: number;

  /**
   * Request timeout in seconds, 1-3600.
   * @default 300
   */
  readonly timeoutSeconds?: number;

  /**
   * Where requests may come from. Every request still needs `roles/run.invoker` (see
   * {@link CloudRunService.grantInvoker}).
   * @default "all"
   */
  readonly ingress?: Ingress;

  /**
   * The execution environment. gen2 has full Linux compatibility and faster CPU; gen1 starts
   * faster and is required below 1 CPU.
   * @default "gen2"
   */
  readonly executionEnvironment?: "gen1" | "gen2";

  /**
   * A startup probe (HTTP, gRPC or TCP); until it passes, no request is sent. A model server that loads its
   * weights at start needs `periodSeconds × failureThreshold` to cover the
   * load; Cloud Run allows at most 240 s, and a longer window is refused here.
   * @default - Cloud Run's default TCP startup check on the container port
   */
  readonly startupProbe?: Probe;

  /**
   * A GPU on each instance. Cloud Run then needs the second generation execution environment,
   * `cpuIdle: false` (CPU always allocated), at least 4 CPU and 16Gi of memory for an L4, and a
   * region that offers it; each is checked here.
   * @see https://cloud.google.com/run/docs/configuring/services/gpu
   * @default - no GPU
   */
  readonly gpu?: Gpu;

  /**
   * Cloud Storage buckets mounted into the container, such as a {@link ModelBucket} at `/models`
   * (read-only by default). The runtime account is granted read on each mounted ModelBucket.
   * @see https://cloud.google.com/run/docs/configuring/services/cloud-storage-volume-mounts
   * @default - none
   */
  readonly volumes?: readonly CloudStorageVolume[];

  /**
   * A liveness probe (HTTP or gRPC); a container failing it is restarted.
   * @default - none
   */
  readonly livenessProbe?: Probe;

  /**
   * Labels on the service.
   * @default - none
   */
  readonly labels?: Readonly<Record<string, string>>;

  /**
   * Make `terraform destroy` (and a replacing plan) fail for this service. Always written, so a
   * stack's snapshot shows it.
   * @default true
   */
  readonly deletionProtection?: boolean;

  /**
   * How requests are split between revisions, each by name. Percents must total 100; tags must
   * be unique. A canary: `[{ revision: "predict-1a2b3c4d", percent: 90, tag: "stable" },
   * { percent: 10, tag: "canary" }]`, the second being this template's revision.
   * @default - 100% to this template's revision, by its name
   */
  readonly traffic?: readonly TrafficTarget[];

  /**
   * An existing service account to run as, instead of the one this construct creates. Never the
   * default compute or App Engine account.
   * @default - a dedicated account is created, with log and metric writing only
   */
  readonly serviceAccountEmail?: string;

  /**
   * The account id of the runtime service account this construct creates.
   * @default - derived from `name` (see {@link runtimeServiceAccountId})
   */
  readonly serviceAccountId?: string;

  /**
   * Principals allowed to call the service (`roles/run.invoker`), as with
   * {@link CloudRunService.grantInvoker}.
   * @default - none
   */
  readonly invokers?: readonly string[];

  /**
   * Allow `allUsers` or `allAuthenticatedUsers` among the invokers: anyone on the internet may
   * call the service.
   * @default false
   */
  readonly allowPublic?: boolean;

  /**
   * A description of the service.
   * @default - none
   */
  readonly description?: string;

  /**
   * The entrypoint, replacing the image's (model servers are started with flags).
   * @default - the image's ENTRYPOINT
   */
  readonly command?: readonly string[];

  /**
   * Arguments to the entrypoint.
   * @default - the image's CMD
   */
  readonly args?: readonly string[];

  /**
   * The working directory of the main container.
   * @default - the image's WORKDIR
   */
  readonly workingDir?: string;

  /**
   * Serve HTTP/2 end to end (cleartext, port name `h2c`): what a gRPC server needs.
   * @default false
   */
  readonly http2?: boolean;

  /**
   * Containers beside the main one. Only the main container has a port.
   * @default - none
   */
  readonly sidecars?: readonly Sidecar[];

  /**
   * The main container's name: written when the service has sidecars (they refer to it).
   * @default "main"
   */
  readonly containerName?: string;

  /**
   * Containers (sidecars, by name) that must have started before the main container.
   * @default - none
   */
  readonly startAfter?: readonly string[];

  /**
   * Egress into a VPC: direct (`network`, `subnetwork`) or through a connector, never both.
   * @default - none: the internet only
   */
  readonly vpcAccess?: DirectVpcAccess | ConnectorVpcAccess;

  /**
   * A customer-managed key (`projects/P/locations/L/keyRings/R/cryptoKeys/K`) that encrypts the
   * revision's image and data. The project's Cloud Run service agent is granted
   * `roles/cloudkms.cryptoKeyEncrypterDecrypter` on the key, and the service waits for it.
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

  /**
   * Audiences, besides the service URL, that tokens may be minted for: a load balancer's or a
   * custom domain's URL.
   * @default - none
   */
  readonly customAudiences?: readonly string[];

  /**
   * Instances kept warm for the whole service, shared by the revisions that take traffic (the
   * service-level `scaling.min_instance_count`). Always written.
   * @default 0
   */
  readonly serviceMinInstances?: number;
}

/** The defaults of {@link CloudRunServiceProps}, in one place. */
export const DEFAULTS = {
  containerPort: 8080,
  containerName: "main",
  sidecarCpu: "0.5",
  sidecarMemory: "256Mi",
  vpcEgress: "private-ranges-only" as VpcEgress,
  serviceMinInstances: 0,
  cpu: "1",
  memory: "512Mi",
  cpuIdle: true,
  startupCpuBoost: true,
  minInstances: 0,
  maxInstances: 10,
  concurrency: 80,
  timeoutSeconds: 300,
  ingress: "all" as Ingress,
  executionEnvironment: "gen2" as const,
  deletionProtection: true,
};

/** Options of {@link CloudRunService.grantInvoker}. */
export interface InvokerOptions {
  /**
   * Allow `allUsers` or `allAuthenticatedUsers`.
   * @default - the service's `allowPublic` prop
   */
  readonly allowPublic?: boolean;
}
