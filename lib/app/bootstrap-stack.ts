import {
  Aspects,
  GcsBackend,
  TerraformDataSource,
  TerraformOutput,
  TerraformResource,
  TerraformStack,
  dependable,
} from "cdktf";
import { Construct } from "constructs";
import { grantKeyUse, projectNumberOf } from "../constructs/common";
import { GitHubWorkloadIdentity } from "../constructs/github-workload-identity";
import { StateBucket } from "../constructs/state-bucket";
import { sortedRecord } from "../gcp/terraform";
import { PolicyPack, STAGES } from "../policies";
import {
  GoogleProvider,
  KmsCryptoKeyIamMember,
  ProjectIamMember,
  ServiceAccount,
  ServiceAccountIamMember,
} from "../providers";
import { SERVICE_AGENTS } from "../gcp/run";
import {
  createRuntimeServiceAccount,
  grantSecretAccess,
  schedulerServiceAccountId,
} from "../constructs/cloud-run-service/service-account";
import { enableApis, resourcesUnder } from "./apis";
import { BootstrapMetadata } from "./bootstrap-metadata";
import { EnvironmentConfig, configLocator, parseEnvironmentConfig, serviceProps } from "./config";
import { bucketProps, jobProps } from "./config/props";
import { EnvironmentStack, releasedEverywhere } from "./environment-stack";
import {
  IDENTITIES,
  IdentityKind,
  identityEmail,
  identityProviderVariable,
  jobAccountEmail,
  runtimeAccountEmail,
  schedulerAccountEmail,
} from "./identities";
import { EMPTY_RELEASE, previousStage } from "./release/model";
import { RoleGrants, bucketCondition, bucketScopedRoles, rolesFor } from "./roles";

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

/** The environments in promotion order: by stage, then by name. The first one receives builds. */
export function promotionOrder(configs: readonly EnvironmentConfig[]): EnvironmentConfig[] {
  return [...configs].sort((a, b) => STAGES.indexOf(a.stage) - STAGES.indexOf(b.stage) || a.name.localeCompare(b.name));
}

/**
 * The resource types an environment's stack creates, every service counted as deployed (those
 * without a release yet too), built apart in a detached construct tree: what its deploy identity
 * must manage, and its plan identity read.
 */
export function environmentResourceTypes(config: EnvironmentConfig): string[] {
  return typesOf(
    new EnvironmentStack(new Construct(undefined as never, ""), config.name, config, {
      release: releasedEverywhere(config, EMPTY_RELEASE),
    }),
  );
}

function typesOf(stack: EnvironmentStack): string[] {
  const dataSources = stack.node
    .findAll()
    .filter((c): c is TerraformDataSource => c instanceof TerraformDataSource)
    .map((d) => `data.${d.terraformResourceType}`);
  return [
    ...new Set([
      "google_project_service",
      ...resourcesUnder(stack).map((r) => r.terraformResourceType),
      ...dataSources,
    ]),
  ].sort();
}

/** One pipeline identity of a bootstrap stack: its account and the project roles it holds, with why. */
export interface PipelineIdentity {
  readonly account: ServiceAccount;
  readonly email: string;
  /** Who may use it, in words. */
  readonly usableBy: string;
  /** Project-level role → the resource types (or the purpose) that need it. */
  readonly roles: RoleGrants;
  /** Grants beyond the project's roles: on the state bucket, or in another project. */
  readonly otherGrants: readonly { readonly role: string; readonly on: string; readonly neededFor: string }[];
}

/**
 * An environment's day-one stack, `bootstrap-<env>`: what must exist before its pipelines can
 * run, from the same environment file as its stack.
 *
 * - the state bucket (`stateBucket`), versioned, private, protected from destroy;
 * - workload identity federation for the GitHub repository (`github`), admitting its tokens only;
 * - the plan identity (`terraform-plan`): the reading role of every resource type the
 *   environment's stack manages, and read on the state; usable by any job of the repository;
 * - the deploy identity (`terraform-deploy`): the managing role of each of those types (the
 *   project IAM admin role limited to the roles the stack grants), and write on the state; usable
 *   only by jobs in the GitHub environment of the environment's name;
 * - the image identity: `image-builder` in the first environment of the promotion order (it
 *   pushes builds), `image-promoter` in every other (it copies images from the stage before);
 *   usable only by jobs on main;
 * - no basic role and no service account key anywhere.
 *
 * A project owner applies it once, by hand, before the environment's first deploy, and again
 * whenever the environment's stack starts using a new kind of resource. The deploy workflow never
 * plans it. Its state lives in the bucket it creates, under `<app>/bootstrap-<env>`; the README's
 * "From zero to a first deploy" shows the one-time local start.
 *
 * Construct ids (Terraform addresses) are fixed: `apis`, `state`, `github`, one account per
 * identity kind (`plan`, `deploy`, `builder`, `promoter`).
 */
