import { Constraint, pattern } from "./validation";

/** Secret Manager: secret names and versions. */

/** Secret Manager secret: an id or `projects/PROJECT/secrets/ID`. Source: Secret Manager docs. */
export const secretName = pattern(
  /^(?:projects\/[a-z0-9-]+\/secrets\/)?[A-Za-z0-9_-]{1,255}$/,
  "must be a secret id (letters, digits, _ and -, at most 255) or projects/PROJECT/secrets/ID",
);

/** True for a pinned version number; `latest` (or an alias) is not pinned. */
export function isPinnedSecretVersion(version: string): boolean {
  return /^[1-9][0-9]*$/.test(version);
}

/** Secret version: pinned, never `latest`. Source: Google's Secret Manager best practices. */
export const secretVersion: Constraint<string> = (value) =>
  isPinnedSecretVersion(value)
    ? undefined
    : 'must be a pinned version number such as "3"; "latest" changes what runs without a deploy and is refused';
