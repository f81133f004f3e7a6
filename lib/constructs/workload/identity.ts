import { ITerraformDependable, TerraformStack } from "cdktf";
import { Construct } from "constructs";
import {
  jobServiceAccountId,
  runtimeServiceAccountId,
  workerPoolServiceAccountId,
  schedulerServiceAccountId,
  serviceAccountMember,
} from "../../gcp/iam";
import { SERVICE_AGENTS } from "../../gcp/run";
import { shortHash } from "../../gcp/terraform";
import {
  KmsCryptoKeyIamMember,
  ProjectIamMember,
  SecretManagerSecretIamMember,
  ServiceAccount,
  StorageBucketIamMember,
} from "../../providers";
import { grantId, projectData, projectNumberOf, resolveDependencies } from "../common";
import { grantKeyUse } from "../grants";
import { MODEL_BUCKET_ROLES, ModelBucket } from "../model-bucket";
import { Volume, WorkloadKind, WorkloadProps } from "./props";
import { isCloudStorageVolume } from "./render";

/*
 * Who a workload runs as, and what that account may do: the runtime account (created, or one
 * given), its project roles, its secrets, its buckets, and the Cloud Run service agent's use of a
 * customer-managed key. Also the account a schedule calls a job with. Construct ids here become
 * Terraform addresses: they never change.
 */

/** The roles a runtime account needs on its project, and nothing more: writing logs and metrics. */
const RUNTIME_ROLES = [
  ["log-writer", "roles/logging.logWriter"],
  ["metric-writer", "roles/monitoring.metricWriter"],
] as const;

/** The account id of a workload's runtime account, derived from its name. */
export function runtimeAccountIdOf(kind: WorkloadKind, name: string): string {
  return kind === "service"
    ? runtimeServiceAccountId(name)
    : kind === "job"
      ? jobServiceAccountId(name)
      : workerPoolServiceAccountId(name);
}

/** How an account's display name tells the kind of workload it runs. */
const RUNS = { service: "runtime", job: "job runtime", workerPool: "worker pool runtime" } as const;
/** How an account's description names the kind. */
const KIND_NAME = { service: "service", job: "job", workerPool: "worker pool" } as const;

/**
 * Creates a workload's dedicated runtime account (construct id `service-account`) and its project
 * roles (`log-writer`, `metric-writer`).
 */
export function createRuntimeServiceAccount(
  scope: Construct,
  props: {
    project?: string;
    /** The service's or job's name. */
    name: string;
    kind: WorkloadKind;
    accountId?: string;
    dependsOn?: ITerraformDependable[];
  },
): ServiceAccount {
  const account = new ServiceAccount(scope, "service-account", {
    project: props.project,
    accountId: props.accountId ?? runtimeAccountIdOf(props.kind, props.name),
    displayName: `Cloud Run ${RUNS[props.kind]}: ${props.name}`,
    description: `Runs the Cloud Run ${KIND_NAME[props.kind]} ${props.name}; managed by cdktf-cloud-run`,
    dependsOn: props.dependsOn,
  });
  const project = props.project ?? account.project;
  for (const [id, role] of RUNTIME_ROLES) {
    new ProjectIamMember(scope, id, { project, role, member: account.member });
  }
  return account;
}

/** The account a workload runs as, and the member string that names it in grants. */
export interface RuntimeIdentity {
  readonly email: string;
  readonly member: string;
  /** The account, when the workload created it. */
  readonly account?: ServiceAccount;
}

/**
 * The runtime identity of a workload: the existing account it was given, or a dedicated one
 * created in `scope` (see {@link createRuntimeServiceAccount}).
 */
export function runtimeIdentity(
  scope: Construct,
  props: Pick<WorkloadProps, "project" | "name" | "serviceAccountEmail" | "serviceAccountId">,
  kind: WorkloadKind,
  dependsOn: ITerraformDependable[] | undefined,
): RuntimeIdentity {
  if (props.serviceAccountEmail !== undefined) {
    return { email: props.serviceAccountEmail, member: serviceAccountMember(props.serviceAccountEmail) };
  }
  const account = createRuntimeServiceAccount(scope, {
    project: props.project,
    name: props.name,
    kind,
    accountId: props.serviceAccountId,
    dependsOn,
  });
  return { email: account.email, member: account.member, account };
}

