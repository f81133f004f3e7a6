import { guardPolicyPlacement } from "../common";
import { Construct } from "constructs";
import { serviceAccountMember } from "../../gcp/iam";
import { EXECUTION_ENVIRONMENTS } from "../../gcp/run";
import { sortedRecord } from "../../gcp/terraform";
import { Problems, throwIfInvalid } from "../../gcp/validation";
import {
  CloudRunV2Job,
  CloudRunV2JobConfig,
  CloudRunV2JobIamMember,
  CloudSchedulerJob,
  ServiceAccount,
} from "../../providers";
import { grantId } from "../common";
import { Grant, Grantee, IGrantee, grantOf, grantOnce, memberOf } from "../grants";
import {
  binaryAuthorizationOf,
  createSchedulerAccount,
  gpuOf,
  mainContainer,
  probe,
  volumesOf,
  vpcAccessOf,
  workloadRuntime,
} from "../workload";
import { CloudRunJobProps, JOB_DEFAULTS } from "./props";
import { checkRunner, validateCloudRunJobProps } from "./validate";

/** The roles {@link CloudRunJob.grantRunner} grants on the job. */
export const RUNNER_ROLES = {
  /** `run.jobs.run`: start an execution (without overrides). */
  invoker: "roles/run.invoker",
  /**
   * `run.jobs.run`, `run.jobs.runWithOverrides`, `run.executions.cancel`: start one with other
   * arguments (`--args`), with `overrides: true`. Source: Cloud Run "IAM roles".
   */
  executorWithOverrides: "roles/run.jobsExecutorWithOverrides",
  /** `run.executions.get`/`list`, `run.operations.get`: follow it, which `--wait` does. */
  viewer: "roles/run.viewer",
} as const;

/** Options of {@link CloudRunJob.grantRunner}. */
export interface RunnerOptions {
  /**
   * A name for the grants, in their construct ids (`runner-ID`, `runner-viewer-ID`): for a member
   * whose email differs between environments (it holds the project), so that the addresses do not.
   * @default - derived from the member
   */
  readonly id?: string;
  /**
   * Also let the member run the job with other arguments or environment variables
   * (`gcloud run jobs execute --args`): `roles/run.jobsExecutorWithOverrides` on the job instead
   * of `roles/run.invoker`. Overrides change what the job does; grant them to CI, not to a schedule.
   * @default false
   */
  readonly overrides?: boolean;
}

/** The OAuth scope Cloud Scheduler asks for when it calls the Cloud Run Admin API. */
const CLOUD_PLATFORM_SCOPE = "https://www.googleapis.com/auth/cloud-platform";

/**
 * A Cloud Run job (v2 API): tasks that run to completion, such as training a model. It runs as its
 * own least-privilege service account, its limits are validated (tasks, parallelism, retries, the
 * attempt timeout, a GPU's needs), and deletion protection is on by default. With `schedule`,
 * Cloud Scheduler runs it as a third account that may run this job and nothing else.
 *
 * Construct ids inside (`job`, `service-account`, `log-writer`, `metric-writer`,
 * `secret-access-…`, `runner-…`, `scheduler-account`, `scheduler-invoker`, `schedule`) become
 * Terraform addresses; they never change between versions.
 */
export class CloudRunJob extends Construct implements IGrantee {
  /** The `google_cloud_run_v2_job` resource. */
  readonly job: CloudRunV2Job;
  /** The job name. */
  readonly jobName: string;
  /** The email of the service account the job runs as. */
  readonly serviceAccountEmail: string;
  /**
   * The IAM member of the account the job runs as (`serviceAccount:…`): pass the job itself to
   * another construct's grant method to grant it something.
   */
  readonly member: string;
  /** The runtime service account this construct created, unless an existing one was passed. */
  readonly serviceAccount?: ServiceAccount;
  /** The Cloud Scheduler job, when the job has a schedule. */
  readonly schedule?: CloudSchedulerJob;
  /** The email of the account Cloud Scheduler calls the job as, when it has a schedule. */
  readonly schedulerServiceAccountEmail?: string;
  /** The region. */
  readonly location: string;
  /** The project, when given (otherwise the provider's). */
  readonly project?: string;

  private readonly props: CloudRunJobProps;

