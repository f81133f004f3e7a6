import { WORKLOAD_DEFAULTS, WorkloadProps } from "../workload";

/*
 * The props of CloudRunJob and their defaults: those every workload takes (WorkloadProps,
 * lib/constructs/workload/props.ts) and a job's own. Every default is written to the synthesized
 * JSON explicitly, so a stack's snapshot shows what runs.
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

export interface CloudRunJobProps extends WorkloadProps {
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
   * The execution environment: jobs run in the second generation only (Cloud Run "Execution
   * environments"; the API refuses GEN1 for a job), so the one value is `"gen2"`, and leaving it
   * out means the same.
   * @default "gen2"
   */
  readonly executionEnvironment?: "gen2";

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
  ...WORKLOAD_DEFAULTS,
  taskCount: 1,
  maxRetries: 3,
  timeoutSeconds: 600,
  timeZone: "Etc/UTC",
  retryCount: 0,
};
