import { Constraint } from "./validation";

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
