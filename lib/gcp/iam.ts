import { Constraint, pattern } from "./validation";

/** IAM principals, public members and default service accounts. */

/** The principal types of IAM member strings (`TYPE:ID`). Source: IAM "Principal identifiers". */
const PRINCIPAL_TYPES = ["user", "serviceAccount", "group", "domain", "principal", "principalSet"] as const;

/** The members that make a grant public. */
export const PUBLIC_MEMBERS: readonly string[] = ["allUsers", "allAuthenticatedUsers"];

export function isPublicMember(member: string): boolean {
  return PUBLIC_MEMBERS.includes(member);
}

/** True when `member` starts with a principal type (`serviceAccount:…`), whatever follows. */
export function hasPrincipalType(member: string): boolean {
  return PRINCIPAL_TYPES.some((type) => member.startsWith(`${type}:`));
}

/**
 * IAM principal. Source: IAM "Principal identifiers". Public principals are accepted here and
 * checked separately (see {@link isPublicMember}).
 */
export const iamMember = pattern(
  new RegExp(`^(?:${PUBLIC_MEMBERS.join("|")}|(?:${PRINCIPAL_TYPES.join("|")}):\\S+)$`),
  "must be an IAM principal such as serviceAccount:NAME@PROJECT.iam.gserviceaccount.com, user:EMAIL, group:EMAIL, domain:DOMAIN, principal://... or principalSet://...",
);

/**
 * Default service accounts that carry broad project roles: Compute Engine's
 * `NUMBER-compute@developer.gserviceaccount.com` and App Engine's `PROJECT@appspot.gserviceaccount.com`.
 * Sources: Compute Engine and App Engine service account docs; checkov CKV_GCP_46/47/48.
 */
const DEFAULT_SERVICE_ACCOUNT = /^[0-9]+-compute@developer\.gserviceaccount\.com$|@appspot\.gserviceaccount\.com$/;

export function isDefaultServiceAccount(email: string): boolean {
  return DEFAULT_SERVICE_ACCOUNT.test(email);
}

/**
 * True when a Terraform expression names a default service account: the provider's data source
 * for it, or an email of the default accounts' form inside an interpolation.
 */
export function mentionsDefaultServiceAccount(expression: string): boolean {
  return /google_compute_default_service_account|-compute@developer\.gserviceaccount\.com|@appspot\.gserviceaccount\.com/.test(
    expression,
  );
}

export const notDefaultServiceAccount: Constraint<string> = (value) =>
  isDefaultServiceAccount(value)
    ? "must be a dedicated service account, not the default compute or App Engine account (it holds Editor on the project)"
    : undefined;

export const serviceAccountEmail = pattern(
  /^[a-z0-9][a-z0-9._-]*@[a-z0-9][a-z0-9.-]*\.gserviceaccount\.com$/,
  "must be a service account email such as NAME@PROJECT.iam.gserviceaccount.com",
);

/** Service account id. Source: provider resource_google_service_account.go, ValidateRFC1035Name(6, 30). */
export const serviceAccountId = pattern(
  /^[a-z](?:[-a-z0-9]{4,28}[a-z0-9])$/,
  "must be 6-30 characters of lowercase letters, digits and hyphens, start with a letter and not end with a hyphen",
);
