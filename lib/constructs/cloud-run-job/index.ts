export { CloudRunJob, RUNNER_ROLES } from "./job";
export type { RunnerOptions } from "./job";
export type { CloudRunJobProps, JobSchedule } from "./props";
export { JOB_DEFAULTS } from "./props";