  constructor(scope: Construct, id: string, props: CloudRunJobProps) {
    super(scope, id);
    guardPolicyPlacement(this);
    throwIfInvalid(this, "CloudRunJob", validateCloudRunJobProps(props));
    this.props = props;
    this.jobName = props.name;
    this.location = props.location;
    this.project = props.project;
    const { identity, grants, depends } = workloadRuntime(this, props, "job");
    this.serviceAccountEmail = identity.email;
    this.serviceAccount = identity.account;
    this.member = identity.member;
    this.job = new CloudRunV2Job(this, "job", {
      ...jobConfig(props, this.serviceAccountEmail),
      dependsOn: depends(grants),
    });

    (props.runners ?? []).forEach((m) => this.grantRunner(m));

    if (props.schedule !== undefined) {
      const s = props.schedule;
      let schedulerEmail: string;
      let schedulerMember: string;
      if (s.serviceAccountEmail !== undefined) {
        schedulerEmail = s.serviceAccountEmail;
        schedulerMember = serviceAccountMember(s.serviceAccountEmail);
      } else {
        const account = createSchedulerAccount(this, {
          project: props.project,
          jobName: props.name,
          madeBy: "it may run that job only. Managed by cdktf-cloud-run",
          dependsOn: depends(),
        });
        schedulerEmail = account.email;
        schedulerMember = account.member;
      }
      this.schedulerServiceAccountEmail = schedulerEmail;
      // Invoker on this job only, additively: never a project-wide or authoritative binding.
      const invoker = new CloudRunV2JobIamMember(this, "scheduler-invoker", {
        project: props.project,
        location: props.location,
        name: this.job.name,
        role: RUNNER_ROLES.invoker,
        member: schedulerMember,
      });
      const project = props.project ?? this.job.project;
      this.schedule = new CloudSchedulerJob(this, "schedule", {
        project: props.project,
        region: props.location,
        name: `${props.name}-schedule`,
        description: `Runs the Cloud Run job ${props.name}; managed by cdktf-cloud-run`,
        schedule: s.cron,
        timeZone: s.timeZone ?? JOB_DEFAULTS.timeZone,
        paused: s.paused ?? false,
        attemptDeadline: "180s",
        retryConfig: { retryCount: s.retryCount ?? JOB_DEFAULTS.retryCount },
        httpTarget: {
          httpMethod: "POST",
          uri: `https://run.googleapis.com/v2/projects/${project}/locations/${props.location}/jobs/${this.job.name}:run`,
          oauthToken: { serviceAccountEmail: schedulerEmail, scope: CLOUD_PLATFORM_SCOPE },
        },
        dependsOn: depends([invoker]),
      });
    }
  }

  /**
   * Lets `grantee` execute the job and wait for the result (`gcloud run jobs execute JOB --wait`):
   * `roles/run.invoker` (`run.jobs.run`) and `roles/run.viewer` (executions and operations), both
   * on this job only and additively. Running with overrides (`--args`) needs
   * `run.jobs.runWithOverrides`, granted only with `overrides: true`. A public member is refused.
   * Granting the same member twice returns the first grants; other options under the same id are
   * refused.
   */
  grantRunner(grantee: Grantee, options: RunnerOptions = {}): Grant {
    const member = memberOf(grantee);
    const subject = `CloudRunJob "${this.node.path}".grantRunner()`;
    const p = new Problems();
    checkRunner(p, "member", member);
    if (options.id !== undefined && !/^[a-z][a-z0-9-]{0,62}$/.test(options.id)) {
      p.add("options.id", options.id, "must be 1-63 lowercase letters, digits and hyphens, starting with a letter");
    }
    p.throwIfAny(subject);
    const make = (kind: "invoker" | "viewer") => {
      const prefix = kind === "invoker" ? "runner" : "runner-viewer";
      const id = options.id === undefined ? grantId(this, prefix, member) : `${prefix}-${options.id}`;
      const role =
        kind === "viewer"
          ? RUNNER_ROLES.viewer
          : options.overrides
            ? RUNNER_ROLES.executorWithOverrides
            : RUNNER_ROLES.invoker;
      const resource = grantOnce(
        this,
        id,
        { role, member },
        () =>
          new CloudRunV2JobIamMember(this, id, {
            project: this.props.project,
            location: this.props.location,
            name: this.job.name,
            role,
            member,
          }),
        {
          subject,
          path: options.id === undefined ? "options.overrides" : "options.id",
          value: options.id ?? options.overrides ?? false,
        },
      );
      return { role, resource };
    };
    return grantOf(member, [make("invoker"), make("viewer")]);
  }
}

/** How the props become the `google_cloud_run_v2_job`: every default written explicitly. */
function jobConfig(props: CloudRunJobProps, serviceAccountEmail: string): CloudRunV2JobConfig {
  const tasks = props.taskCount ?? JOB_DEFAULTS.taskCount;
  const gpu = gpuOf(props.gpu, false);
  const { volumes, volumeMounts } = volumesOf(props);
  const port = props.containerPort ?? JOB_DEFAULTS.containerPort;
  return {
    project: props.project,
    location: props.location,
    name: props.name,
    labels: sortedRecord(props.labels),
    deletionProtection: props.deletionProtection ?? JOB_DEFAULTS.deletionProtection,
    binaryAuthorization: binaryAuthorizationOf(props),
    template: {
      labels: sortedRecord(props.labels),
      taskCount: tasks,
      parallelism: props.parallelism ?? tasks,
      template: {
        serviceAccount: serviceAccountEmail,
        encryptionKey: props.encryptionKey,
        vpcAccess: vpcAccessOf(props),
        executionEnvironment: EXECUTION_ENVIRONMENTS.gen2,
        maxRetries: props.maxRetries ?? JOB_DEFAULTS.maxRetries,
        timeout: `${props.timeoutSeconds ?? JOB_DEFAULTS.timeoutSeconds}s`,
        nodeSelector: gpu.nodeSelector,
        gpuZonalRedundancyDisabled: gpu.gpuZonalRedundancyDisabled,
        volumes,
        containers: [
          {
            ...mainContainer(props),
            resources: {
              limits: { cpu: props.cpu ?? JOB_DEFAULTS.cpu, memory: props.memory ?? JOB_DEFAULTS.memory, ...gpu.limit },
            },
            ports: props.startupProbe === undefined ? undefined : [{ containerPort: port }],
            startupProbe: probe(props.startupProbe, port),
            volumeMounts,
          },
        ],
      },
    },
  };
}
