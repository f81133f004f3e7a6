import { TerraformOutput, dependable } from "cdktf";
import { Construct } from "constructs";
import { projectNumberOf } from "../constructs/common";
import { grantEventReceiver, grantStorageAgentPublisher } from "../constructs/cloud-run-service/events";
import { GitHubWorkloadIdentity } from "../constructs/github-workload-identity";
import { eventTriggerServiceAccountId } from "../gcp/iam";
import { StateBucket } from "../constructs/state-bucket";
import {
  createRuntimeServiceAccount,
  createSchedulerAccount,
  grantRunKeyAccess,
  grantCloudSqlAccess,
  grantSecretAccess,
} from "../constructs/workload";
import { bucketsCondition } from "../gcp/storage";
import { describeGitHubJobs } from "../gcp/workload-identity";
import { KmsCryptoKeyIamMember, ServiceAccount, ServiceAccountIamMember } from "../providers";
import { BootstrapMetadata } from "./bootstrap-metadata";
import { EnvironmentConfig, parseEnvironmentConfig, serviceProps } from "./config";
import { bucketProps, jobProps, repositoryProps, workerPoolProps } from "./config/props";
import { EnvironmentStack, environmentResourceTypes } from "./environment-stack";
import {
  IDENTITY_JOBS,
  IdentityKind,
  canaryGuarded,
  eventTriggerAccountEmail,
  identityProviderVariable,
  runtimeAccountEmail,
  schedulerAccountEmail,
  workloadAccountEmail,
} from "./identities";
import { PipelineIdentities, PipelineIdentity } from "./pipeline-identities";
import { previousStage, promotionOrder } from "./promotion";
import {
  RoleGrants,
  bucketScopedRoles,
  enableApis,
  repositoryScopedRoles,
  resourceTypesOf,
  rolesFor,
} from "./resources";
import { AppStack } from "./stack-base";

export type { PipelineIdentity } from "./pipeline-identities";

/** The names of an environment's buckets: what its bucket-scoped roles are limited to. */
function bucketNamesOf(config: EnvironmentConfig): string[] {
  return Object.keys(config.buckets ?? {}).map((key) => bucketProps(config, key).name);
}

/** The buckets an environment's services read their models from. */
function modelBucketsOf(config: EnvironmentConfig): string[] {
  const keys = new Set(
    Object.values(config.services)
      .map((s) => s.model?.bucket)
      .filter((k): k is string => k !== undefined && config.buckets?.[k] !== undefined),
  );
  return [...keys].map((key) => bucketProps(config, key).name).sort();
}

/** `gs://` URLs of buckets, for the report. */
const gsUrls = (buckets: readonly string[]) => buckets.map((b) => `gs://${b}`).join(", ");

/** The id of an environment's bootstrap stack: `bootstrap-<env>`. */
export function bootstrapStackId(environment: string): string {
  return `bootstrap-${environment}`;
}

/**
 * APIs the pipelines use at run time without any resource of theirs: the Security Token Service
 * exchanges a GitHub token, IAM Credentials mints the service account's token.
 * Source: Google "Workload Identity Federation with deployment pipelines", required APIs.
 */
const FEDERATION_APIS = ["iamcredentials.googleapis.com", "sts.googleapis.com"];

/** The Cloud Run API, whose enabling creates the Cloud Run service agent. */
const RUN_API = "run.googleapis.com";

/** Options of {@link BootstrapStack}. */
export interface BootstrapStackOptions {
  /**
   * Every environment's configuration (this one included): which one is first in promotion
   * order, and where this one's images are promoted from.
   */
  readonly environments: readonly EnvironmentConfig[];
  /**
   * The file the configuration comes from, named in policy findings.
   * @default - findings name the environment
   */
  readonly source?: string;
  /**
   * The environment's stack with every service deployed, when the caller has built it already
   * (synthesis has): its resource types are read from it instead of building another.
   * @default - built here, in a detached construct tree
   */
  readonly environmentStack?: EnvironmentStack;
}

