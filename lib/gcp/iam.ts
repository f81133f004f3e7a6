import { shortHash } from "./tokens";
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

/*
 * The account ids this library derives for the accounts it creates. These ids name existing
 * accounts: the rules never change.
 */

/**
 * An account id `NAME-SUFFIX`, lengthened to `NAME-LONGER` when under 6 characters, or, over 30,
 * the first 21 characters of the name and a hash (of the name for runtime accounts, as since the
 * first version, and of `NAME-SUFFIX` for the others, so a long job and service of the same name
 * get different accounts). Always a valid service account id when `name` is a valid Cloud Run name.
 */
export function accountIdFor(name: string, suffix: string, longer: string): string {
  const id = `${name}-${suffix}`;
  if (id.length < 6) return `${name}-${longer}`;
  if (id.length <= 30) return id;
  return `${name.slice(0, 21).replace(/-+$/, "")}-${shortHash(suffix === "run" ? name : id)}`;
}

/** The account id of a service's runtime account: `NAME-run` (see {@link accountIdFor}). */
export function runtimeServiceAccountId(serviceName: string): string {
  return accountIdFor(serviceName, "run", "runtime");
}

/** The account id of a job's runtime account: `NAME-job` (see {@link accountIdFor}). */
export function jobServiceAccountId(jobName: string): string {
  return accountIdFor(jobName, "job", "jobrun");
}

/** The account id of a worker pool's runtime account: `NAME-pool` (see {@link accountIdFor}). */
export function workerPoolServiceAccountId(poolName: string): string {
  return accountIdFor(poolName, "pool", "poolrun");
}

/**
 * The account id of the account an event trigger calls a service as: `SERVICE-TRIGGER-ev`, or
 * shortened with a hash past 30 characters (see {@link accountIdFor}).
 */
export function eventTriggerServiceAccountId(serviceName: string, trigger: string): string {
  return accountIdFor(`${serviceName}-${trigger}`, "ev", "events");
}

/** The account id of the account a job's schedule calls it with: `NAME-sched`. */
export function schedulerServiceAccountId(jobName: string): string {
  return accountIdFor(jobName, "sched", "scheduler");
}

/** The email of an account in a project: `ID@PROJECT.iam.gserviceaccount.com`. */
export function serviceAccountEmailOf(accountId: string, project: string): string {
  return `${accountId}@${project}.iam.gserviceaccount.com`;
}

/** The IAM member that names a service account: `serviceAccount:EMAIL`. */
export function serviceAccountMember(email: string): string {
  return `serviceAccount:${email}`;
}
