import { ALL_STAGES, PolicyRule, compliant, nonCompliant } from "../../rule";
import { CLOUD_RUN_WORKLOADS, envVars } from "../../view";

/**
 * A name is read as words: split at anything that is not a letter or digit and at camelCase
 * humps, upper-cased. `pgPassword`, `PG_PASSWORD` and `PGPASSWORD` all give words that the
 * checks below can read, the last through its squashed form.
 */
function wordsOf(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .toUpperCase()
    .split(/[^A-Z0-9]+/)
    .filter((w) => w.length > 0);
}

/** Found anywhere in the name with its separators removed: PGPASSWORD, DB_PASSWD, OPENAI_API_KEY. */
const SECRET_PARTS = [
  "PASSWORD",
  "PASSWD",
  "PASSPHRASE",
  "SECRET",
  "CREDENTIAL",
  "PRIVATEKEY",
  "APIKEY",
  "ACCESSKEY",
  "AUTHTOKEN",
  "ACCESSTOKEN",
  "REFRESHTOKEN",
  "BEARERTOKEN",
  "SIGNINGKEY",
  "ENCRYPTIONKEY",
  "CLIENTSECRET",
  "AUTHORIZATION",
  "BASICAUTH",
  "CONNECTIONSTRING",
];

/**
 * Whole words only, because as parts of words they are everywhere: PASS in PASSTHROUGH, KEY in
 * KEYBOARD, TOKEN in TOKENIZERS_PARALLELISM (a model-server setting, not a credential). A word
 * ending in TOKEN counts too (HFTOKEN); TOKENS, a count, does not.
 */
const SECRET_WORDS = new Set(["PASS", "PWD", "TOKEN", "KEY", "CRED", "CREDS", "PAT"]);

/**
 * A word that makes the name about a secret rather than the secret itself: MAX_NEW_TOKENS,
 * TOKEN_TTL, SECRET_NAME, AUTH_HEADER, KEY_PREFIX. (FILE, PATH and DIR do only when the value
 * is a path: POSTGRES_PASSWORD_FILE=/run/secrets/db, Docker's convention.)
 */
const QUALIFIERS = new Set([
  "MAX",
  "MIN",
  "LIMIT",
  "COUNT",
  "LENGTH",
  "LEN",
  "SIZE",
  "BUDGET",
  "TTL",
  "TIMEOUT",
  "EXPIRY",
  "EXPIRES",
  "LIFETIME",
  "NAME",
  "HEADER",
  "TYPE",
  "MODE",
  "VERSION",
  "FORMAT",
  "ALGORITHM",
  "ALG",
  "ENABLED",
  "DISABLED",
  "REQUIRED",
  "ROTATION",
  "POLICY",
  "PREFIX",
  "URI",
  "URL",
  "ENDPOINT",
  "PROJECT",
  "COLUMN",
  "REGION",
]);

/** Qualifiers that say the value is where a secret is: they exempt a name only when the value is a path. */
const PATH_QUALIFIERS = new Set(["FILE", "PATH", "DIR"]);

/** TOKEN after one of these is a tokenizer's special token (PAD_TOKEN, EOS_TOKEN_ID), not a credential. */
const SPECIAL_TOKENS = new Set(["PAD", "BOS", "EOS", "UNK", "SEP", "CLS", "MASK", "STOP", "START", "END"]);

/** KEY after one of these names a lookup key or a public half, not a credential: CACHE_KEY, PUBLIC_KEY. */
const NOT_A_SECRET_KEY = new Set([
  "CACHE",
  "PARTITION",
  "SORT",
  "PRIMARY",
  "FOREIGN",
  "ROUTING",
  "IDEMPOTENCY",
  "OBJECT",
  "PUBLIC",
  "KMS",
  "SHARD",
  "HASH",
  "LOOKUP",
  "DEDUP",
  "MAP",
]);

/** Whether a name says it holds a credential (`value`: what it is set to, for the path qualifiers). */
function secretName(name: string, value: string): boolean {
  const words = wordsOf(name);
  if (words.some((w) => QUALIFIERS.has(w))) return false;
  if (words.some((w) => PATH_QUALIFIERS.has(w)) && value.includes("/")) return false;
  if (words.some((w, i) => w === "TOKEN" && i > 0 && SPECIAL_TOKENS.has(words[i - 1]))) return false;
  const squashed = words.join("");
  if (SECRET_PARTS.some((part) => squashed.includes(part))) return true;
  return words.some(
    (w, i) =>
      (SECRET_WORDS.has(w) || w.endsWith("TOKEN")) && !(w === "KEY" && i > 0 && NOT_A_SECRET_KEY.has(words[i - 1])),
  );
}