/**
 * An environment's day-one stack, `bootstrap-<env>`: what must exist before its pipelines can
 * run, from the same environment file as its stack, as {@link AppStack} starts every stack:
 *
 * - the state bucket (`stateBucket`), versioned, private, protected from destroy;
 * - workload identity federation for the GitHub repository (`github`), admitting its tokens only;
 * - the plan identity (`terraform-plan`): the reading role of every resource type the
 *   environment's stack manages, and read on the state;
 * - the deploy identity (`terraform-deploy`): the managing role of each of those types, and write
 *   on the state;
 * - each service's and job's runtime account, with its project roles and secrets (and a job's
 *   scheduler account), which the deploy identity may deploy as;
 * - the job runner, when the environment has jobs;
 * - the canary guard (`canary-guard`), when some service's canaries are analyzed: it reads their
 *   metrics and moves a failing canary's traffic back to the stable revision;
 * - the image identity: `image-builder` in the first environment of the promotion order (it
 *   pushes builds), `image-promoter` in every other (it copies images from the stage before);
 * - no basic role and no service account key anywhere.
 *
 * Each pipeline identity is usable only by the workflow jobs it exists for ({@link IDENTITY_JOBS}):
 * by workflow file, branch and GitHub environment.
 *
 * A project owner applies it once, by hand, before the environment's first deploy, and again
 * whenever the environment's stack starts using a new kind of resource. The deploy workflow never
 * plans it. Its state lives in the bucket it creates, under `<app>/bootstrap-<env>`;
 * docs/ci-cd.md, "From zero to a first deploy", shows the one-time local start.
 *
 * Construct ids (Terraform addresses) are fixed: `apis`, `state`, `github`, one account per
 * identity kind (`plan`, `deploy`, `runner`, `builder`, `promoter`, `canary`), `runtime/<key>`.
 */
export class BootstrapStack extends AppStack {
  readonly stateBucket: StateBucket;
  readonly github: GitHubWorkloadIdentity;
  /** Each pipeline identity, with every grant the stack makes it (or the environment's stack makes it). */
  readonly identities: Readonly<Partial<Record<IdentityKind, PipelineIdentity>>>;

  private readonly pipeline: PipelineIdentities;
  /** Each service's runtime account, and the construct its grants live under, by the service's key. */
  private readonly serviceAccounts = new Map<string, { scope: Construct; account: ServiceAccount }>();
  /** Customer-managed key grants, which wait for the Cloud Run API. */
  private readonly keyGrants: KmsCryptoKeyIamMember[] = [];

  /** @param config the environment's configuration, validated as the environment stack's is */
  constructor(scope: Construct, id: string, config: EnvironmentConfig | unknown, options: BootstrapStackOptions) {
    const parsed = parseEnvironmentConfig(config);
    const managed =
      options.environmentStack === undefined
        ? environmentResourceTypes(parsed)
        : resourceTypesOf(options.environmentStack);
    // Before the stack exists: a resource type with no known roles stops it, naming the type.
    const manageRoles = rolesFor(managed, "manage");
    const readRoles = rolesFor(managed, "read");
    super(scope, id, parsed, { raw: config, file: options.source, state: bootstrapStackId(parsed.name) });
    new BootstrapMetadata(this, "bootstrap", { environment: parsed.name, stage: parsed.stage });
    this.pipeline = new PipelineIdentities(this, parsed);

    this.stateBucket = new StateBucket(this, "state", {
      name: parsed.stateBucket,
      location: parsed.region,
      labels: { ...this.labels, purpose: "terraform-state" },
    });
    this.github = new GitHubWorkloadIdentity(this, "github", {
      repository: parsed.github.repository,
      repositoryId: parsed.github.repositoryId,
      ownerId: parsed.github.ownerId,
    });

    this.addPlanIdentity(readRoles);
    this.addDeployIdentity(manageRoles, bucketScopedRoles(managed), repositoryScopedRoles(managed));
    this.addRuntimeAccounts();
    this.addJobRunner();
    this.addImageIdentity(options.environments);
    this.addCanaryGuard();
    this.identities = this.pipeline.report();

    new TerraformOutput(this, "workload_identity_provider", {
      value: this.github.providerName,
      description: `Set the GitHub repository variable ${identityProviderVariable(parsed.name)} to this value`,
      staticId: true,
    });
    new TerraformOutput(this, "github_variables", {
      value: { [identityProviderVariable(parsed.name)]: this.github.providerName },
      description: "The GitHub repository variables the workflows read for this environment",
      staticId: true,
    });

    // Every resource waits for its API; the federation APIs are enabled beside them. A key grant
    // names Cloud Run's service agent, which exists once the Cloud Run API is enabled: on a new
    // project that is here, before the environment stack's first apply enables it too.
    const apis = enableApis(this, parsed.project, [
      ...FEDERATION_APIS,
      ...(this.keyGrants.length > 0 ? [RUN_API] : []),
    ]);
    for (const grant of this.keyGrants) {
      grant.dependsOn = [...(grant.dependsOn ?? []), dependable(apis.resource(RUN_API))];
    }
  }

