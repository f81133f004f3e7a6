import { Constraint, Problems, pattern } from "./validation";

/** Projects, regions, APIs and labels: facts every Google Cloud resource shares. */

/** Project id. Source: Google Cloud "Creating and managing projects". */
export const projectId: Constraint<string> = (value) => {
  const allowed =
    "must be 6-30 characters of lowercase letters, digits and hyphens, start with a letter, not end with a hyphen, and not contain google, null, undefined or ssl";
  if (typeof value !== "string" || !/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/.test(value)) return allowed;
  return /google|null|undefined|ssl/.test(value) ? allowed : undefined;
};

/** Region, such as `europe-west1` (convention; the provider's own check is looser). */
export const region = pattern(/^[a-z]+(?:-[a-z]+)+[0-9]+$/, "must be a region such as europe-west1 or us-central1");

/** An API to enable, such as `run.googleapis.com`. */
export const apiName = pattern(
  /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$/,
  "must be a service name such as run.googleapis.com",
);

/** Label key and value. Source: Google Cloud "Labels requirements". */
const labelKey = pattern(
  /^[a-z][a-z0-9_-]{0,62}$/,
  "label keys must be 1-63 characters of lowercase letters, digits, underscores and hyphens, starting with a letter",
);
const labelValue = pattern(
  /^[a-z0-9_-]{0,63}$/,
  "label values must be 0-63 characters of lowercase letters, digits, underscores and hyphens",
);
const MAX_LABELS = 64;

/** Checks a label map: every key and value, and the count. */
export function checkLabels(
  problems: Problems,
  path: string,
  labels: Readonly<Record<string, string>> | undefined,
): void {
  if (labels === undefined) return;
  const entries = Object.entries(labels);
  if (entries.length > MAX_LABELS) {
    problems.add(path, `${entries.length} labels`, `at most ${MAX_LABELS} labels are allowed`);
  }
  for (const [key, value] of entries) {
    problems.check(`${path}.${key}`, key, labelKey);
    problems.check(`${path}.${key}`, value, labelValue);
  }
}

/** A project number: the digits that name a project's service agents (`service-NUMBER@…`). */
export const projectNumber = pattern(
  /^[1-9][0-9]{0,19}$/,
  "must be the project's number: digits, such as 123456789012",
);