export class BootstrapStack extends TerraformStack {
  readonly config: EnvironmentConfig;
  readonly stateBucket: StateBucket;
  readonly github: GitHubWorkloadIdentity;
  readonly identities: Readonly<Partial<Record<IdentityKind, PipelineIdentity>>>;
  readonly policyPack: PolicyPack;

  /**
   * @param config the environment's configuration, validated as the environment stack's is
   * @param options.environments every environment's configuration (this one included): which one
   *   is first in promotion order, and where this one's images are promoted from
   * @param options.source the file the configuration comes from, named in policy findings
   */
  constructor(
    scope: Construct,
    id: string,
    config: EnvironmentConfig | unknown,
    options: {
      readonly environments: readonly EnvironmentConfig[];
      readonly source?: string;
      /**
       * The environment's stack with every service deployed, when the caller has built it
       * already (synthesis has): its resource types are read from it instead of building another.
       */
      readonly environmentStack?: EnvironmentStack;
    },
  ) {
    const parsed = parseEnvironmentConfig(config);
    const managed =
      options.environmentStack === undefined ? environmentResourceTypes(parsed) : typesOf(options.environmentStack);
    const manageRoles = rolesFor(managed, "manage");
    const readRoles = rolesFor(managed, "read");
    const scoped = bucketScopedRoles(managed);
    super(scope, id);
    this.config = parsed;
    const labels = { ...parsed.labels, environment: parsed.name, app: parsed.app, "managed-by": "cdktf-cloud-run" };
    const provider = new GoogleProvider(this, "google", { project: parsed.project, region: parsed.region });
    provider.addOverride("default_labels", sortedRecord(labels));
    new GcsBackend(this, { bucket: parsed.stateBucket, prefix: `${parsed.app}/${bootstrapStackId(parsed.name)}` });
    new BootstrapMetadata(this, "bootstrap", { environment: parsed.name, stage: parsed.stage });

    this.stateBucket = new StateBucket(this, "state", {
      name: parsed.stateBucket,
      location: parsed.region,
      labels: { ...labels, purpose: "terraform-state" },
    });
    this.github = new GitHubWorkloadIdentity(this, "github", {
      repository: parsed.github.repository,
      repositoryId: parsed.github.repositoryId,
      ownerId: parsed.github.ownerId,
    });

    const identities: Partial<Record<IdentityKind, PipelineIdentity>> = {};
    const account = (kind: IdentityKind, displayName: string, usableBy: string, roles: RoleGrants) => {
      const sa = new ServiceAccount(this, kind, {
        accountId: IDENTITIES[kind],
        displayName,
        description: `${displayName}. Usable by ${usableBy}. Made by the bootstrap stack; no keys.`,
      });
      identities[kind] = { account: sa, email: identityEmail(parsed, kind), usableBy, roles, otherGrants: [] };
      return sa;
    };
    const member = (kind: IdentityKind) => `serviceAccount:${identityEmail(parsed, kind)}`;
    const other = (kind: IdentityKind, role: string, on: string, neededFor: string) => {
      const identity = identities[kind]!;
      identities[kind] = { ...identity, otherGrants: [...identity.otherGrants, { role, on, neededFor }] };
    };
    // A bucket-scoped role (storage.admin) holds on the environment's own buckets only.
    const buckets = bucketNamesOf(parsed);
    const grant = (kind: IdentityKind, sa: ServiceAccount, roles: RoleGrants) => {
      for (const role of roles.keys()) {
        new ProjectIamMember(sa, `project-${role.replace(/^roles\//, "").replace(/\./g, "-")}`, {
          project: parsed.project,
          role,
          member: member(kind),
          condition: kind === "deploy" && scoped.has(role) ? bucketCondition(buckets) : undefined,
          dependsOn: [sa],
        });
      }
    };
    // The environment's own state only: the bootstrap stack's state, beside it in the bucket,
    // stays the owner's.
    const statePrefix = `${parsed.app}/${parsed.name}/`;

    // Plan: reads what the environment's stack manages, and its state; any job of the repository.
    const plan = account(
      "plan",
      `Terraform plan for ${parsed.name}, read-only`,
      `any workflow job of ${parsed.github.repository}`,
      readRoles,
    );
    this.github.allowRepository(plan);
    grant("plan", plan, readRoles);
    after(this.stateBucket.grantStateReader(member("plan"), { prefix: statePrefix }), plan);
    other(
      "plan",
      "roles/storage.objectViewer",
      `gs://${parsed.stateBucket}/${statePrefix}`,
      "reading the Terraform state",
    );

    // Deploy: manages it, from the GitHub environment of the same name only.
    const deploy = account(
      "deploy",
      `Terraform deploy for ${parsed.name}`,
      `jobs in the GitHub environment "${parsed.name}" of ${parsed.github.repository}, on main`,
      manageRoles,
    );
    this.github.allowEnvironment(deploy, parsed.name);
    grant("deploy", deploy, manageRoles);
    // Listed with the buckets they are limited to, not as project roles.
    for (const role of scoped) {
      const identity = identities.deploy!;
      const roles = new Map(identity.roles);
      const types = roles.get(role) ?? [];
      roles.delete(role);
      identities.deploy = { ...identity, roles };
      other("deploy", role, buckets.map((b) => `gs://${b}`).join(", ") + " (condition)", types.join(", "));
    }
    after(this.stateBucket.grantStateWriter(member("deploy"), { prefix: statePrefix }), deploy);
    other(
      "deploy",
      "roles/storage.objectAdmin",
      `gs://${parsed.stateBucket}/${statePrefix}`,
      "writing the Terraform state and its lock",
    );

    // The services' runtime accounts: each with its project roles and its secrets, and the deploy
    // identity allowed to deploy services that run as it (and as nothing else).
    const runtime = new Construct(this, "runtime");
    // The deploy identity may deploy what runs as the account `accountName` (its email, for the table).
    const deployMayActAs = (scope: Construct, id: string, accountName: string, email: string, why: string) => {
      const actAs = new ServiceAccountIamMember(scope, id, {
        serviceAccountId: accountName,
        role: "roles/iam.serviceAccountUser",
        member: member("deploy"),
      });
      after(actAs, deploy);
      other("deploy", "roles/iam.serviceAccountUser", `account ${email}`, why);
    };
    let projectNumber: string | undefined;
    const keyGrants: KmsCryptoKeyIamMember[] = [];
    for (const key of Object.keys(parsed.services).sort()) {
      const svc = parsed.services[key];
      const scope = new Construct(runtime, key);
      const sa = createRuntimeServiceAccount(scope, { project: parsed.project, serviceName: svc.name ?? key });
      grantSecretAccess(scope, serviceProps(parsed, key), sa.member, undefined);
      // A customer-managed key: Cloud Run's service agent may use it (the owner sets key IAM).
      if (svc.encryptionKey !== undefined) {
        projectNumber = projectNumberOf(this, projectNumber, parsed.project);
        keyGrants.push(grantKeyUse(scope, svc.encryptionKey, SERVICE_AGENTS.run(projectNumber)));
      }
      deployMayActAs(
        scope,
        "deployer-act-as",
        sa.name,
        runtimeAccountEmail(parsed, key),
        `deploying ${key}, which runs as it`,
      );
    }

    // The jobs' runtime accounts, as the services'; and a scheduled job's scheduler account, which
    // the environment's stack grants invoker on that job only.
    for (const key of Object.keys(parsed.jobs ?? {}).sort()) {
      const props = jobProps(parsed, key);
      const scope = new Construct(runtime, key);
      const sa = createRuntimeServiceAccount(scope, { project: parsed.project, serviceName: props.name, kind: "job" });
      grantSecretAccess(scope, props, sa.member, undefined);
      deployMayActAs(
        scope,
        "deployer-act-as",
        sa.name,
        jobAccountEmail(parsed, key),
        `deploying job ${key}, which runs as it`,
      );
      if (props.schedule !== undefined) {
        const scheduler = new ServiceAccount(scope, "scheduler-account", {
          project: parsed.project,
          accountId: schedulerServiceAccountId(props.name),
          displayName: `Cloud Scheduler: runs ${props.name}`,
          description: `Cloud Scheduler calls the Cloud Run job ${props.name} as this account; the environment's stack grants it invoker on that job only. Made by the bootstrap stack; no keys.`,
        });
        deployMayActAs(
          scope,
          "deployer-act-as-scheduler",
          scheduler.name,
          schedulerAccountEmail(parsed, key),
          `scheduling job ${key}, which Cloud Scheduler calls as it`,
        );
      }
    }

    // Jobs run from the Train workflow: the runner identity, which the environment's stack grants
    // the executor (with overrides) and viewer roles on each job, and nothing on the project.
    // Only from the GitHub environment of the environment's name, so a production run waits for
    // that environment's reviewers, as a deploy does.
    if (Object.keys(parsed.jobs ?? {}).length > 0) {
      const runner = account(
        "runner",
        `Job runs in ${parsed.name}`,
        `jobs in the GitHub environment "${parsed.name}" of ${parsed.github.repository}, on main`,
        new Map(),
      );
      this.github.allowEnvironment(runner, parsed.name);
      for (const key of Object.keys(parsed.jobs ?? {}).sort()) {
        const job = jobProps(parsed, key).name;
        const on = `job ${job} (the environment's stack grants it)`;
        if (parsed.stage === "development") {
          other("runner", "roles/run.jobsExecutorWithOverrides", on, `gcloud run jobs execute ${job} --args …`);
        } else {
          other("runner", "roles/run.invoker", on, `gcloud run jobs execute ${job} (its own arguments only)`);
        }
        other("runner", "roles/run.viewer", on, "--wait: following the execution");
      }
    }

    // Images: the first environment of the promotion order receives builds; every other one
    // copies images from the environments of the stage before. Jobs on main only.
    const ordered = promotionOrder(options.environments);
    const first = ordered[0]?.name === parsed.name;
    const imageIdentity = (kind: "builder" | "promoter", displayName: string, purpose: string) => {
      const roles: RoleGrants = new Map([["roles/artifactregistry.writer", [purpose]]]);
      const sa = account(kind, displayName, `jobs on main of ${parsed.github.repository}`, roles);
      this.github.allowBranch(sa, "main");
      grant(kind, sa, roles);
      return sa;
    };
    if (first) {
      imageIdentity(
        "builder",
        `Image builds into ${parsed.name}`,
        "pushing built images to this environment's repository",
      );
    } else {
      const before = previousStage(parsed.stage, [...new Set(ordered.map((e) => e.stage))]);
      const sources = ordered.filter((e) => e.stage === before && e.name !== parsed.name);
      const promoter = imageIdentity(
        "promoter",
        `Image promotions into ${parsed.name}`,
        "copying promoted images into this environment's repository",
      );
      for (const source of sources) {
        // In the source environment's project: read its repository, to copy from it.
        new ProjectIamMember(promoter, `reads-${source.name}`, {
          project: source.project,
          role: "roles/artifactregistry.reader",
          member: member("promoter"),
          dependsOn: [promoter],
        });
        other(
          "promoter",
          "roles/artifactregistry.reader",
          `project ${source.project}`,
          `copying images from ${source.name}`,
        );
        // And its model buckets, to copy promoted model versions from them.
        const theirs = modelBucketsOf(source);
        if (theirs.length > 0 && modelBucketsOf(parsed).length > 0) {
          new ProjectIamMember(promoter, `reads-models-${source.name}`, {
            project: source.project,
            role: "roles/storage.objectViewer",
            member: member("promoter"),
            condition: bucketCondition(theirs, `only ${source.name}'s model buckets`),
            dependsOn: [promoter],
          });
          other(
            "promoter",
            "roles/storage.objectViewer",
            theirs.map((b) => `gs://${b}`).join(", "),
            `copying model versions from ${source.name}`,
          );
        }
      }
      // Into its own model buckets: create and list, never replace or delete, so a promotion
      // adds a version and cannot change one that serves (the copy runs with --no-clobber).
      const ours = modelBucketsOf(parsed);
      if (ours.length > 0) {
        for (const [id, role, why] of [
          ["writes-models", "roles/storage.objectCreator", "copying promoted model versions in, never over one"],
          ["lists-models", "roles/storage.objectViewer", "comparing what a copy wrote"],
        ] as const) {
          new ProjectIamMember(promoter, id, {
            project: parsed.project,
            role,
            member: member("promoter"),
            condition: bucketCondition(ours, "only this environment's model buckets"),
            dependsOn: [promoter],
          });
          other("promoter", role, ours.map((b) => `gs://${b}`).join(", "), why);
        }
      }
    }
    this.identities = identities;

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
    const apis = enableApis(this, parsed.project, [...FEDERATION_APIS, ...(keyGrants.length > 0 ? [RUN_API] : [])]);
    for (const grant of keyGrants) grant.dependsOn = [...(grant.dependsOn ?? []), dependable(apis.resource(RUN_API))];

    this.policyPack = new PolicyPack({
      stage: parsed.stage,
      environment: parsed.name,
      locate: configLocator(parsed, this.node.path, options.source, config),
    });
    Aspects.of(this).add(this.policyPack);
  }
}

/** Makes `resource` wait for `account`, which its member string names without referring to it. */
function after(resource: TerraformResource, account: ServiceAccount): void {
  resource.dependsOn = [...(resource.dependsOn ?? []), dependable(account)];
}