  /**
   * Creates identity `kind`'s account (construct id: the kind), usable only by the workflow jobs
   * {@link IDENTITY_JOBS} names for it: one member per workflow file, on its branch, in its
   * GitHub environment.
   */
  private identity(kind: IdentityKind, displayName: string): ServiceAccount {
    const { config } = this;
    const jobs = IDENTITY_JOBS[kind](config.name);
    const account = this.pipeline.account(
      kind,
      displayName,
      `${config.github.repository}: ${jobs.map(describeGitHubJobs).join("; ")}`,
    );
    for (const job of jobs) this.github.grantWorkflow(account, job);
    return account;
  }

  /** The environment's own state only: the bootstrap stack's state, beside it in the bucket, stays the owner's. */
  private get statePrefix(): string {
    return `${this.config.app}/${this.config.name}/`;
  }

  /** Plan: reads what the environment's stack manages, and its state; plans and drift checks. */
  private addPlanIdentity(readRoles: RoleGrants): void {
    const { config } = this;
    this.identity("plan", `Terraform plan for ${config.name}, read-only`);
    this.pipeline.grantProjectRoles("plan", readRoles);
    const state = this.stateBucket.grantStateReader(this.pipeline.member("plan"), { prefix: this.statePrefix });
    this.pipeline.granted(
      "plan",
      {
        role: "roles/storage.objectViewer",
        on: `gs://${config.stateBucket}/${this.statePrefix}`,
        neededFor: "reading the Terraform state",
      },
      state.resources,
    );
  }

  /**
   * Deploy: manages what the environment's stack manages, from apply.yml in the GitHub environment
   * of the same name only. A bucket-scoped role (storage.admin) holds on the environment's own
   * buckets only; a repository-scoped one (artifactregistry.admin) is not granted here: the
   * environment's stack grants it on the repository it creates.
   */
  private addDeployIdentity(
    manageRoles: RoleGrants,
    bucketScoped: ReadonlySet<string>,
    repositoryScoped: ReadonlySet<string>,
  ): void {
    const { config } = this;
    this.identity("deploy", `Terraform deploy for ${config.name}`);
    const buckets = bucketNamesOf(config);
    const onProject = new Map([...manageRoles].filter(([role]) => !repositoryScoped.has(role)));
    this.pipeline.grantProjectRoles("deploy", onProject, (role) =>
      bucketScoped.has(role)
        ? { condition: bucketsCondition(buckets), on: `${gsUrls(buckets)} (condition)` }
        : undefined,
    );
    const repository = repositoryProps(config);
    for (const role of repositoryScoped) {
      this.pipeline.granted("deploy", {
        role,
        on: `repository ${repository.repositoryId} (the environment's stack grants it)`,
        neededFor: (manageRoles.get(role) ?? []).join(", "),
      });
    }
    const state = this.stateBucket.grantStateWriter(this.pipeline.member("deploy"), { prefix: this.statePrefix });
    this.pipeline.granted(
      "deploy",
      {
        role: "roles/storage.objectAdmin",
        on: `gs://${config.stateBucket}/${this.statePrefix}`,
        neededFor: "writing the Terraform state and its lock",
      },
      state.resources,
    );
  }

