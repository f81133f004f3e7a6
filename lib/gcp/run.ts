import { Constraint, intRange, oneOf, pattern } from "./validation";

/** Cloud Run: names, resources, scaling, requests, probes, traffic and ingress. */

/** Cloud Run service name. Source: googleapis run/v2 service.proto. */
export const serviceName = pattern(
  /^[a-z](?:[-a-z0-9]{0,47}[a-z0-9])?$/,
  "must be 1-49 characters of lowercase letters, digits and hyphens, start with a letter and not end with a hyphen",
);

/** Parses a CPU limit ("1", "0.5", "500m") into vCPUs, or undefined when malformed. */
export function parseCpu(value: string): number | undefined {
  const milli = /^([0-9]+)m$/.exec(value);
  if (milli) return Number(milli[1]) / 1000;
  return /^[0-9]+(?:\.[0-9]{1,3})?$/.test(value) ? Number(value) : undefined;
}

/** CPU limit. Source: Cloud Run "Configure CPU limits": 0.08-1 in steps of 0.001, or 1, 2, 4, 6, 8. */
export const cpu: Constraint<string> = (value) => {
  const n = parseCpu(value);
  const allowed =
    'must be "1", "2", "4", "6" or "8", or a fraction from "0.08" to "1" (up to 3 decimals, or millicores such as "500m")';
  if (n === undefined || n < 0.08 || n > 8) return allowed;
  return n < 1 || [1, 2, 4, 6, 8].includes(n) ? undefined : allowed;
};

/** Parses a memory limit ("512Mi", "2Gi") into MiB, or undefined when malformed. */
export function parseMemoryMi(value: string): number | undefined {
  const m = /^([0-9]+)(Mi|Gi)$/.exec(value);
  if (!m) return undefined;
  return Number(m[1]) * (m[2] === "Gi" ? 1024 : 1);
}

/**
 * Memory limit format and range. Source: Cloud Run "Configure memory limits": at least 512 MiB in
 * the second generation execution environment (128 MiB in the first), at most 32 GiB.
 */
export function memory(gen: "gen1" | "gen2"): Constraint<string> {
  const min = gen === "gen2" ? 512 : 128;
  return (value) => {
    const mi = parseMemoryMi(value);
    if (mi === undefined) return 'must be a whole number of Mi or Gi, such as "512Mi" or "2Gi"';
    if (mi < min || mi > 32 * 1024)
      return `must be from ${min === 512 ? "512Mi" : "128Mi"} to 32Gi in the ${gen} execution environment`;
    return undefined;
  };
}

/**
 * CPU and memory together. Source: Cloud Run "Configure CPU limits" and "Configure memory limits":
 * 1 vCPU up to 4 GiB, 2 up to 8 GiB, 4 from 2 to 16 GiB, 6 from 4 to 24 GiB, 8 from 4 to 32 GiB;
 * below 1 vCPU, memory above 512 MiB needs at least 0.5 vCPU and above 1 GiB needs 1 vCPU.
 */
export function cpuMemoryCombination(cpus: number, memoryMi: number): string | undefined {
  const gi = 1024;
  const maxFor = (c: number): number =>
    c < 0.5 ? 512 : c < 1 ? gi : c === 1 ? 4 * gi : c === 2 ? 8 * gi : c === 4 ? 16 * gi : c === 6 ? 24 * gi : 32 * gi;
  const minFor = (c: number): number => (c === 4 ? 2 * gi : c >= 6 ? 4 * gi : 0);
  const max = maxFor(cpus);
  const min = minFor(cpus);
  const show = (mi: number): string => (mi % gi === 0 ? `${mi / gi}Gi` : `${mi}Mi`);
  if (memoryMi > max) return `${cpus} vCPU allows at most ${show(max)} of memory; raise cpu or lower memory`;
  if (memoryMi < min) return `${cpus} vCPU needs at least ${show(min)} of memory`;
  return undefined;
}

