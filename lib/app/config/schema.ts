/* The zod schema of an environment's configuration. */
import { z } from "zod";
import { EXECUTION_ENVIRONMENTS, GPUS, INGRESS, STORAGE_EVENT_TYPES, VPC_EGRESS } from "../../gcp/run";
import { STAGES } from "../../policies/rule";
import type {
  BucketConfig,
  EnvironmentConfig,
  JobConfig,
  RepositoryConfig,
  ServiceConfig,
  WorkerPoolConfig,
} from "./types";

/*
 * The shape of an environment's configuration. zod checks shape and types (and refuses unknown
 * keys); every GCP constraint on a value comes from the constructs' own validation
 * (validateCloudRunServiceProps, validateArtifactRepositoryProps) and lib/gcp/, so each is
 * written once.
 */

const labels = z.record(z.string(), z.string());
/** The keys of a table of facts in lib/gcp, as a zod enum: the schema never restates them. */
const keysOf = <T extends object>(table: T) =>
  z.enum(Object.keys(table) as [keyof T & string, ...(keyof T & string)[]]);
const int = z.number().int();

const probe = z.strictObject({
  path: z.string().optional(),
  headers: z.record(z.string(), z.string()).optional(),
  grpc: z.strictObject({ service: z.string().optional(), port: int.optional() }).optional(),
  tcp: z.strictObject({ port: int.optional() }).optional(),
  port: int.optional(),
  initialDelaySeconds: int.optional(),
  periodSeconds: int.optional(),
  timeoutSeconds: int.optional(),
  failureThreshold: int.optional(),
});

// A volume without a kind is a bucket's ("gcs"), as before volumes had kinds.
const volume = z.discriminatedUnion("kind", [
  z.strictObject({
    kind: z.literal("gcs").optional(),
    name: z.string().optional(),
    bucket: z.string(),
    mountPath: z.string(),
    readOnly: z.boolean().optional(),
  }),
  z.strictObject({
    kind: z.literal("secret"),
    name: z.string(),
    mountPath: z.string(),
    secret: z.string(),
    version: z.string().optional(),
    fileName: z.string().optional(),
    files: z.array(z.strictObject({ path: z.string(), version: z.string(), mode: int.optional() })).optional(),
    defaultMode: int.optional(),
  }),
  z.strictObject({
    kind: z.literal("emptyDir"),
    name: z.string(),
    mountPath: z.string(),
    sizeLimit: z.string().optional(),
  }),
  z.strictObject({
    kind: z.literal("nfs"),
    name: z.string(),
    mountPath: z.string(),
    server: z.string(),
    path: z.string(),
    readOnly: z.boolean().optional(),
  }),
  z.strictObject({
    kind: z.literal("cloudSql"),
    name: z.string(),
    instances: z.array(z.string()),
    mountPath: z.string().optional(),
  }),
]);
const binaryAuthorization = z.strictObject({
  policy: z.string(),
  breakglass: z.strictObject({ justification: z.string() }).optional(),
});
const gpu = z.strictObject({
  type: keysOf(GPUS),
  count: int.optional(),
  zonalRedundancy: z.boolean().optional(),
});
const vpcAccess = z.strictObject({
  network: z.string().optional(),
  subnetwork: z.string().optional(),
  tags: z.array(z.string()).optional(),
  connector: z.string().optional(),
  egress: keysOf(VPC_EGRESS).optional(),
});
const build = z.strictObject({ context: z.string(), dockerfile: z.string().optional() });
const secretEnv = z.record(z.string(), z.strictObject({ secret: z.string(), version: z.string() }));

const serviceMonitoring = z.strictObject({
  enabled: z.boolean().optional(),
  uptimeCheck: z
    .union([
      z.literal(false),
      z.strictObject({
        path: z.string().optional(),
        host: z.string().optional(),
        periodSeconds: int.optional(),
        timeoutSeconds: int.optional(),
      }),
    ])
    .optional(),
  errorRatio: z.strictObject({ threshold: z.number().optional(), durationSeconds: int.optional() }).optional(),
  latency: z.strictObject({ thresholdMs: int.optional(), durationSeconds: int.optional() }).optional(),
  instancesAtMax: z.union([z.literal(false), z.strictObject({ durationSeconds: int.optional() })]).optional(),
  slo: z
    .union([
      z.literal(false),
      z.strictObject({
        availabilityGoal: z.number().optional(),
        latencyGoal: z.number().optional(),
        latencyThresholdMs: int.optional(),
        rollingPeriodDays: int.optional(),
      }),
    ])
    .optional(),
});

