import { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { shortHash } from "../../gcp/terraform";
import { ProjectIamMember, SecretManagerSecretIamMember, ServiceAccount } from "../../providers";
import { grantId } from "../common";
import { CloudRunServiceProps } from "./props";

/** The runtime identity of a service: its account, and what that account may do. */

/**
 * The account id of a service's runtime service account: `NAME-run`, lengthened to
 * `NAME-runtime` when that is under 6 characters, or shortened with a hash of the full name when
 * over 30. Always a valid service account id when `name` is a valid service name.
 */
export function runtimeServiceAccountId(serviceName: string): string {
  return accountIdFor(serviceName, "run", "runtime");
}

/**
 * An account id `NAME-SUFFIX`, lengthened to `NAME-LONGER` when under 6 characters, or, over 30,
 * the first 21 characters of the name and a hash (of the name for runtime accounts, as since the
 * first version, and of `NAME-SUFFIX` for the others, so a long job and service of the same name
 * get different accounts). Always valid when `name` is a valid Cloud Run name. These ids name
 * existing accounts: the rule never changes.
 */
export function accountIdFor(name: string, suffix: string, longer: string): string {
  const id = `${name}-${suffix}`;
  if (id.length < 6) return `${name}-${longer}`;
  if (id.length <= 30) return id;
  return `${name.slice(0, 21).replace(/-+$/, "")}-${shortHash(suffix === "run" ? name : id)}`;
}

/** The account id of a job's runtime account: `NAME-job` (see {@link accountIdFor}). */
export function jobServiceAccountId(jobName: string): string {
  return accountIdFor(jobName, "job", "jobrun");
}

/** The account id of the account a job's schedule calls it with: `NAME-sched`. */
export function schedulerServiceAccountId(jobName: string): string {
  return accountIdFor(jobName, "sched", "scheduler");
}

/** The roles a runtime account needs on its project, and nothing more: writing logs and metrics. */
const RUNTIME_ROLES = [
  ["log-writer", "roles/logging.logWriter"],
  ["metric-writer", "roles/monitoring.metricWriter"],
] as const;

/**
 * Creates a service's dedicated runtime account (construct id `service-account`) and its project
 * roles (`log-writer`, `metric-writer`). The ids are Terraform addresses: they never change.
 */
export function createRuntimeServiceAccount(
  scope: Construct,
  props: {
    project?: string;
    serviceName: string;
    accountId?: string;
    dependsOn?: ITerraformDependable[];
    /** What runs as it, for its display name and description. */
    kind?: "service" | "job";
  },
): ServiceAccount {
  const kind = props.kind ?? "service";
  const account = new ServiceAccount(scope, "service-account", {
    project: props.project,
    accountId:
      props.accountId ??
      (kind === "service" ? runtimeServiceAccountId(props.serviceName) : jobServiceAccountId(props.serviceName)),
    displayName: `Cloud Run ${kind === "service" ? "runtime" : "job runtime"}: ${props.serviceName}`,
    description: `Runs the Cloud Run ${kind} ${props.serviceName}; managed by cdktf-cloud-run`,
    dependsOn: props.dependsOn,
  });
  const project = props.project ?? account.project;
  for (const [id, role] of RUNTIME_ROLES) {
    new ProjectIamMember(scope, id, { project, role, member: account.member });
  }
  return account;
}

/**
 * Lets the runtime account read each secret the service uses (`roles/secretmanager.secretAccessor`
 * on that secret only), one grant per secret (construct id `secret-access-…`), sorted.
 */
export function grantSecretAccess(
  scope: Construct,
  props: Pick<CloudRunServiceProps, "project" | "secretEnv">,
  member: string,
  dependsOn: ITerraformDependable[] | undefined,
): ITerraformDependable[] {
  const secrets = [...new Set(Object.values(props.secretEnv ?? {}).map((s) => s.secret))].sort();
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