/**
 * Lets the runtime account read each secret the workload uses, as a variable (`secretEnv`) or as
 * files (a `secret` volume): `roles/secretmanager.secretAccessor` on that secret only, one grant
 * per secret (construct id `secret-access-…`), sorted.
 */
export function grantSecretAccess(
  scope: Construct,
  props: Pick<WorkloadProps, "project" | "secretEnv" | "volumes">,
  member: string,
  dependsOn: ITerraformDependable[] | undefined,
): SecretManagerSecretIamMember[] {
  const named = [
    ...Object.values(props.secretEnv ?? {}).map((s) => s.secret),
    ...(props.volumes ?? []).flatMap((v) => (v.kind === "secret" ? [v.secret] : [])),
  ].sort();
  // One grant per secret, under the first of its names (sorted): a secret named by its id and by
  // projects/PROJECT/secrets/ID in the workload's project is one secret, and two resources holding
  // one binding would drop it when either is removed.
  const own = props.project === undefined ? undefined : `projects/${props.project}/secrets/`;
  const byId = new Map<string, string>();
  for (const name of named) {
    const id = own !== undefined && name.startsWith(own) ? name.slice(own.length) : name;
    if (!byId.has(id)) byId.set(id, name);
  }
  const secrets = [...byId.values()];
  return secrets.map(
    (secret) =>
      new SecretManagerSecretIamMember(scope, grantId(scope, "secret-access", secret), {
        project: secret.startsWith("projects/") ? undefined : props.project,
        secretId: secret,
        role: "roles/secretmanager.secretAccessor",
        member,
        dependsOn,
      }),
  );
}

/**
 * Grants the runtime account access to each mounted {@link ModelBucket}: read
 * (`roles/storage.objectViewer`) for a read-only mount, read and write (`roles/storage.objectUser`)
 * otherwise; a bucket mounted both ways gets the writer grant only. The grants belong to the
 * workload (construct id `bucket-reader-<bucket>` or `bucket-writer-<bucket>`, from the bucket's
 * path in its stack), so their addresses do not depend on the account's email.
 */
export function grantVolumeAccess(
  scope: Construct,
  volumes: readonly Volume[] | undefined,
  member: string,
  dependsOn?: ITerraformDependable[],
): StorageBucketIamMember[] {
  const byBucket = new Map<ModelBucket, boolean>();
  for (const v of volumes ?? []) {
    if (!isCloudStorageVolume(v) || typeof v.bucket === "string") continue;
    byBucket.set(v.bucket, (byBucket.get(v.bucket) ?? false) || v.readOnly === false);
  }
  return [...byBucket].map(([bucket, write]) => {
    const kind = write ? "writer" : "reader";
    const where = bucket.node.scopes
      .slice(bucket.node.scopes.indexOf(TerraformStack.of(bucket)) + 1)
      .map((c) => c.node.id)
      .join("-");
    // The bucket's path, as an id; when that loses characters, a hash of the path keeps two
    // buckets apart (`models_a` and `models-a`).
    const slug = where.replace(/[^A-Za-z0-9-]+/g, "-").toLowerCase();
    const id = `bucket-${kind}-${slug}${slug === where ? "" : `-${shortHash(where)}`}`;
    return new StorageBucketIamMember(scope, id, {
      bucket: bucket.bucket.name,
      role: MODEL_BUCKET_ROLES[kind],
      member,
      dependsOn,
    });
  });
}

/** The role a workload needs to connect to Cloud SQL instances through its `cloudSql` volume. */
export const CLOUD_SQL_CLIENT_ROLE = "roles/cloudsql.client";

/**
 * Lets the runtime account connect to Cloud SQL (`roles/cloudsql.client`, construct id
 * `cloudsql-client`) when the workload mounts a `cloudSql` volume, unless `grantCloudSqlAccess` is
 * false. On the project: Cloud SQL grants its roles on a project, not on one instance.
 */
