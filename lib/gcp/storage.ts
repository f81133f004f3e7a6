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

/*
 * IAM conditions on buckets and objects. Source: Cloud Storage "IAM Conditions": the resource
 * name of a bucket is `projects/_/buckets/NAME` and of an object
 * `projects/_/buckets/NAME/objects/OBJECT`; conditions need uniform bucket-level access.
 */

/** The resource name of a bucket in IAM conditions. */
function bucketResourceName(bucket: string): string {
  return `projects/_/buckets/${bucket}`;
}

/** An IAM condition: a title, a description and a CEL expression. */
export interface IamCondition {
  readonly title: string;
  readonly description: string;
  readonly expression: string;
}

/**
 * The IAM condition that limits a role to the named buckets and their objects. Throws when the
 * list is empty (an empty expression would be refused at apply, or read as no condition at all)
 * or names something that is not a bucket.
 */
export function bucketsCondition(buckets: readonly string[], title = "only this environment's buckets"): IamCondition {
  if (buckets.length === 0) throw new Error("bucketsCondition needs at least one bucket");
  for (const b of buckets) {
    if (bucketName(b) !== undefined) throw new Error(`bucketsCondition: ${JSON.stringify(b)} is not a bucket name`);
  }
  const sorted = [...buckets].sort();
  return {
    title,
    description: `Only the buckets ${sorted.join(", ")} and their objects`,
    expression: sorted
      .map(
        (b) => `resource.name == '${bucketResourceName(b)}' || resource.name.startsWith('${bucketResourceName(b)}/')`,
      )
      .join(" || "),
  };
}

/**
 * The IAM condition that limits a bucket grant to the bucket itself (listing) and the objects
 * whose names start with `prefix`.
 */
export function objectPrefixCondition(bucket: string, prefix: string): IamCondition {
  return {
    title: `objects under ${prefix}`.slice(0, 100),
    description: `Only the bucket itself and the objects under gs://${bucket}/${prefix}`,
    expression:
      `resource.type == 'storage.googleapis.com/Bucket' || ` +
      `(resource.type == 'storage.googleapis.com/Object' && resource.name.startsWith('${bucketResourceName(bucket)}/objects/${prefix}'))`,
  };
}