const serviceSchema = z.strictObject({
  name: z.string().optional(),
  image: z.string(),
  build: build.optional(),
  containerPort: int.optional(),
  cpu: z.string().optional(),
  memory: z.string().optional(),
  cpuIdle: z.boolean().optional(),
  startupCpuBoost: z.boolean().optional(),
  minInstances: int.optional(),
  maxInstances: int.optional(),
  concurrency: int.optional(),
  timeoutSeconds: int.optional(),
  ingress: keysOf(INGRESS).optional(),
  executionEnvironment: keysOf(EXECUTION_ENVIRONMENTS).optional(),
  env: z.record(z.string(), z.string()).optional(),
  secretEnv: secretEnv.optional(),
  startupProbe: probe.optional(),
  livenessProbe: probe.optional(),
  gpu: gpu.optional(),
  volumes: z.array(volume).optional(),
  model: z.strictObject({ bucket: z.string(), mountPath: z.string(), variable: z.string().optional() }).optional(),
  monitoring: serviceMonitoring.optional(),
  rollout: z
    .strictObject({
      enabled: z.boolean().optional(),
      steps: z.array(z.number()).optional(),
      minutesPerStep: z.number().optional(),
      minRequestsPerStep: z.number().optional(),
      maxErrorRatio: z.number().optional(),
      maxErrorRatioOverStable: z.number().optional(),
      maxP99Ms: z.number().optional(),
      maxP99OverStable: z.number().optional(),
      autoRollback: z.boolean().optional(),
    })
    .optional(),
  command: z.array(z.string()).optional(),
  args: z.array(z.string()).optional(),
  workingDir: z.string().optional(),
  http2: z.boolean().optional(),
  sidecars: z
    .array(
      z.strictObject({
        name: z.string(),
        image: z.string(),
        env: z.record(z.string(), z.string()).optional(),
        cpu: z.string().optional(),
        memory: z.string().optional(),
        startupProbe: probe.optional(),
        startAfter: z.array(z.string()).optional(),
      }),
    )
    .optional(),
  containerName: z.string().optional(),
  startAfter: z.array(z.string()).optional(),
  vpcAccess: vpcAccess.optional(),
  encryptionKey: z.string().optional(),
  customAudiences: z.array(z.string()).optional(),
  serviceMinInstances: int.optional(),
  labels: labels.optional(),
  deletionProtection: z.boolean().optional(),
  invokers: z.array(z.string()).optional(),
  allowPublic: z.boolean().optional(),
  invokerIamDisabled: z.boolean().optional(),
  sessionAffinity: z.boolean().optional(),
  binaryAuthorization: binaryAuthorization.optional(),
  events: z
    .record(
      z.string(),
      z.strictObject({
        source: z.union([
          z.strictObject({ bucket: z.string(), eventType: z.enum(STORAGE_EVENT_TYPES) }),
          z.strictObject({ pubsubTopic: z.string() }),
        ]),
        path: z.string().optional(),
      }),
    )
    .optional(),
  description: z.string().optional(),
});

const bucketSchema = z.strictObject({
  name: z.string().optional(),
  location: z.string().optional(),
  labels: labels.optional(),
  noncurrentVersionsKept: int.optional(),
  softDeleteDays: int.optional(),
});

/** What a job's and a worker pool's configurations share: the container and what it mounts. */
const container = {
  name: z.string().optional(),
  image: z.string(),
  build: build.optional(),
  command: z.array(z.string()).optional(),
  args: z.array(z.string()).optional(),
  env: z.record(z.string(), z.string()).optional(),
  secretEnv: secretEnv.optional(),
  cpu: z.string().optional(),
  memory: z.string().optional(),
  volumes: z.array(volume).optional(),
  encryptionKey: z.string().optional(),
  binaryAuthorization: binaryAuthorization.optional(),
  labels: labels.optional(),
  deletionProtection: z.boolean().optional(),
};

