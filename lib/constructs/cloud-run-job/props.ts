import { CommonProps } from "../common";
import { CloudStorageVolume, Gpu, Probe, SecretEnvVar } from "../workload";

/*
 * The props of CloudRunJob and their defaults. Every default is written to the synthesized JSON
 * explicitly, so a stack's snapshot shows what runs.
 */

/** When Cloud Scheduler runs the job. */
export interface JobSchedule {
  /**
   * A unix-cron expression of five fields (minute, hour, day of month, month, day of week), such
   * as `"0 3 * * 1"` (Mondays at 03:00).
   * @see https://cloud.google.com/scheduler/docs/configuring/cron-job-schedules
   */
  readonly cron: string;

  /**
   * The time zone the cron expression is read in: a tz database name such as `"Etc/UTC"` or
   * `"Europe/Amsterdam"`.
   * @default "Etc/UTC"
   */
  readonly timeZone?: string;

  /**
   * An existing account for Cloud Scheduler to call the job as, instead of the one this construct
   * creates. It is granted `roles/run.invoker` on this job only. Never the job's runtime account:
   * the code a job runs must not be able to start jobs.
   * @default - a dedicated account is created (`NAME-sched`), with no role but invoker on this job
   */
  readonly serviceAccountEmail?: string;

  /**
   * Create the scheduler job paused (it does not run until resumed).
   * @default false
   */
  readonly paused?: boolean;

  /**
   * How often Cloud Scheduler retries a failed call to start the job (not a failed execution:
   * `maxRetries` retries failed tasks). 0 never starts a second execution by accident.
   * @default 0
   */
  readonly retryCount?: number;
}

export interface CloudRunJobProps extends CommonProps {
  /**
   * The job name: 1-49 lowercase letters, digits and hyphens, starting with a letter. Changing it
   * replaces the job.
   */
  readonly name: string;

  /** The region, such as `europe-west1`. */
  readonly location: string;

  /** The container image. Prefer a digest (`…@sha256:…`). */
  readonly image: string;

  /**
   * Refuse an image that is not pinned by digest.
   * @default false
   */
  readonly requireImageDigest?: boolean;

  /**
   * The entrypoint, replacing the image's.
   * @default - the image's ENTRYPOINT
   */
  readonly command?: readonly string[];

  /**
   * Arguments to the entrypoint. An execution may override them (`gcloud run jobs execute --args`)
   * only with `run.jobs.runWithOverrides`, which {@link CloudRunJob.grantRunner} does not grant.
   * @default - the image's CMD
   */
  readonly args?: readonly string[];

  /**
   * Plain environment variables. Never put secrets here: use `secretEnv`.
   * @default - none
   */
  readonly env?: Readonly<Record<string, string>>;

  /**
   * Environment variables read from Secret Manager, each with a pinned version. The runtime account
   * is granted `roles/secretmanager.secretAccessor` on each secret (see `grantSecretAccess`).
   * @default - none
   */
  readonly secretEnv?: Readonly<Record<string, SecretEnvVar>>;

  /**
   * Grant the runtime account read on each secret of `secretEnv`. Turn it off when those grants
   * are made elsewhere (a bootstrap stack).
   * @default true
   */
  readonly grantSecretAccess?: boolean;

  /**
   * CPU limit per task: "1", "2", "4", "6", "8", or a fraction from "0.08" to "1".
   * @default "1"
   */
  readonly cpu?: string;

  /**
   * Memory limit per task, such as "512Mi" or "32Gi"; checked against `cpu`.
   * @default "512Mi"
   */
  readonly memory?: string;

  /**
   * A GPU on each task: gen2, at least 4 CPU and 16Gi for an L4, a region that offers it, and a
   * task timeout of at most one hour, each checked here.
   * @see https://cloud.google.com/run/docs/configuring/jobs/gpu
   * @default - no GPU
   */
  readonly gpu?: Gpu;

  /**
   * Tasks per execution, 1-10,000. Each task gets `CLOUD_RUN_TASK_INDEX` and `CLOUD_RUN_TASK_COUNT`.
   * @default 1
   */
  readonly taskCount?: number;

  /**
   * Tasks that may run at once: at most `taskCount`; 0 means as many as Cloud Run allows.
   * @default - taskCount (all at once)
   */
  readonly parallelism?: number;

  /**
   * Retries of a failed task, 0-10. Cloud Run's own default is 3.
   * @default 3
   */
  readonly maxRetries?: number;

  /**
   * How long one attempt of a task may run, in seconds: at most 168 hours, or one hour with a GPU.
   * @default 600
   */
  readonly timeoutSeconds?: number;

  /**
   * The execution environment. Volumes and GPUs need gen2.
   * @default "gen2"
   */
  readonly executionEnvironment?: "gen1" | "gen2";

  /**
   * Cloud Storage buckets mounted into the container, such as a {@link ModelBucket} at `/models`
   * with `readOnly: false` for a job that writes models. The runtime account is granted read, or
   * read and write, on each mounted ModelBucket.
   * @default - none
   */
  readonly volumes?: readonly CloudStorageVolume[];

  /**
   * An HTTP startup probe on `port` (the container must listen there until it is ready). The window
   * `periodSeconds × failureThreshold` is at most 600 s, 1800 s with a GPU.
   * @default - none
   */
  readonly startupProbe?: Probe;

  /**
   * The port a startup probe calls.
   * @default 8080
   */
  readonly containerPort?: number;

  /**
   * Labels on the job.
   * @default - none
   */
  readonly labels?: Readonly<Record<string, string>>;

  /**
   * Make `terraform destroy` (and a replacing plan) fail for this job. Always written.
   * @default true
   */
  readonly deletionProtection?: boolean;

  /**
   * An existing service account to run as, instead of the one this construct creates. Never the
   * default compute or App Engine account.
   * @default - a dedicated account (`NAME-job`), with log and metric writing only
   */
  readonly serviceAccountEmail?: string;

  /**
   * The account id of the runtime account this construct creates.
   * @default - derived from `name` (see {@link jobServiceAccountId})
   */
  readonly serviceAccountId?: string;

  /**
   * Principals allowed to execute the job and wait for it, as with {@link CloudRunJob.grantRunner}.
   * @default - none
   */
  readonly runners?: readonly string[];

  /**
   * Run the job on a schedule, with Cloud Scheduler calling it as its own account.
   * @default - no schedule: the job runs when executed
   */
  readonly schedule?: JobSchedule;
}

/** The defaults of {@link CloudRunJobProps}, in one place. */
export const JOB_DEFAULTS = {
  cpu: "1",
  memory: "512Mi",
  taskCount: 1,
  maxRetries: 3,
  timeoutSeconds: 600,
  executionEnvironment: "gen2" as const,
  containerPort: 8080,
  deletionProtection: true,
  timeZone: "Etc/UTC",
  retryCount: 0,
};
