import { ITerraformDependable, TerraformResource, Token } from "cdktf";
import { Construct, IConstruct } from "constructs";
import { DataGoogleProject, KmsCryptoKeyIamMember } from "../providers";
import { projectId } from "../gcp/projects";
import { resolveTokens, shortHash } from "../gcp/terraform";
import { Problems } from "../gcp/validation";

/**
 * Something to wait for: a Terraform resource, or one of our constructs (or any construct), which
 * stands for every Terraform resource inside it.
 */
export type Dependency = ITerraformDependable | IConstruct;

/** Props every construct of this library takes. */
export interface CommonProps {
  /**
   * The project to create resources in.
   * @default - the google provider's project
   */
  readonly project?: string;

  /**
   * Resources or constructs to create after, typically a {@link ProjectServices} so that nothing
   * is created before its API is enabled. A construct stands for every resource inside it.
   * @default - no explicit dependencies
   */
  readonly dependsOn?: readonly Dependency[];
}

/** Expands dependencies to Terraform resources: a construct becomes every resource inside it. */
export function resolveDependencies(dependsOn: readonly Dependency[] | undefined): ITerraformDependable[] {
  const out: ITerraformDependable[] = [];
  const seen = new Set<ITerraformDependable>();
  const push = (d: ITerraformDependable): void => {
    if (!seen.has(d)) {
      seen.add(d);
      out.push(d);
    }
  };
  for (const dep of dependsOn ?? []) {
    // Anything Terraform can depend on directly (a resource, a module, a data source) has an fqn;
    // any other construct stands for the resources inside it.
    if (!isConstruct(dep) || typeof (dep as Partial<ITerraformDependable>).fqn === "string") {
      push(dep as ITerraformDependable);
      continue;
    }
    for (const child of dep.node.findAll()) {
      if (child instanceof TerraformResource) push(child);
    }
  }
  return out;
}

function isConstruct(x: unknown): x is IConstruct {
  return typeof x === "object" && x !== null && "node" in x;
}

/** Checks the common props: project id. */
export function checkCommonProps(problems: Problems, props: CommonProps): void {
  problems.check("project", props.project, projectId);
}

/**
 * A stable construct id for an IAM grant, derived from the role and the member. When the member
 * contains tokens (such as another resource's email), the id comes from the Terraform expression
 * they resolve to in this stack, which is as stable as the referenced resource's address.
 */
export function grantId(scope: IConstruct, prefix: string, member: string): string {
  const text = Token.isUnresolved(member) ? resolvedText(scope, member) : member;
  const slug = text
    .replace(/[^A-Za-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .toLowerCase();
  return slug.length <= 64 ? `${prefix}-${slug}` : `${prefix}-${slug.slice(0, 55)}-${shortHash(text)}`;
}

function resolvedText(scope: IConstruct, member: string): string {
  const resolved = resolveTokens(scope, member);
  return typeof resolved === "string" ? resolved : JSON.stringify(resolved);
}

/**
 * The project's number, which names its service agents: `given`, or read with a
 * `google_project` data source (`project` under `scope`).
 */
export function projectNumberOf(scope: Construct, given: string | undefined, project: string | undefined): string {
  return given ?? new DataGoogleProject(scope, "project", { projectId: project }).number;
}

/**
 * Lets a service agent use a customer-managed key (`encryption-key-user` under `scope`). The
 * grant waits for `dependsOn`, the API whose enabling creates the agent; what uses the key waits
 * for the grant.
 */
export function grantKeyUse(
  scope: Construct,
  cryptoKeyId: string,
  agentEmail: string,
  dependsOn?: ITerraformDependable[],
): KmsCryptoKeyIamMember {
  return new KmsCryptoKeyIamMember(scope, "encryption-key-user", {
    cryptoKeyId,
    role: "roles/cloudkms.cryptoKeyEncrypterDecrypter",
    member: `serviceAccount:${agentEmail}`,
    dependsOn: dependsOn !== undefined && dependsOn.length > 0 ? dependsOn : undefined,
  });
}
