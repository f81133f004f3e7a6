import { INGRESS } from "../../gcp/run";
import { CommonProps } from "../common";
import { CloudStorageVolume, Gpu, HttpProbe, SecretEnvVar } from "../workload";

export type { CloudStorageVolume, Gpu, HttpProbe, SecretEnvVar };

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
   * An HTTP startup probe; until it passes, no request is sent. A model server that loads its
   * weights at start needs `periodSeconds × failureThreshold` to cover the
   * load; Cloud Run allows at most 240 s, and a longer window is refused here.
   * @default - Cloud Run's default TCP startup check on the container port
   */
  readonly startupProbe?: HttpProbe;

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
   * An HTTP liveness probe; a container failing it is restarted.
   * @default - none
   */
  readonly livenessProbe?: HttpProbe;

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
}

/** The defaults of {@link CloudRunServiceProps}, in one place. */
export const DEFAULTS = {
  containerPort: 8080,
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
