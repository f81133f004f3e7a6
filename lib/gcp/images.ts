import { Constraint, pattern } from "./validation";

/** Container image references. Source: the distribution/reference grammar, the OCI image spec. */

/** Image tag. */
export const imageTag = pattern(
  /^[\w][\w.-]{0,127}$/,
  "a tag must be 1-128 characters of letters, digits, underscores, periods and hyphens, not starting with a period or hyphen",
);

/** Image digest (sha256 only). */
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

/** A full image reference: `REGISTRY/PATH[:TAG][@sha256:DIGEST]`. */
export const imageReference = pattern(
  IMAGE_REFERENCE,
  "must be an image reference such as europe-west1-docker.pkg.dev/PROJECT/REPO/IMAGE@sha256:<64 hex> or .../IMAGE:TAG",
);

/** True when the reference is pinned by digest. */
export function isDigestPinned(image: string): boolean {
  return /@sha256:[a-f0-9]{64}$/.test(image);
}

export const imagePinnedByDigest: Constraint<string> = (value) =>
  isDigestPinned(value)
    ? undefined
    : "must be pinned by digest (IMAGE@sha256:<64 hex>): a tag can be moved to other content after review";

/** `REPOSITORY_URL/IMAGE:TAG`, or `REPOSITORY_URL/IMAGE@sha256:…` for a digest. */
export function imageInRepository(repositoryUrl: string, image: string, tagOrDigest: string): string {
  return `${repositoryUrl}/${image}${tagOrDigest.startsWith("sha256:") ? "@" : ":"}${tagOrDigest}`;
}