/** Maximum concurrent requests per instance. Source: Cloud Run concurrency docs (1-1000). */
export const concurrency = intRange(1, 1000, "concurrency must be a whole number from 1 to 1000");

/** Request timeout in seconds. Source: Cloud Run request timeout docs (at most 3600 s). */
export const timeoutSeconds = intRange(1, 3600, "must be a whole number of seconds from 1 to 3600");

export const minInstances = intRange(0, 1000, "must be a whole number from 0 to 1000");
export const maxInstances = intRange(1, 1000, "must be a whole number from 1 to 1000");
export const containerPort = intRange(1, 65535, "must be a whole number from 1 to 65535");
export const percent = intRange(0, 100, "must be a whole number from 0 to 100");

/**
 * Environment variable name. Source: Cloud Run "Configure environment variables": names may not
 * contain "=", may not start with "X_GOOGLE_", and PORT, K_SERVICE, K_REVISION, K_CONFIGURATION
 * are set by Cloud Run.
 */
export const envName: Constraint<string> = (value) => {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(value))
    return "must be letters, digits and underscores, not starting with a digit";
  if (["PORT", "K_SERVICE", "K_REVISION", "K_CONFIGURATION"].includes(value))
    return `${value} is reserved and set by Cloud Run`;
  if (value.startsWith("X_GOOGLE_")) return "names starting with X_GOOGLE_ are reserved by Cloud Run";
  return undefined;
};

/** HTTP probe path. */
export const probePath = pattern(/^\/\S*$/, "must be a path starting with /");

/**
 * The longest `periodSeconds` and `initialDelaySeconds` of a probe. Source: Cloud Run v2 API
 * reference (Probe): 240 s for startup probes, 3600 s for liveness probes.
 */
export const MAX_PROBE_PERIOD = { startup: 240, liveness: 3600 } as const;

/**
 * A revision of service `service`: one named from its template (`SERVICE-<8 hex>`, as
 * CloudRunService names them) or one Cloud Run named (`SERVICE-00001-abc`, as
 * `gcloud run revisions list` shows). A shared prefix is not enough: `predict-api-v1` is
 * not a revision of `predict`.
 */
export function revisionOf(service: string): Constraint<string> {
  const escaped = service.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const own = new RegExp(`^${escaped}-(?:[0-9a-f]{8}|[0-9]{5}-[a-z0-9]{3})$`);
  return (value) =>
    own.test(value)
      ? undefined
      : `must be a revision of this service: "${service}-" and 8 hex digits (named from its template) or "${service}-00001-abc" (named by Cloud Run)`;
}

/**
 * Traffic tag: a DNS label of at least 3 characters (shorter tags are reported refused:
 * third-party report, PolicyEngine policyengine-sim-api 656; unverified, so conservative).
 */
export const trafficTag = pattern(
  /^[a-z][-a-z0-9]+[a-z0-9]$/,
  "a tag must be at least 3 lowercase letters, digits and hyphens, start with a letter and not end with a hyphen",
);

/** A tag and the service name together (unverified, third-party report: at most 46 characters). */
export const MAX_TAG_AND_SERVICE_NAME = 46;

/** Where requests may come from: our names for the API's ingress values. Source: Cloud Run v2 API. */
export const INGRESS = {
  all: "INGRESS_TRAFFIC_ALL",
  internal: "INGRESS_TRAFFIC_INTERNAL_ONLY",
  "internal-and-cloud-load-balancing": "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER",
} as const;

export const ingress = oneOf(INGRESS);

/**
 * The execution environments: our names for the API's values. Source: Cloud Run v2 API
 * (ExecutionEnvironment). Jobs run in the second generation only.
 */
export const EXECUTION_ENVIRONMENTS = {
  gen1: "EXECUTION_ENVIRONMENT_GEN1",
  gen2: "EXECUTION_ENVIRONMENT_GEN2",
} as const;

export type ExecutionEnvironment = keyof typeof EXECUTION_ENVIRONMENTS;

export const executionEnvironment = oneOf(EXECUTION_ENVIRONMENTS);