  /**
   * The services' and jobs' runtime accounts (under `runtime/<key>`): each with its project roles,
   * its secrets (as variables and as files) and, with a Cloud SQL volume, `roles/cloudsql.client`, and the deploy identity allowed to deploy what runs as it (and as nothing
   * else). A scheduled job's scheduler account too, which the environment's stack grants invoker
   * on that job only. A customer-managed key: Cloud Run's service agent may use it (the owner sets
   * a key's IAM).
   */
  private addRuntimeAccounts(): void {
    const { config } = this;
    const runtime = new Construct(this, "runtime");
    let projectNumber: string | undefined;
    const keyAccess = (scope: Construct, encryptionKey: string | undefined) => {
      if (encryptionKey === undefined) return;
      projectNumber = projectNumberOf(this, projectNumber, config.project);
      this.keyGrants.push(...grantRunKeyAccess(scope, { encryptionKey, projectNumber }, undefined));
    };
    const workloads = [
      ...Object.keys(config.services)
        .sort()
        .map((key) => ({ key, kind: "service" as const, props: serviceProps(config, key) })),
      ...Object.keys(config.jobs ?? {})
        .sort()
        .map((key) => ({ key, kind: "job" as const, props: jobProps(config, key) })),
      ...Object.keys(config.workerPools ?? {})
        .sort()
        .map((key) => ({ key, kind: "workerPool" as const, props: workerPoolProps(config, key) })),
    ];
    for (const { key, kind, props } of workloads) {
      const scope = new Construct(runtime, key);
      const account = createRuntimeServiceAccount(scope, { project: config.project, name: props.name, kind });
      if (kind === "service") this.serviceAccounts.set(key, { scope, account });
      grantSecretAccess(scope, props, account.member, undefined);
      grantCloudSqlAccess(scope, { ...props, project: config.project }, account.member, undefined);
      keyAccess(scope, props.encryptionKey);
      const email = workloadAccountEmail(config, key, kind);
      const what = kind === "service" ? key : kind === "job" ? `job ${key}` : `worker pool ${key}`;
      this.deployMayActAs(scope, "deployer-act-as", account, email, `deploying ${what}, which runs as it`);
      if (kind === "job" && "schedule" in props && props.schedule !== undefined) {
        const scheduler = createSchedulerAccount(scope, {
          project: config.project,
          jobName: props.name,
          madeBy: "the environment's stack grants it invoker on that job only. Made by the bootstrap stack; no keys.",
        });
        this.deployMayActAs(
          scope,
          "deployer-act-as-scheduler",
          scheduler,
          schedulerAccountEmail(config, key),
          `scheduling job ${key}, which Cloud Scheduler calls as it`,
        );
      }
      if (kind === "service")
        this.addEventAccounts(scope, key, props.name, () => {
          projectNumber = projectNumberOf(this, projectNumber, config.project);
          return projectNumber;
        });
    }
  }

  /**
   * A service's event triggers' accounts (under `runtime/<key>/events-<id>`): each calls that service
   * only (the environment's stack grants it invoker there, beside the trigger), receives direct
   * events when its source is a bucket (`roles/eventarc.eventReceiver` on the project), and the
   * deploy identity may make a trigger that acts as it. The Cloud Storage service agent's
   * `roles/pubsub.publisher` on the project, once, for a bucket's events.
   */
  private addEventAccounts(scope: Construct, key: string, serviceName: string, projectNumber: () => string): void {
    const { config } = this;
    for (const [id, event] of Object.entries(config.services[key].events ?? {}).sort(([a], [b]) =>
      a.localeCompare(b),
    )) {
      const at = new Construct(scope, `events-${id}`);
      const account = new ServiceAccount(at, "service-account", {
        project: config.project,
        accountId: eventTriggerServiceAccountId(serviceName, id),
        displayName: `Eventarc: ${id} to ${serviceName}`,
        description: `Eventarc trigger ${id} calls the Cloud Run service ${serviceName} as this account; the environment's stack grants it invoker on that service only. Made by the bootstrap stack; no keys.`,
      });
      if ("bucket" in event.source) {
        grantEventReceiver(at, config.project, account.member);
        grantStorageAgentPublisher(this, config.project, projectNumber());
      }
      this.deployMayActAs(
        at,
        "deployer-act-as",
        account,
        eventTriggerAccountEmail(config, key, id),
        `making the event trigger ${id} of ${key}, which calls the service as it`,
      );
    }
  }

