import type { Rule } from "./validation";

/**
 * GCP naming rules and limits, each in one place. A rule returns what is allowed when a value
 * breaks it. Sources are noted per rule; "unverified" marks a conservative default taken where no
 * primary source was found (see ../shared/REFERENCE.md).
 */

function pattern(re: RegExp, allowed: string): Rule<string> {
  return (value) => (typeof value === "string" && re.test(value) ? undefined : allowed);
}

/** Cloud Run service name. Source: googleapis run/v2 service.proto. */
export const cloudRunServiceName = pattern(
  /^[a-z](?:[-a-z0-9]{0,47}[a-z0-9])?$/,
  "must be 1-49 characters of lowercase letters, digits and hyphens, start with a letter and not end with a hyphen",
);

/** Artifact Registry repository id (unverified: conservative, RFC 1035 style up to 63). */
export const repositoryId = pattern(
  /^[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?$/,
  "must be 1-63 characters of lowercase letters, digits and hyphens, start with a letter and not end with a hyphen",
);

/** Service account id. Source: provider resource_google_service_account.go, ValidateRFC1035Name(6, 30). */
export const serviceAccountId = pattern(
  /^[a-z](?:[-a-z0-9]{4,28}[a-z0-9])$/,
  "must be 6-30 characters of lowercase letters, digits and hyphens, start with a letter and not end with a hyphen",
);

/** Project id. Source: Google Cloud "Creating and managing projects". */
export const projectId: Rule<string> = (value) => {
  const allowed =
    "must be 6-30 characters of lowercase letters, digits and hyphens, start with a letter, not end with a hyphen, and not contain google, null, undefined or ssl";
  if (typeof value !== "string" || !/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/.test(value)) return allowed;
  return /google|null|undefined|ssl/.test(value) ? allowed : undefined;
};

/** Environment name: part of stack ids, state prefixes and label values. */
export const environmentName = pattern(
  /^[a-z][a-z0-9-]{0,19}$/,
  "must be 1-20 lowercase letters, digits and hyphens, starting with a letter",
);

/** Application name: part of state prefixes and label values. */
export const appName = pattern(
  /^[a-z][a-z0-9-]{0,29}$/,
  "must be 1-30 lowercase letters, digits and hyphens, starting with a letter",
);

/**
 * Cloud Storage bucket name (without dots). Source: Cloud Storage "Bucket naming": 3-63
 * characters, not an IP address, not starting with "goog", not containing "google".
 */
export const bucketName: Rule<string> = (value) => {
  const allowed =
    "must be 3-63 lowercase letters, digits, hyphens and underscores, start and end with a letter or digit, not start with goog and not contain google";
  if (!/^[a-z0-9][a-z0-9_-]{1,61}[a-z0-9]$/.test(value)) return allowed;
  return value.startsWith("goog") || value.includes("google") ? allowed : undefined;
};

/** Region, such as `europe-west1` (convention; the provider's own check is looser). */
export const region = pattern(/^[a-z]+(?:-[a-z]+)+[0-9]+$/, "must be a region such as europe-west1 or us-central1");

/** Artifact Registry location: a region or one of the multi-regions. Source: AR locations docs. */
export const artifactRegistryLocation: Rule<string> = (value) =>
  ["us", "europe", "asia"].includes(value) || region(value) === undefined
    ? undefined
    : "must be a region such as europe-west1, or one of the multi-regions us, europe, asia";

/** Label key and value. Source: Google Cloud "Labels requirements". */
export const labelKey = pattern(
  /^[a-z][a-z0-9_-]{0,62}$/,
  "label keys must be 1-63 characters of lowercase letters, digits, underscores and hyphens, starting with a letter",
);
export const labelValue = pattern(
  /^[a-z0-9_-]{0,63}$/,
  "label values must be 0-63 characters of lowercase letters, digits, underscores and hyphens",
);
export const MAX_LABELS = 64;

/** An API to enable, such as `run.googleapis.com`. */
export const apiName = pattern(
  /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$/,
  "must be a service name such as run.googleapis.com",
);

/**
 * IAM principal. Source: IAM "Principal identifiers". Public principals are checked separately
 * (see {@link isPublicMember}).
 */
export const iamMember = pattern(
  /^(?:allUsers|allAuthenticatedUsers|(?:user|serviceAccount|group|domain|principal|principalSet):\S+)$/,
  "must be an IAM principal such as serviceAccount:NAME@PROJECT.iam.gserviceaccount.com, user:EMAIL, group:EMAIL, domain:DOMAIN, principal://... or principalSet://...",
);

export function isPublicMember(member: string): boolean {
  return member === "allUsers" || member === "allAuthenticatedUsers";
}

/**
 * Default service accounts that carry broad project roles. Sources: Compute Engine and App Engine
 * service account docs; checkov CKV_GCP_46/47/48.
 */
export const notDefaultServiceAccount: Rule<string> = (value) =>
  /^[0-9]+-compute@developer\.gserviceaccount\.com$/.test(value) || /@appspot\.gserviceaccount\.com$/.test(value)
    ? "must be a dedicated service account, not the default compute or App Engine account (it holds Editor on the project)"
    : undefined;

export const serviceAccountEmail = pattern(
  /^[a-z0-9][a-z0-9._-]*@[a-z0-9][a-z0-9.-]*\.gserviceaccount\.com$/,
  "must be a service account email such as NAME@PROJECT.iam.gserviceaccount.com",
);

/** Image tag. Source: distribution/reference grammar. */
export const imageTag = pattern(
  /^[\w][\w.-]{0,127}$/,
  "a tag must be 1-128 characters of letters, digits, underscores, periods and hyphens, not starting with a period or hyphen",
);

/** Image digest (sha256 only). Source: distribution/reference grammar, OCI image spec. */
export const imageDigest = pattern(
  /^sha256:[a-f0-9]{64}$/,
  "a digest must be sha256: followed by 64 lowercase hex digits",
);

/** Image name inside a repository, such as `predict-api` or `team/predict-api`. */
export const imageName = pattern(
  /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/,
  "an image name must be lowercase path components of letters and digits separated by '.', '_', '__' or '-', joined by '/'",
);

const COMPONENT = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
const DOMAIN =
  "(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\\.(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?))*(?::[0-9]+)?";
const IMAGE_REFERENCE = new RegExp(
  `^(?:${DOMAIN}/)?${COMPONENT}(?:/${COMPONENT})*(?::[\\w][\\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$`,
);

/** A full image reference: `REGISTRY/PATH[:TAG][@sha256:DIGEST]`. Source: distribution/reference. */
export const imageReference = pattern(
  IMAGE_REFERENCE,
  "must be an image reference such as europe-west1-docker.pkg.dev/PROJECT/REPO/IMAGE@sha256:<64 hex> or .../IMAGE:TAG",
);

/** True when the reference is pinned by digest. */
export function isDigestPinned(image: string): boolean {
  return /@sha256:[a-f0-9]{64}$/.test(image);
}

export const imagePinnedByDigest: Rule<string> = (value) =>
  isDigestPinned(value)
    ? undefined
    : "must be pinned by digest (IMAGE@sha256:<64 hex>): a tag can be moved to other content after review";

/** Parses a CPU limit ("1", "0.5", "500m") into vCPUs, or undefined when malformed. */
export function parseCpu(value: string): number | undefined {
  const milli = /^([0-9]+)m$/.exec(value);
  if (milli) return Number(milli[1]) / 1000;
  return /^[0-9]+(?:\.[0-9]{1,3})?$/.test(value) ? Number(value) : undefined;
}

/** CPU limit. Source: Cloud Run "Configure CPU limits": 0.08-1 in steps of 0.001, or 1, 2, 4, 6, 8. */
export const cpu: Rule<string> = (value) => {
  const n = parseCpu(value);
  const allowed =
    'must be "1", "2", "4", "6" or "8", or a fraction from "0.08" to "1" (up to 3 decimals, or millicores such as "500m")';
  if (n === undefined || n < 0.08 || n > 8) return allowed;
  return n < 1 || [1, 2, 4, 6, 8].includes(n) ? undefined : allowed;
};

/** Parses a memory limit ("512Mi", "2Gi") into MiB, or undefined when malformed. */
export function parseMemoryMi(value: string): number | undefined {
  const m = /^([0-9]+)(Mi|Gi)$/.exec(value);
  if (!m) return undefined;
  return Number(m[1]) * (m[2] === "Gi" ? 1024 : 1);
}

/**
 * Memory limit format and range. Source: Cloud Run "Configure memory limits": at least 512 MiB in
 * the second generation execution environment (128 MiB in the first), at most 32 GiB.
 */
export function memory(gen: "gen1" | "gen2"): Rule<string> {
  const min = gen === "gen2" ? 512 : 128;
  return (value) => {
    const mi = parseMemoryMi(value);
    if (mi === undefined) return 'must be a whole number of Mi or Gi, such as "512Mi" or "2Gi"';
    if (mi < min || mi > 32 * 1024)
      return `must be from ${min === 512 ? "512Mi" : "128Mi"} to 32Gi in the ${gen} execution environment`;
    return undefined;
  };
}

/**
 * CPU and memory together. Source: Cloud Run "Configure CPU limits" and "Configure memory limits":
 * 1 vCPU up to 4 GiB, 2 up to 8 GiB, 4 from 2 to 16 GiB, 6 from 4 to 24 GiB, 8 from 4 to 32 GiB;
 * below 1 vCPU, memory above 512 MiB needs at least 0.5 vCPU and above 1 GiB needs 1 vCPU.
 */
export function cpuMemoryCombination(cpus: number, memoryMi: number): string | undefined {
  const gi = 1024;
  const maxFor = (c: number): number =>
    c < 0.5 ? 512 : c < 1 ? gi : c === 1 ? 4 * gi : c === 2 ? 8 * gi : c === 4 ? 16 * gi : c === 6 ? 24 * gi : 32 * gi;
  const minFor = (c: number): number => (c === 4 ? 2 * gi : c >= 6 ? 4 * gi : 0);
  const max = maxFor(cpus);
  const min = minFor(cpus);
  const show = (mi: number): string => (mi % gi === 0 ? `${mi / gi}Gi` : `${mi}Mi`);
  if (memoryMi > max) return `${cpus} vCPU allows at most ${show(max)} of memory; raise cpu or lower memory`;
  if (memoryMi < min) return `${cpus} vCPU needs at least ${show(min)} of memory`;
  return undefined;
}

/** Maximum concurrent requests per instance. Source: Cloud Run concurrency docs (1-1000). */
export const concurrency = intRange(1, 1000, "concurrency must be a whole number from 1 to 1000");

/** Request timeout in seconds. Source: Cloud Run request timeout docs (at most 3600 s). */
export const timeoutSeconds = intRange(1, 3600, "must be a whole number of seconds from 1 to 3600");

export const minInstances = intRange(0, 1000, "must be a whole number from 0 to 1000");
export const maxInstances = intRange(1, 1000, "must be a whole number from 1 to 1000");
export const containerPort = intRange(1, 65535, "must be a whole number from 1 to 65535");
export const percent = intRange(0, 100, "must be a whole number from 0 to 100");

export function intRange(min: number, max: number, allowed: string): Rule<number> {
  return (value) => (Number.isInteger(value) && value >= min && value <= max ? undefined : allowed);
}

/**
 * Environment variable name. Source: Cloud Run "Configure environment variables": names may not
 * contain "=", may not start with "X_GOOGLE_", and PORT, K_SERVICE, K_REVISION, K_CONFIGURATION
 * are set by Cloud Run.
 */
export const envName: Rule<string> = (value) => {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(value))
    return "must be letters, digits and underscores, not starting with a digit";
  if (["PORT", "K_SERVICE", "K_REVISION", "K_CONFIGURATION"].includes(value))
    return `${value} is reserved and set by Cloud Run`;
  if (value.startsWith("X_GOOGLE_")) return "names starting with X_GOOGLE_ are reserved by Cloud Run";
  return undefined;
};

