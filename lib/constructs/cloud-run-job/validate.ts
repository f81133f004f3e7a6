import { Token } from "cdktf";
import {
  iamMember,
  isPublicMember,
  jobServiceAccountId,
  notDefaultServiceAccount,
  serviceAccountEmail,
} from "../../gcp/iam";
import * as run from "../../gcp/run";
import * as scheduler from "../../gcp/scheduler";
import { Problem, Problems } from "../../gcp/validation";
import {
  checkCpuAndMemory,
  checkIdentity,
  checkProbe,
  checkWorkloadBasics,
  checkWorkloadContainer,
  checkWorkloadNetwork,
} from "../workload";
import { CloudRunJobProps, JOB_DEFAULTS } from "./props";

/** Checks {@link CloudRunJobProps}; returns every problem, with prop paths. */
export function validateCloudRunJobProps(props: CloudRunJobProps): Problem[] {
  const p = new Problems();
  checkWorkloadBasics(p, props, "job");
  checkResources(p, props);
  checkWorkloadContainer(p, props, "job");
  checkTasks(p, props);
  checkProbe(p, "startupProbe", props.startupProbe, run.MAX_PROBE_PERIOD.startup, {
    max: props.gpu === undefined ? run.MAX_STARTUP_WINDOW.job : run.MAX_STARTUP_WINDOW.jobWithGpu,
    why: `Cloud Run for a job${props.gpu === undefined ? "" : " with a GPU"}`,
  });
  checkWorkloadNetwork(p, props);
  checkIdentity(p, props);
  (props.runners ?? []).forEach((m, i) => checkRunner(p, `runners[${i}]`, m));
  checkSchedule(p, props);
  return [...p.list];
}

/** CPU and memory, each alone and together; the execution environment (jobs run in gen2 only). */
function checkResources(p: Problems, props: CloudRunJobProps): void {
  const gen: string = props.executionEnvironment ?? JOB_DEFAULTS.executionEnvironment;
  if (gen !== "gen2") {
    p.add(
      "executionEnvironment",
      gen,
      'must be "gen2": Cloud Run jobs run only in the second generation execution environment (Cloud Run "Execution environments"; the API refuses GEN1 for a job)',
    );
  }
  checkCpuAndMemory(p, props, "gen2");
}

/** Tasks, parallelism, retries and the attempt timeout (one hour with a GPU). */
function checkTasks(p: Problems, props: CloudRunJobProps): void {
  p.check("taskCount", props.taskCount, run.taskCount);
  p.check("parallelism", props.parallelism, run.parallelism);
  p.check("maxRetries", props.maxRetries, run.maxRetries);
  const tasks = props.taskCount ?? JOB_DEFAULTS.taskCount;
  const parallel = props.parallelism;
  if (parallel !== undefined && !Token.isUnresolved(parallel) && !Token.isUnresolved(tasks) && parallel > tasks) {
    p.add("parallelism", parallel, `must not exceed taskCount (${tasks}): at most every task at once`);
  }
  const gpu = props.gpu !== undefined;
  const max = gpu ? run.JOB_LIMITS.maxTimeoutSecondsWithGpu : run.JOB_LIMITS.maxTimeoutSeconds;
  p.check("timeoutSeconds", props.timeoutSeconds, (v) =>
    Number.isInteger(v) && v >= 1 && v <= max
      ? undefined
      : gpu
        ? `must be a whole number of seconds from 1 to ${max}: with a GPU, a task attempt may run at most one hour (Cloud Run "Set task timeout"; longer is in preview)`
        : `must be a whole number of seconds from 1 to ${max} (168 hours, Cloud Run "Set task timeout")`,
  );
}

/** A runner: an IAM principal, never a public one. */
export function checkRunner(p: Problems, path: string, member: string): void {
  p.check(path, member, iamMember);
  if (!Token.isUnresolved(member) && isPublicMember(member)) {
    p.add(path, member, "would let anyone on the internet start executions of the job, at your cost");
  }
}

/**
 * True when `email` is the job's runtime account: the one given, or the one the job creates
 * (its account id, in the job's project or, with none given, in any project).
 */
function isRuntimeAccount(props: CloudRunJobProps, email: string): boolean {
  if (props.serviceAccountEmail !== undefined) return email === props.serviceAccountEmail;
  if (Token.isUnresolved(props.name) && props.serviceAccountId === undefined) return false;
  const id = props.serviceAccountId ?? jobServiceAccountId(props.name);
  const m = /^([^@]+)@([^.]+)\.iam\.gserviceaccount\.com$/.exec(email);
  return m !== null && m[1] === id && (props.project === undefined || m[2] === props.project);
}

/** The schedule: cron, time zone, retries, and an account that is not the runtime one. */
function checkSchedule(p: Problems, props: CloudRunJobProps): void {
  const s = props.schedule;
  if (s === undefined) return;
  if (s.cron === undefined) p.add("schedule.cron", undefined, 'is required, such as "0 3 * * 1"');
  p.check("schedule.cron", s.cron, scheduler.cron);
  p.check("schedule.timeZone", s.timeZone, scheduler.timeZone);
  p.check("schedule.retryCount", s.retryCount, scheduler.retryCount);
  if (s.paused !== undefined && typeof s.paused !== "boolean")
    p.add("schedule.paused", s.paused, "must be true or false");
  if (s.serviceAccountEmail !== undefined) {
    p.check("schedule.serviceAccountEmail", s.serviceAccountEmail, serviceAccountEmail);
    p.check("schedule.serviceAccountEmail", s.serviceAccountEmail, notDefaultServiceAccount);
    if (!Token.isUnresolved(s.serviceAccountEmail) && isRuntimeAccount(props, s.serviceAccountEmail)) {
      p.add(
        "schedule.serviceAccountEmail",
        s.serviceAccountEmail,
        "must not be the job's runtime account: the code a job runs must not be able to start jobs",
      );
    }
  }
}