  /** The deploy identity may deploy what runs as `account` (construct id `id` under `scope`). */
  private deployMayActAs(scope: Construct, id: string, account: ServiceAccount, email: string, why: string): void {
    const actAs = new ServiceAccountIamMember(scope, id, {
      serviceAccountId: account.name,
      role: "roles/iam.serviceAccountUser",
      member: this.pipeline.member("deploy"),
    });
    this.pipeline.granted("deploy", { role: "roles/iam.serviceAccountUser", on: `account ${email}`, neededFor: why }, [
      actAs,
    ]);
  }

  /**
   * Jobs run from the Train workflow: the runner identity, which the environment's stack grants
   * the executor (with overrides in development) and viewer roles on each job, and nothing on the
   * project. Only from train.yml in the GitHub environment of the environment's name, so a
   * production run waits for that environment's reviewers, as a deploy does, and its token is
   * never the deploy identity's.
   */
  private addJobRunner(): void {
    const { config } = this;
    const keys = Object.keys(config.jobs ?? {}).sort();
    if (keys.length === 0) return;
    this.identity("runner", `Job runs in ${config.name}`);
    for (const key of keys) {
      const job = jobProps(config, key).name;
      const on = `job ${job} (the environment's stack grants it)`;
      if (config.stage === "development") {
        this.pipeline.granted("runner", {
          role: "roles/run.jobsExecutorWithOverrides",
          on,
          neededFor: `gcloud run jobs execute ${job} --args …`,
        });
      } else {
        this.pipeline.granted("runner", {
          role: "roles/run.invoker",
          on,
          neededFor: `gcloud run jobs execute ${job} (its own arguments only)`,
        });
      }
      this.pipeline.granted("runner", { role: "roles/run.viewer", on, neededFor: "--wait: following the execution" });
    }
  }

  /**
   * Canaries: the canary guard, which canary.yml on main signs in as every few minutes to judge
   * each canary in flight (`npm run release -- analyze`) and, when one fails, to move its
   * service's traffic back to the stable revision at once (`npm run release -- revert-traffic`),
   * before the pull request that records the rollback is merged. Only where some service's
   * canaries are analyzed (`rolloutOf(config, key).enabled`), with grants for those services only:
   *
   * - `roles/monitoring.viewer` on the project: reading the request counts and latencies of the
   *   canary and stable revisions (`monitoring.timeSeries.list`). Time series have no IAM policy of
   *   their own, and no condition limits a Monitoring role; it also reads the project's alert
   *   policies, dashboards, uptime checks and SLOs, and changes none;
   * - `roles/iam.serviceAccountUser` on each such service's runtime account, and nothing else's:
   *   Cloud Run asks for it to change a service at all, traffic included (Cloud Run, "Rollbacks,
   *   gradual rollouts, and traffic migration", required roles: Cloud Run Developer on the service,
   *   Service Account User on the service identity);
   * - `roles/run.developer` on each such service (the environment's stack grants it: the service
   *   must exist first, and it is that stack's).
   *
   * What that still allows: Cloud Run has no permission for traffic alone, so run.developer on a
   * service, with act-as on its account, could also deploy a new revision of it (any image, running
   * as that account, with its secrets and model bucket), or change its scaling. What holds it to
   * moving traffic: only canary.yml on main can mint its token (no branch, pull request or other
   * workflow file can), and that workflow's code path only ever moves traffic to the stable
   * revision the release file in git names; every change it makes is in Cloud Audit Logs (Admin
   * Activity, always on) under this account; and the scheduled drift check (drift.yml) reports
   * any template or traffic that differs from what Terraform would write, until the rollback's
   * pull request is merged and applied. It holds nothing on jobs, buckets, repositories or the
   * environment's IAM, and cannot change any service's IAM policy (run.developer has no
   * setIamPolicy).
   */
  private addCanaryGuard(): void {
    const { config } = this;
    const guarded = canaryGuarded(config);
    if (guarded.length === 0) return;
    this.identity("canary", `Canary analysis and rollback in ${config.name}`);
    this.pipeline.grantProjectRoles(
      "canary",
      new Map([
        [
          "roles/monitoring.viewer",
          ["npm run release -- analyze: the request counts and latencies of each canary and its stable revision"],
        ],
      ]),
    );
    for (const key of guarded) {
      const { scope, account } = this.serviceAccounts.get(key)!;
      const name = serviceProps(config, key).name;
      const actAs = new ServiceAccountIamMember(scope, "canary-act-as", {
        serviceAccountId: account.name,
        role: "roles/iam.serviceAccountUser",
        member: this.pipeline.member("canary"),
      });
      this.pipeline.granted(
        "canary",
        {
          role: "roles/iam.serviceAccountUser",
          on: `account ${runtimeAccountEmail(config, key)}`,
          neededFor: `moving ${key}'s traffic: Cloud Run asks for act-as on a service's identity to change the service`,
        },
        [actAs],
      );
      this.pipeline.granted("canary", {
        role: "roles/run.developer",
        on: `service ${name} (the environment's stack grants it)`,
        neededFor: `npm run release -- revert-traffic: moving ${key}'s traffic to its stable revision (there is no traffic-only role)`,
      });
    }
  }