export function grantCloudSqlAccess(
  scope: Construct,
  props: Pick<WorkloadProps, "project" | "volumes" | "grantCloudSqlAccess">,
  member: string,
  dependsOn: ITerraformDependable[] | undefined,
): ProjectIamMember[] {
  if (props.grantCloudSqlAccess === false || !(props.volumes ?? []).some((v) => v.kind === "cloudSql")) return [];
  const project = props.project ?? projectData(scope, undefined).projectId;
  return [new ProjectIamMember(scope, "cloudsql-client", { project, role: CLOUD_SQL_CLIENT_ROLE, member, dependsOn })];
}

/**
 * Lets the project's Cloud Run service agent use the workload's customer-managed key, unless
 * there is none or `grantKeyAccess` is false: the workload waits for the grant, and the grant for
 * `dependsOn` (the agent appears when the Cloud Run API is enabled). `projectNumber` of the props,
 * or a `google_project` data source (`project`), names the agent.
 */
export function grantRunKeyAccess(
  scope: Construct,
  props: Pick<WorkloadProps, "project" | "encryptionKey" | "grantKeyAccess" | "projectNumber">,
  dependsOn: ITerraformDependable[] | undefined,
): KmsCryptoKeyIamMember[] {
  if (props.encryptionKey === undefined || props.grantKeyAccess === false) return [];
  const number = projectNumberOf(scope, props.projectNumber, props.project);
  return [grantKeyUse(scope, props.encryptionKey, SERVICE_AGENTS.run(number), dependsOn)];
}

/**
 * Creates the account Cloud Scheduler calls a job as (construct id `scheduler-account`, account id
 * `NAME-sched`), which may run that job and nothing else. `madeBy` ends its description: who
 * made it, and where its one grant comes from.
 */
export function createSchedulerAccount(
  scope: Construct,
  props: { project?: string; jobName: string; madeBy: string; dependsOn?: ITerraformDependable[] },
): ServiceAccount {
  return new ServiceAccount(scope, "scheduler-account", {
    project: props.project,
    accountId: schedulerServiceAccountId(props.jobName),
    displayName: `Cloud Scheduler: runs ${props.jobName}`,
    description: `Cloud Scheduler calls the Cloud Run job ${props.jobName} as this account; ${props.madeBy}`,
    dependsOn: props.dependsOn,
  });
}

/**
 * Every grant a workload's runtime account needs for what it mounts and reads, each as its own
 * function above says: its secrets (unless `grantSecretAccess` is false), its model buckets, the
 * Cloud Run service agent's use of its key, and Cloud SQL. The workload waits for them all.
 */
export function grantRuntimeAccess(
  scope: Construct,
  props: WorkloadProps,
  member: string,
  dependsOn: ITerraformDependable[] | undefined,
): ITerraformDependable[] {
  return [
    ...(props.grantSecretAccess === false ? [] : grantSecretAccess(scope, props, member, dependsOn)),
    ...grantVolumeAccess(scope, props.volumes, member, dependsOn),
    ...grantRunKeyAccess(scope, props, dependsOn),
    ...grantCloudSqlAccess(scope, props, member, dependsOn),
  ];
}

/** What a workload construct starts with: who it runs as, the grants it waits for, and how it waits. */
export interface WorkloadRuntime {
  readonly identity: RuntimeIdentity;
  /** Every grant of {@link grantRuntimeAccess}, for the workload's `dependsOn`. */
  readonly grants: ITerraformDependable[];
  /** The workload's own `dependsOn` with `extra` added, or undefined when both are empty. */
  depends(extra?: ITerraformDependable[]): ITerraformDependable[] | undefined;
}

/**
 * The runtime of a workload of `kind` in `scope`: its identity ({@link runtimeIdentity}) and its
 * grants ({@link grantRuntimeAccess}), each waiting for the props' `dependsOn`.
 */
export function workloadRuntime(scope: Construct, props: WorkloadProps, kind: WorkloadKind): WorkloadRuntime {
  const dependsOn = resolveDependencies(props.dependsOn);
  const depends = (extra: ITerraformDependable[] = []): ITerraformDependable[] | undefined =>
    dependsOn.length + extra.length > 0 ? [...dependsOn, ...extra] : undefined;
  const identity = runtimeIdentity(scope, props, kind, depends());
  return { identity, grants: grantRuntimeAccess(scope, props, identity.member, depends()), depends };
}