/** The ingress the API uses when none is set: the whole internet. */
export const DEFAULT_INGRESS = INGRESS.all;

/** Failed probes in a row before giving up. Source: Cloud Run v2 API reference (Probe). */
export const probeFailureThreshold = intRange(1, 100, "must be a whole number from 1 to 100");

/**
 * The longest a startup probe may let a container start, `periodSeconds × failureThreshold`, in
 * seconds. Sources: Cloud Run jobs "Configure container health checks" ("calculated as
 * failureThreshold * periodSeconds and can't exceed 600 seconds (1800 for GPU)"); for services,
 * Cloud Run "Configure container health checks" (its default TCP startup probe, 240 s × 1, is the
 * longest; the 240 s cap is the worker pools' page's wording, and a third-party report, PolicyEngine
 * policyengine-api issue 3764).
 */
export const MAX_STARTUP_WINDOW = { service: 240, job: 600, jobWithGpu: 1800 } as const;

/**
 * GPUs Cloud Run offers (generally available), with the least CPU and memory an instance needs
 * beside one, and the regions that have them for services and for jobs. Sources: Cloud Run "GPU
 * support for services" (L4: "a minimum of 4 CPU and 16 GiB of memory"; regions as of late 2025;
 * asia-south1 by invitation) and "Configure GPUs for Cloud Run jobs" (its region list has no
 * us-east4). The RTX PRO 6000 is in preview and not accepted here.
 */
export const GPUS = {
  "nvidia-l4": {
    minCpu: 4,
    minMemoryGi: 16,
    regions: {
      service: ["asia-south1", "asia-southeast1", "europe-west1", "europe-west4", "us-central1", "us-east4"],
      job: ["asia-south1", "asia-southeast1", "europe-west1", "europe-west4", "us-central1"],
    },
  },
} as const;

export type GpuType = keyof typeof GPUS;

/** Where the GPU facts come from, named in every GPU error. */
export const GPU_SOURCE = {
  service: 'Cloud Run "GPU support for services"',
  job: 'Cloud Run "Configure GPUs for Cloud Run jobs"',
} as const;

export const gpuType = oneOf(GPUS);

/** GPUs per instance or task. Source: Cloud Run GPU docs: one GPU per instance. */
export const gpuCount = intRange(1, 1, "must be 1: Cloud Run attaches one GPU per instance or task");

/** Where the Cloud Storage volume facts come from. */
export const VOLUME_SOURCE = 'Cloud Run "Configure Cloud Storage volume mounts"';

/**
 * A volume's mount path: absolute, not the root, not under a path Cloud Run reserves.
 * Source: Cloud Run "Configure Cloud Storage volume mounts": a volume cannot be mounted at
 * `/dev`, `/proc` or `/sys`, or below them.
 */
export const mountPath: Constraint<string> = (value) => {
  if (/^\/+$/.test(value)) return "must not be /, which would hide the container's files";
  if (!/^\/[^\s:]+$/.test(value) || value.includes("//") || /\/\.\.?(\/|$)/.test(value))
    return "must be an absolute path such as /models, without spaces, colons, . or .. parts";
  const reserved = ["/dev", "/proc", "/sys"].find((r) => value === r || value.startsWith(`${r}/`));
  return reserved === undefined ? undefined : `must not be ${reserved} or below it, which Cloud Run reserves`;
};

/** Cloud Run job name: the service's rule (unverified for jobs, so conservative). */
export const jobName = serviceName;

/**
 * Job limits. Sources: Cloud Run "Quotas and limits" (10,000 tasks per job, 10 retries), "Set
 * maximum retries for jobs" (0 to 10, default 3), "Set task timeout (jobs)" (default 600 s, at
 * most 168 hours; "for tasks using GPUs, the maximum available timeout is 1 hour", 12 hours in
 * preview), the v2 API (ExecutionTemplate.parallelism: 0 means as many as possible, at most
 * task_count).
 */