  /**
   * Images: the first environment of the promotion order receives builds; every other one copies
   * images (and model versions) from the environments of the stage before: build.yml and
   * release.yml on main.
   */
  private addImageIdentity(environments: readonly EnvironmentConfig[]): void {
    const { config } = this;
    const ordered = promotionOrder(environments);
    const first = ordered[0]?.name === config.name;
    const kind = first ? "builder" : "promoter";
    this.identity(kind, first ? `Image builds into ${config.name}` : `Image promotions into ${config.name}`);
    const purpose = first
      ? "pushing built images to this environment's repository"
      : "copying promoted images into this environment's repository";
    this.pipeline.grantProjectRoles(kind, new Map([["roles/artifactregistry.writer", [purpose]]]));
    if (first) return;

    const before = previousStage(config.stage, ordered);
    const sources = ordered.filter((e) => e.stage === before && e.name !== config.name);
    for (const source of sources) {
      // Read the source environment's repository, and nothing else of its project, to copy from
      // it. The repository must exist: that environment's first deploy comes before this stack.
      const repository = repositoryProps(source);
      this.pipeline.grantOnRepository("promoter", `reads-${source.name}`, {
        project: source.project,
        location: repository.location,
        repository: repository.repositoryId,
        role: "roles/artifactregistry.reader",
        on: `repository ${repository.repositoryId} of ${source.project}`,
        neededFor: `copying images from ${source.name}`,
      });
      // And its model buckets, to copy promoted model versions from them.
      const theirs = modelBucketsOf(source);
      if (theirs.length > 0 && modelBucketsOf(config).length > 0) {
        this.pipeline.grantInProject("promoter", `reads-models-${source.name}`, {
          project: source.project,
          role: "roles/storage.objectViewer",
          condition: bucketsCondition(theirs, `only ${source.name}'s model buckets`),
          on: gsUrls(theirs),
          neededFor: `copying model versions from ${source.name}`,
        });
      }
    }
    // Into its own model buckets: create and list, never replace or delete, so a promotion adds a
    // version and cannot change one that serves (the copy runs with --no-clobber).
    const ours = modelBucketsOf(config);
    if (ours.length === 0) return;
    for (const [id, role, why] of [
      ["writes-models", "roles/storage.objectCreator", "copying promoted model versions in, never over one"],
      ["lists-models", "roles/storage.objectViewer", "comparing what a copy wrote"],
    ] as const) {
      this.pipeline.grantInProject("promoter", id, {
        project: config.project,
        role,
        condition: bucketsCondition(ours, "only this environment's model buckets"),
        on: gsUrls(ours),
        neededFor: why,
      });
    }
  }
}
