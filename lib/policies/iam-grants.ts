import { PUBLIC_MEMBERS, hasPrincipalType } from "../gcp/iam";
import { RuleResult, compliant, nonCompliant, notApplicable, unknown } from "./rule";
import { ResourceView, isExpression, list } from "./view";

/** The IAM resource kinds of one resource family: `<prefix>_iam_member`, `_binding`, `_policy`. */
export function iamTypes(...prefixes: string[]): string[] {
  return prefixes.flatMap((p) => [`${p}_iam_member`, `${p}_iam_binding`, `${p}_iam_policy`]);
}

/**
 * Checks that an IAM member, binding or policy grants nothing to the public. A policy's
 * `policy_data` is read from its JSON, or from the `google_iam_policy` data source it refers to;
 * any other expression cannot be checked and is reported as such.
 */
export function noPublicGrant(resource: ResourceView, what: string): RuleResult {
  const grants = grantsOf(resource);
  if (typeof grants === "string") return unknown(grants);
  const bad = grants.filter((g) => g.members.some((m) => PUBLIC_MEMBERS.includes(m)));
  if (bad.length === 0) return grants.length > 0 ? compliant : notApplicable;
  return nonCompliant(
    bad
      .map((g) => `${g.role} is granted to ${g.members.filter((m) => PUBLIC_MEMBERS.includes(m)).join(" and ")}`)
      .join("; ") + ` on ${what}`,
  );
}

export type Grant = { role: string; members: string[] };

/** The grants of an IAM resource, or why they cannot be known before apply. */
export function grantsOf(resource: ResourceView): Grant[] | string {
  const a = resource.attrs;
  if (resource.type.endsWith("_iam_member")) {
    if (!knownNotPublic(a.member) && isExpression(a.member)) return `member is ${a.member}, known only at apply`;
    return [{ role: String(a.role), members: [String(a.member)] }];
  }
  if (resource.type.endsWith("_iam_binding")) {
    const members = a.members;
    if (isExpression(members)) return `members are ${members}, known only at apply`;
    const unknownMembers = list(members).filter((m) => !knownNotPublic(m) && isExpression(m));
    if (unknownMembers.length > 0 && !list(members).some((m) => PUBLIC_MEMBERS.includes(m as unknown as string))) {
      return `members ${JSON.stringify(unknownMembers)} are known only at apply`;
    }
    return [{ role: String(a.role), members: (members as string[] | undefined) ?? [] }];
  }
  const policy = policyBindings(resource);
  if (typeof policy === "string") return policy;
  if (policy.source !== undefined) {
    // Members read from a data source may be expressions known only at apply.
    const unresolved = policy.bindings.flatMap((b) => b.members).filter((m) => !knownNotPublic(m) && isExpression(m));
    const anyPublic = policy.bindings.some((b) => b.members.some((m) => PUBLIC_MEMBERS.includes(m)));
    if (unresolved.length > 0 && !anyPublic) return `the members of ${policy.source} are known only at apply`;
  }
  return policy.bindings;
}

/**
 * The bindings of an IAM policy resource: from its `policy_data` JSON, or from the
 * `google_iam_policy` data source it refers to (`source`); or why they cannot be read.
 */
function policyBindings(resource: ResourceView): { bindings: Grant[]; source?: string } | string {
  const data = resource.attrs.policy_data;
  if (typeof data !== "string") return "policy_data is missing";
  const ref = /^\$\{(data\.google_iam_policy\.[\w-]+)\.policy_data\}$/.exec(data);
  if (ref) {
    const source = resource.stack.dataSources[ref[1]];
    if (source === undefined) return `policy_data refers to ${ref[1]}, which is not in this stack`;
    if (isExpression(source.binding)) return `the members of ${ref[1]} are known only at apply`;
    const bindings = list(source.binding).map((b) => ({
      role: String(b.role),
      members: list(b.members) as unknown as string[],
    }));
    return { bindings, source: ref[1] };
  }
  if (isExpression(data)) return `policy_data is ${data}, known only at apply`;
  try {
    const parsed = JSON.parse(data) as { bindings?: { role: string; members: string[] }[] };
    return { bindings: (parsed.bindings ?? []).map((b) => ({ role: b.role, members: b.members ?? [] })) };
  } catch {
    return "policy_data is not valid JSON";
  }
}

/** A member with a principal type (`serviceAccount:${…}`) is never public, whatever its value. */
function knownNotPublic(member: unknown): boolean {
  return (
    typeof member === "string" &&
    (hasPrincipalType(member) ||
      /^deleted:[a-zA-Z]+:/.test(member) ||
      // A service account's `member` attribute is "serviceAccount:EMAIL".
      /^\$\{google_service_account\.[\w-]+\.member\}$/.test(member))
  );
}

/** The basic roles: every permission of every service. Source: IAM "Basic roles". */
export const BASIC_ROLES: readonly string[] = ["roles/owner", "roles/editor", "roles/viewer"];

/** Every IAM resource of any resource family: `google_…_iam_member`, `_binding` and `_policy`. */
export const IAM_RESOURCE_TYPES = /^google_[a-z0-9_]+_iam_(member|binding|policy)$/;

/** The roles an IAM member, binding or policy grants, or why they cannot be known before apply. */
export function grantedRoles(resource: ResourceView): string[] | string {
  const a = resource.attrs;
  if (resource.type.endsWith("_iam_member") || resource.type.endsWith("_iam_binding")) {
    return isExpression(a.role) ? `role is ${String(a.role)}, known only at apply` : [String(a.role)];
  }
  const policy = policyBindings(resource);
  return typeof policy === "string" ? policy : policy.bindings.map((b) => b.role);
}

/** The roles that let a principal call Cloud Run services or start Cloud Run jobs. Source: Cloud Run "IAM roles". */
export const RUN_CALLER_ROLES: readonly string[] = [
  "roles/run.invoker",
  "roles/run.servicesInvoker",
  "roles/run.jobsExecutor",
  "roles/run.jobsExecutorWithOverrides",
];

/** Roles that start Cloud Run jobs: the callers', and the roles that manage Cloud Run. */
export const RUN_JOB_STARTER_ROLES: readonly string[] = [...RUN_CALLER_ROLES, "roles/run.developer", "roles/run.admin"];