/** Secret Manager secret: an id or `projects/PROJECT/secrets/ID`. Source: Secret Manager docs. */
export const secretName = pattern(
  /^(?:projects\/[a-z0-9-]+\/secrets\/)?[A-Za-z0-9_-]{1,255}$/,
  "must be a secret id (letters, digits, _ and -, at most 255) or projects/PROJECT/secrets/ID",
);

/** Secret version: pinned, never `latest`. Source: Google's Secret Manager best practices. */
export const secretVersion: Rule<string> = (value) =>
  /^[1-9][0-9]*$/.test(value)
    ? undefined
    : 'must be a pinned version number such as "3"; "latest" changes what runs without a deploy and is refused';

/** Traffic tag (unverified: conservative, DNS label). */
export const trafficTag = pattern(
  /^[a-z](?:[-a-z0-9]*[a-z0-9])?$/,
  "a tag must be lowercase letters, digits and hyphens, start with a letter and not end with a hyphen",
);

/** A tag and the service name together (unverified, third-party report: at most 46 characters). */
export const MAX_TAG_AND_SERVICE_NAME = 46;

/** HTTP probe path. */
export const probePath = pattern(/^\/\S*$/, "must be a path starting with /");

/**
 * Cleanup-policy age such as "30d", "12h", "3600s". Returned normalised to seconds, the form the
 * API stores (writing "30d" shows a permanent diff).
 */
export function parseDurationSeconds(value: string): number | undefined {
  const m = /^([0-9]+)(s|m|h|d)$/.exec(value);
  if (!m) return undefined;
  const unit = { s: 1, m: 60, h: 3600, d: 86400 }[m[2] as "s" | "m" | "h" | "d"];
  return Number(m[1]) * unit;
}

export const duration: Rule<string> = (value) => {
  const seconds = parseDurationSeconds(value);
  return seconds !== undefined && seconds > 0
    ? undefined
    : 'must be a positive duration such as "30d", "12h", "90m" or "3600s"';
};