const jobSchema = z.strictObject({
  ...container,
  gpu: gpu.optional(),
  taskCount: int.optional(),
  parallelism: int.optional(),
  maxRetries: int.optional(),
  timeoutSeconds: int.optional(),
  executionEnvironment: keysOf(EXECUTION_ENVIRONMENTS).optional(),
  startupProbe: probe.optional(),
  containerPort: int.optional(),
  vpcAccess: vpcAccess.optional(),
  runners: z.array(z.string()).optional(),
  schedule: z
    .strictObject({
      cron: z.string(),
      timeZone: z.string().optional(),
      paused: z.boolean().optional(),
      retryCount: int.optional(),
    })
    .optional(),
  monitoring: z.strictObject({ enabled: z.boolean().optional() }).optional(),
});

const workerPoolSchema = z.strictObject({
  ...container,
  instanceCount: int.optional(),
  vpcAccess: z
    .strictObject({
      network: z.string(),
      subnetwork: z.string(),
      tags: z.array(z.string()).optional(),
      egress: keysOf(VPC_EGRESS).optional(),
    })
    .optional(),
  description: z.string().optional(),
});

const repositorySchema = z.strictObject({
  repositoryId: z.string(),
  location: z.string().optional(),
  description: z.string().optional(),
  labels: labels.optional(),
  immutableTags: z.boolean().optional(),
  cleanup: z
    .union([
      z.literal(false),
      z.strictObject({
        keepMostRecentVersions: int.optional(),
        deleteUntaggedOlderThan: z.string().optional(),
        dryRun: z.boolean().optional(),
      }),
    ])
    .optional(),
  vulnerabilityScanning: z.boolean().optional(),
});

export const environmentSchema = z.strictObject({
  name: z.string(),
  app: z.string(),
  stage: z.enum(STAGES),
  project: z.string(),
  region: z.string(),
  stateBucket: z.string(),
  labels: labels.optional(),
  deletionProtection: z.boolean().optional(),
  repository: repositorySchema,
  github: z.strictObject({ repository: z.string(), repositoryId: z.string(), ownerId: z.string() }),
  services: z.record(z.string(), serviceSchema),
  buckets: z.record(z.string(), bucketSchema).optional(),
  jobs: z.record(z.string(), jobSchema).optional(),
  workerPools: z.record(z.string(), workerPoolSchema).optional(),
  monitoring: z
    .strictObject({
      enabled: z.boolean().optional(),
      emails: z.array(z.string()).optional(),
      notificationChannels: z.array(z.string()).optional(),
    })
    .optional(),
  differences: z.record(z.string(), z.string()).optional(),
  acknowledgements: z
    .array(z.strictObject({ rule: z.string(), reason: z.string(), service: z.string().optional() }))
    .optional(),
});

// Compile-time proof that the schema and the interfaces agree: what the schema accepts is an
// EnvironmentConfig, and every field of the interfaces is in the schema.
type Parsed = z.infer<typeof environmentSchema>;
type ParsedService = Parsed["services"][string];
type ParsedRepository = Parsed["repository"];
type ParsedJob = NonNullable<Parsed["jobs"]>[string];
type ParsedBucket = NonNullable<Parsed["buckets"]>[string];
type ParsedWorkerPool = NonNullable<Parsed["workerPools"]>[string];
const _schemaIsSound: [Parsed] extends [EnvironmentConfig] ? true : false = true;
const _allFieldsInSchema: [
  Exclude<keyof EnvironmentConfig, keyof Parsed>,
  Exclude<keyof ServiceConfig, keyof ParsedService>,
  Exclude<keyof RepositoryConfig, keyof ParsedRepository>,
  Exclude<keyof JobConfig, keyof ParsedJob>,
  Exclude<keyof BucketConfig, keyof ParsedBucket>,
  Exclude<keyof WorkerPoolConfig, keyof ParsedWorkerPool>,
] extends [never, never, never, never, never, never]
  ? true
  : false = true;
void _schemaIsSound;
void _allFieldsInSchema;
