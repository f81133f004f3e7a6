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
  const id = `${serviceName}-run`;
  if (id.length < 6) return `${serviceName}-runtime`;
  if (id.length <= 30) return id;
  return `${serviceName.slice(0, 21).replace(/-+$/, "")}-${shortHash(serviceName)}`;
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
  props: { project?: string; serviceName: string; accountId?: string; dependsOn?: ITerraformDependable[] },
): ServiceAccount {
  const account = new ServiceAccount(scope, "service-account", {
    project: props.project,
    accountId: props.accountId ?? runtimeServiceAccountId(props.serviceName),
    displayName: `Cloud Run runtime: ${props.serviceName}`,
    description: `Runs the Cloud Run service ${props.serviceName}; managed by cdktf-cloud-run`,
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
  props: CloudRunServiceProps,
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