/**
 * Values shaped like a credential, whatever the variable is called. The prefixes are the
 * issuers' documented formats: AWS access key ids (AKIA/ASIA, IAM "Unique identifiers"), Google
 * API keys (AIza) and OAuth access tokens (ya29.), GitHub tokens (ghp_/gho_/ghu_/ghs_/ghr_,
 * github_pat_; GitHub's "authentication token formats"), OpenAI (sk-), Slack (xoxb-/xoxp-/…),
 * Hugging Face (hf_), GitLab (glpat-), Stripe live keys (sk_live_/rk_live_), SendGrid (SG.),
 * Replicate (r8_); and a password in a connection string, an Azure storage AccountKey, an
 * Authorization header's value, and a Secret Manager secret read into a plain value.
 */
const SECRET_VALUES: { shape: string; test: RegExp }[] = [
  { shape: "a URL with a password", test: /^[a-z][a-z0-9+.-]*:\/\/[^/\s:@]*:[^/\s@]+@/i },
  { shape: "a private key", test: /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/ },
  { shape: "a service account key", test: /"type"\s*:\s*"service_account"|"private_key"\s*:/ },
  { shape: "an AWS access key", test: /\b(AKIA|ASIA)[A-Z0-9]{16}\b/ },
  { shape: "a Google API key", test: /\bAIza[0-9A-Za-z_-]{35}/ },
  { shape: "a GitHub token", test: /\b(gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,})/ },
  { shape: "an OpenAI key", test: /\bsk-(proj-)?[A-Za-z0-9_-]{20,}/ },
  { shape: "a Slack token", test: /\bxox[abposr]-[A-Za-z0-9-]{10,}/ },
  { shape: "a Hugging Face token", test: /\bhf_[A-Za-z0-9]{30,}/ },
  { shape: "a GitLab token", test: /\bglpat-[A-Za-z0-9_-]{20,}/ },
  { shape: "a Stripe live key", test: /\b[sr]k_live_[A-Za-z0-9]{20,}/ },
  { shape: "a JSON web token", test: /\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]+/ },
  { shape: "a password parameter", test: /(^|[?&;\s])(password|passwd|pwd)=[^&;\s]+/i },
  { shape: "a storage account key", test: /AccountKey=[A-Za-z0-9+/=]{20,}/ },
  { shape: "a bearer or basic credential", test: /^(Bearer|Basic)\s+[A-Za-z0-9._~+/-]{8,}=*$/ },
  { shape: "a SendGrid key", test: /\bSG\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}/ },
  { shape: "a Google OAuth access token", test: /\bya29\.[A-Za-z0-9_-]{20,}/ },
  { shape: "a Replicate token", test: /\br8_[A-Za-z0-9]{30,}/ },
  { shape: "a secret read into plain text", test: /\$\{[^}]*\.secret_data\}/ },
];

/** A path to a file (GOOGLE_APPLICATION_CREDENTIALS=/var/secrets/key.json) is where a secret is, not one. */
const FILE_PATH = /^(\/[\w.@-]+){2,}$/;

/**
 * Why a plain variable looks like a secret, or undefined. Never returns the value: a finding is
 * printed in CI logs.
 */
function looksSecret(name: string, value: unknown): string | undefined {
  const text = typeof value === "string" ? value : JSON.stringify(value);
  if (text === undefined || text === "" || text === "true" || text === "false") return undefined;
  const shaped = SECRET_VALUES.find((v) => v.test.test(text));
  if (shaped) return `${name} (its value is ${shaped.shape})`;
  if (FILE_PATH.test(text)) return undefined;
  return secretName(name, text) ? name : undefined;
}

export const RUN_011: PolicyRule = {
  id: "RUN-011",
  what: "No plain environment variable is named like a secret (PASSWORD, PGPASSWORD, DB_PASS, MYSQL_PWD, HF_TOKEN, OPENAI_KEY, CREDENTIALS…) or holds a credential-shaped value (a URL with a password, a private key, a known key prefix)",
  why: "A plain value is stored in the Terraform state, the plan output and the revision's configuration, readable by anyone with viewer access.",
  fix: "Store the value in Secret Manager and reference it (CloudRunService's secretEnv). A name that only looks like a secret (a setting about one) can be acknowledged with its reason.",
  severity: "error",
  stages: ALL_STAGES,
  field: { path: "env", of: "workload" },
  resourceTypes: CLOUD_RUN_WORKLOADS,
  check: (r) => {
    const plain = envVars(r)
      .filter((e) => e.secret === undefined && e.value !== undefined && e.value !== null)
      .map((e) => looksSecret(e.name, e.value))
      .filter((found): found is string => found !== undefined);
    return plain.length > 0 ? nonCompliant(`${plain.join(", ")} set as plain text`) : compliant;
  },
};
