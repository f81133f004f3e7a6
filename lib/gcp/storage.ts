import { Constraint, intRange, pattern } from "./validation";

/**
 * Cloud Storage bucket name (without dots). Source: Cloud Storage "Bucket naming": 3-63
 * characters, not an IP address, not starting with "goog", not containing "google".
 */
export const bucketName: Constraint<string> = (value) => {
  const allowed =
    "must be 3-63 lowercase letters, digits, hyphens and underscores, start and end with a letter or digit, not start with goog and not contain google";
  if (!/^[a-z0-9][a-z0-9_-]{1,61}[a-z0-9]$/.test(value)) return allowed;
  return value.startsWith("goog") || value.includes("google") ? allowed : undefined;
};

/** A bucket location: a region (`europe-west1`) or multi-region (`EU`). Source: Cloud Storage "Bucket locations". */
export const bucketLocation = pattern(
  /^[A-Za-z]+(?:-[A-Za-z]+[0-9]*)*$/,
  "must be a region or multi-region such as europe-west1 or EU",
);

/** Soft delete retention. Source: Cloud Storage "Soft delete": 7 to 90 days (0 turns it off). */
export const softDeleteDays = intRange(7, 90, "must be a whole number of days from 7 to 90");
