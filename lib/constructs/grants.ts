import { ITerraformDependable, TerraformResource } from "cdktf";
import { Construct, IConstruct } from "constructs";
import { serviceAccountMember } from "../gcp/iam";
import { resolveTokens } from "../gcp/terraform";
import { ValidationError } from "../gcp/validation";
import { KmsCryptoKeyIamMember } from "../providers";

/*
 * One grant shape for every construct: grant methods take a grantee (a member string, or
 * anything that exposes `member`) and return a Grant. Every grant is additive (an `*_iam_member`
 * resource): no construct of this library sets an authoritative IAM policy.
 */

/** Anything that names an IAM principal by its `member`: a CloudRunService or CloudRunJob (its runtime account), or a `google_service_account`. */
export interface IGrantee {
  /** The IAM member, such as `serviceAccount:predict-run@acme-ml-prod.iam.gserviceaccount.com`. */
  readonly member: string;
}

/** Who a grant is for: an IAM member string (`group:ml-team@acme.com`), or an {@link IGrantee}. */
export type Grantee = string | IGrantee;

/** The member string of a grantee. */
export function memberOf(grantee: Grantee): string {
  return typeof grantee === "string" ? grantee : grantee.member;
}

/**
 * What a grant method made: the member, the roles it now holds, and the IAM resources that hold
 * them. Pass a Grant in another construct's `dependsOn` to wait for the grant.
 */
export interface Grant {
  readonly member: string;
  readonly roles: readonly string[];
  readonly resources: readonly TerraformResource[];
}

/** True when `x` is a {@link Grant}. */
export function isGrant(x: unknown): x is Grant {
  return typeof x === "object" && x !== null && Array.isArray((x as Grant).resources) && "roles" in x;
}

/** A Grant of one or more IAM resources to one member. */
export function grantOf(member: string, grants: readonly { role: string; resource: TerraformResource }[]): Grant {
  return {
    member,
    roles: [...new Set(grants.map((g) => g.role))],
    resources: grants.map((g) => g.resource),
  };
}

/** What each IAM resource made through {@link grantOnce} grants, to compare a second request with. */
const MADE = new WeakMap<IConstruct, { role: string; member: string; detail: string }>();

/**
 * Makes one IAM member resource under `scope` with construct id `id`, unless that id exists: the
 * same grant again (role, member, and `detail` such as a condition) returns the first resource;
 * a different one under the same id would be lost, so it is refused, naming `subject` (the
 * method) and `path` (the option that chose the id).
 */
export function grantOnce<T extends TerraformResource>(
  scope: Construct,
  id: string,
  what: { role: string; member: string; detail?: unknown },
  make: () => T,
  refusal: { subject: string; path: string; value: unknown },
): T {
  // Compared as they will be written: a provider attribute (an account's `member`) is a new token
  // each time it is read, and the same expression once resolved.
  const text = (v: unknown) => JSON.stringify(resolveTokens(scope, v) ?? null);
  const wanted = { role: what.role, member: text(what.member), detail: text(what.detail) };
  const existing = scope.node.tryFindChild(id);
  if (existing !== undefined) {
    const made = MADE.get(existing);
    if (
      made !== undefined &&
      made.role === wanted.role &&
      made.member === wanted.member &&
      made.detail === wanted.detail
    )
      return existing as T;
    throw new ValidationError(refusal.subject, [
      {
        path: refusal.path,
        value: refusal.value,
        allowed: `conflicts with an earlier grant under the same id (${made?.role ?? "another resource"} to ${made === undefined ? id : JSON.parse(made.member)}): use another id, or the same options`,
      },
    ]);
  }
  const resource = make();
  MADE.set(resource, wanted);
  return resource;
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
    role: KEY_USER_ROLE,
    member: serviceAccountMember(agentEmail),
    dependsOn: dependsOn !== undefined && dependsOn.length > 0 ? dependsOn : undefined,
  });
}

/** The role that lets a service agent encrypt and decrypt with a key. Source: Cloud KMS "Roles". */
export const KEY_USER_ROLE = "roles/cloudkms.cryptoKeyEncrypterDecrypter";