export const JOB_LIMITS = {
  maxTaskCount: 10_000,
  maxRetries: 10,
  maxTimeoutSeconds: 168 * 3600,
  maxTimeoutSecondsWithGpu: 3600,
} as const;
export const taskCount = intRange(
  1,
  JOB_LIMITS.maxTaskCount,
  `must be a whole number from 1 to ${JOB_LIMITS.maxTaskCount}`,
);
export const parallelism = intRange(
  0,
  JOB_LIMITS.maxTaskCount,
  `must be a whole number from 0 (as many as possible) to ${JOB_LIMITS.maxTaskCount}`,
);
export const maxRetries = intRange(
  0,
  JOB_LIMITS.maxRetries,
  `must be a whole number from 0 to ${JOB_LIMITS.maxRetries}`,
);

/** A container name: a DNS label. Source: Cloud Run v2 API (Container.name, RFC 1123 label). */
export const containerName = pattern(
  /^[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?$/,
  "must be 1-63 lowercase letters, digits and hyphens, starting and ending with a letter or digit",
);

/** VPC egress: our names for the API's values. Source: Cloud Run v2 API (VpcAccess.VpcEgress). */
export const VPC_EGRESS = { "all-traffic": "ALL_TRAFFIC", "private-ranges-only": "PRIVATE_RANGES_ONLY" } as const;

export const vpcEgress = oneOf(VPC_EGRESS);

/** A network tag. Source: Compute Engine "Add network tags" (RFC 1035 label). */
export const networkTag = pattern(
  /^[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?$/,
  "must be a network tag: 1-63 lowercase letters, digits and hyphens, starting with a letter",
);

/** A VPC network: a name or its full path. Source: Compute Engine resource names (RFC 1035). */
export const networkName = pattern(
  /^(?:projects\/[a-z][a-z0-9-]{4,28}[a-z0-9]\/global\/networks\/)?[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?$/,
  "must be a network name, or projects/PROJECT/global/networks/NAME",
);

/** A subnetwork: a name or its full path. */
export const subnetworkName = pattern(
  /^(?:projects\/[a-z][a-z0-9-]{4,28}[a-z0-9]\/regions\/[a-z]+(?:-[a-z]+)+[0-9]+\/subnetworks\/)?[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?$/,
  "must be a subnetwork name, or projects/PROJECT/regions/REGION/subnetworks/NAME",
);

/** A Serverless VPC Access connector: a name or its full path. */
export const connectorName = pattern(
  /^(?:projects\/[a-z][a-z0-9-]{4,28}[a-z0-9]\/locations\/[a-z]+(?:-[a-z]+)+[0-9]+\/connectors\/)?[a-z](?:[-a-z0-9]{0,23}[a-z0-9])?$/,
  "must be a connector name (up to 25 characters), or projects/PROJECT/locations/REGION/connectors/NAME",
);

/** A Cloud KMS key. Source: Cloud KMS resource names. */
export const kmsKeyName = pattern(
  /^projects\/[a-z][a-z0-9-]{4,28}[a-z0-9]\/locations\/[a-z0-9-]+\/keyRings\/[A-Za-z0-9_-]{1,63}\/cryptoKeys\/[A-Za-z0-9_-]{1,63}$/,
  "must be a key id: projects/PROJECT/locations/LOCATION/keyRings/RING/cryptoKeys/KEY",
);

/**
 * The service agent that must be allowed to use a customer-managed key. Sources: Cloud Run "Use
 * customer-managed encryption keys" (service-NUMBER@serverless-robot-prod), Artifact Registry
 * "Enabling customer-managed encryption keys" (service-NUMBER@gcp-sa-artifactregistry).
 */
export const SERVICE_AGENTS = {
  run: (n: string) => `service-${n}@serverless-robot-prod.iam.gserviceaccount.com`,
  artifactRegistry: (n: string) => `service-${n}@gcp-sa-artifactregistry.iam.gserviceaccount.com`,
} as const;

/*
 * Volumes beyond Cloud Storage: secrets as files, in-memory directories, NFS shares and Cloud SQL
 * sockets. Sources: Cloud Run "Configure secrets for services", "Configure in-memory volume
 * mounts", "Configure NFS volume mounts", "Connect from Cloud Run" (Cloud SQL), and the google
 * provider 6.50 schema of google_cloud_run_v2_service (volumes.*).
 */
export const SECRET_SOURCE = 'Cloud Run "Configure secrets for services"';
export const IN_MEMORY_SOURCE = 'Cloud Run "Configure in-memory volume mounts"';
export const NFS_SOURCE = 'Cloud Run "Configure NFS volume mounts"';
export const CLOUD_SQL_SOURCE = 'Cloud SQL "Connect from Cloud Run"';

/**
 * A file's mode bits, 0 to 0o777 (511). Source: the provider's secret.default_mode ("a value
 * between 0000 and 0777 (octal)") and items.mode ("between 01 and 0777").
 */
export const fileMode = intRange(0, 0o777, "must be file mode bits from 0 to 0o777 (511)");

/** One file's mode: 1 to 0o777 (leave it out for the volume's `defaultMode`). */
export const itemFileMode = intRange(
  1,
  0o777,
  "must be file mode bits from 1 to 0o777 (511); leave it out for defaultMode",
);

/** A secret file's path under its volume: relative, without `.` or `..` parts. */
export const secretFilePath = pattern(
  /^(?!\.{1,2}(?:\/|$))(?!.*\/\.{1,2}(?:\/|$))[A-Za-z0-9._-]+(?:\/[A-Za-z0-9._-]+)*$/,
  "must be a relative path such as key or tls/key.pem (letters, digits, . _ - and /, without . or .. parts)",
);

/** An in-memory volume's size limit: a positive whole number of Mi or Gi. */
export const sizeLimit: Constraint<string> = (value) => {
  const mi = /^[1-9]/.test(value) ? parseMemoryMi(value) : undefined;
  return mi !== undefined && mi > 0
    ? undefined
    : 'must be a positive whole number of Mi or Gi, such as "512Mi" or "1Gi"';
};

/** An NFS server: an IPv4 address or a host name. Source: the provider's nfs.server. */
export const nfsServer = pattern(
  /^(?:(?:25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])(?:\.(?:25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])){3}|(?=.{1,253}$)[A-Za-z0-9](?:[-A-Za-z0-9]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[-A-Za-z0-9]{0,61}[A-Za-z0-9])?)*)$/,
  "must be the NFS server's IP address (such as Filestore's 10.0.0.2) or host name",
);

/** An NFS export: an absolute path on the server. Source: Cloud Run "Configure NFS volume mounts". */
export const nfsPath = pattern(
  /^\/(?:[^\s/]+(?:\/[^\s/]+)*)?$/,
  "must be the absolute path the server exports, such as /share1, without spaces or empty parts",
);

/** A Cloud SQL instance connection name: `PROJECT:REGION:INSTANCE`. Source: the provider's cloud_sql_instance.instances. */
export const cloudSqlInstance = pattern(
  /^(?:[a-z][a-z0-9-]{4,28}[a-z0-9]|[a-z0-9.-]+:[a-z][a-z0-9-]{4,28}[a-z0-9]):[a-z]+(?:-[a-z]+)+[0-9]+:[a-z][a-z0-9-]{0,96}$/,
  "must be an instance connection name: PROJECT:REGION:INSTANCE, such as acme-ml-dev:europe-west1:features",
);

/**
 * A named Binary Authorization policy for Cloud Run. Source: the provider's
 * binary_authorization.policy ("projects/{project}/platforms/cloudRun/{policy-name}") and Binary
 * Authorization "Platform policies" (projects/PROJECT/platforms/cloudrun/policies/NAME).
 */
export const binaryAuthorizationPolicy = pattern(
  /^projects\/[a-z][a-z0-9-]{4,28}[a-z0-9]\/platforms\/cloud[rR]un\/policies\/[A-Za-z0-9_-]{1,63}$/,
  'must be "default" (the project\'s policy) or projects/PROJECT/platforms/cloudrun/policies/NAME',
);

/** A worker pool's name: the service's rule. Source: Cloud Run v2 API (WorkerPool.name). */
export const workerPoolName = serviceName;

/**
 * A worker pool's instance count (manual scaling). Sources: Cloud Run "Manual scaling for worker
 * pools" ("Specify a value of 0 to disable the worker pool"; "worker pools ... do not support
 * autoscaling"). No maximum for worker pools is documented: 1000 is the most instances Cloud Run
 * accepts for a service (`maxInstances`), and the region's instance quota may be lower.
 */
export const WORKER_POOL_LIMITS = { minInstances: 0, maxInstances: 1000 } as const;
export const workerPoolInstanceCount = intRange(
  WORKER_POOL_LIMITS.minInstances,
  WORKER_POOL_LIMITS.maxInstances,
  `must be a whole number from ${WORKER_POOL_LIMITS.minInstances} (the pool stopped) to ${WORKER_POOL_LIMITS.maxInstances} (Cloud Run "Manual scaling for worker pools"; 1000 is Cloud Run's most instances for a service, and no larger worker pool is documented)`,
);

/*
 * Eventarc triggers to a Cloud Run service. Sources: Eventarc "Route Cloud Storage events to Cloud
 * Run" and "Route Pub/Sub messages to Cloud Run" (the trigger's account needs
 * roles/eventarc.eventReceiver on the project for direct events and roles/run.invoker on the
 * service; the Cloud Storage service agent needs roles/pubsub.publisher on the project; the Pub/Sub
 * service agent needs roles/iam.serviceAccountTokenCreator in projects created on or before
 * April 8, 2021), Eventarc "Cloud Storage event types", and the google provider 6.50 schema of
 * google_eventarc_trigger.
 */
export const EVENTARC_SOURCE = 'Eventarc "Route Cloud Storage events to Cloud Run"';

/** The Cloud Storage events a trigger may route. */
export const STORAGE_EVENT_TYPES = [
  "google.cloud.storage.object.v1.finalized",
  "google.cloud.storage.object.v1.deleted",
  "google.cloud.storage.object.v1.archived",
  "google.cloud.storage.object.v1.metadataUpdated",
] as const;
export type StorageEventType = (typeof STORAGE_EVENT_TYPES)[number];
export const storageEventType = oneOf(STORAGE_EVENT_TYPES);

/** The event a Pub/Sub trigger routes: a message published to its topic. */
export const PUBSUB_EVENT_TYPE = "google.cloud.pubsub.topic.v1.messagePublished";

/** A Pub/Sub topic: its id, or `projects/PROJECT/topics/ID`. Source: Pub/Sub "Resource names". */
export const pubsubTopic = pattern(
  /^(?:projects\/[a-z][a-z0-9-]{4,28}[a-z0-9]\/topics\/)?[A-Za-z][A-Za-z0-9._~%+-]{2,254}$/,
  "must be a topic id (3-255 characters, starting with a letter) or projects/PROJECT/topics/ID",
);

/** A trigger's id, which names the trigger (`SERVICE-ID`) and its account: a short DNS label. */
export const eventTriggerId = pattern(
  /^[a-z](?:[-a-z0-9]{0,12}[a-z0-9])?$/,
  "must be 1-14 lowercase letters, digits and hyphens, starting with a letter and not ending with a hyphen",
);

/** The longest trigger name (`SERVICE-ID`) this library makes: a DNS label's 63 characters. */
export const MAX_TRIGGER_NAME = 63;

/** The service agents an Eventarc trigger's delivery goes through. */
export const EVENT_AGENTS = {
  storage: (n: string) => `service-${n}@gs-project-accounts.iam.gserviceaccount.com`,
  pubsub: (n: string) => `service-${n}@gcp-sa-pubsub.iam.gserviceaccount.com`,
} as const;
