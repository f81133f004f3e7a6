import { Token } from "cdktf";
import { Construct } from "constructs";
import { iamMember, isPublicMember } from "../gcp/iam";
import { checkLabels } from "../gcp/projects";
import { IamCondition, bucketLocation, bucketName, softDeleteDays } from "../gcp/storage";
import { sortedRecord } from "../gcp/terraform";
import { Problems, intRange } from "../gcp/validation";
import { StorageBucket, StorageBucketConfig, StorageBucketIamMember } from "../providers";
import { CommonProps, checkCommonProps, grantId } from "./common";
import { grantOnce } from "./grants";

/**
 * What StateBucket and ModelBucket share: a private, versioned, recoverable bucket. Uniform
 * bucket-level access, public access prevention enforced, object versioning, soft delete kept,
 * a lifecycle rule that bounds the history, never force-destroyed, `prevent_destroy` by default:
 * the settings of Google's remote-backend sample and checkov's CKV_GCP_29, CKV_GCP_78 and
 * CKV_GCP_114.
 */
export interface ProtectedBucketProps extends CommonProps {
  /** The bucket's name, globally unique. Changing it replaces the bucket (and everything in it). */
  readonly name: string;

  /** A region (`europe-west1`) or multi-region (`EU`). */
  readonly location: string;

  /**
   * Labels on the bucket.
   * @default - none
   */
  readonly labels?: Readonly<Record<string, string>>;

  /**
   * How many earlier versions of each object to keep: a lifecycle rule deletes a noncurrent
   * version once this many newer ones exist.
   * @default 20 for StateBucket, 5 for ModelBucket
   */
  readonly noncurrentVersionsKept?: number;

  /**
   * How long a deleted object stays recoverable (soft delete), in days: 7 to 90. Google's
   * default is 7; it is written explicitly so that a console change shows as drift.
   * @default 7
   */
  readonly softDeleteDays?: number;

  /**
   * Add Terraform's `lifecycle.prevent_destroy`, so a plan that would delete the bucket fails.
   * @default true
   */
  readonly preventDestroy?: boolean;
}

const DEFAULT_SOFT_DELETE_DAYS = 7;

/** Checks {@link ProtectedBucketProps} into `problems`. */
export function checkProtectedBucketProps(problems: Problems, props: ProtectedBucketProps): void {
  checkCommonProps(problems, props);
  problems.check("name", props.name, bucketName);
  problems.check("location", props.location, bucketLocation);
  checkLabels(problems, "labels", props.labels);
  problems.check(
    "noncurrentVersionsKept",
    props.noncurrentVersionsKept,
    intRange(1, 1000, "must be a whole number from 1 to 1000"),
  );
  problems.check("softDeleteDays", props.softDeleteDays, softDeleteDays);
}

/** The `google_storage_bucket` config of a protected bucket, every setting written. */
export function protectedBucketConfig(
  props: ProtectedBucketProps,
  defaultNoncurrentKept: number,
): Omit<StorageBucketConfig, "dependsOn"> {
  return {
    project: props.project,
    name: props.name,
    location: props.location,
    labels: sortedRecord(props.labels),
    storageClass: "STANDARD",
    uniformBucketLevelAccess: true,
    publicAccessPrevention: "enforced",
    versioning: { enabled: true },
    softDeletePolicy: { retentionDurationSeconds: (props.softDeleteDays ?? DEFAULT_SOFT_DELETE_DAYS) * 86_400 },
    lifecycleRule: [
      {
        action: { type: "Delete" },
        condition: { withState: "ARCHIVED", numNewerVersions: props.noncurrentVersionsKept ?? defaultNoncurrentKept },
      },
    ],
    forceDestroy: false,
    lifecycle: { preventDestroy: props.preventDestroy ?? true },
  };
}

/** Checks the member of a grant on a bucket: an IAM principal, never a public one (`why` says why). */
export function checkBucketMember(problems: Problems, member: string, why: string): Problems {
  problems.check("member", member, iamMember);
  if (!Token.isUnresolved(member) && isPublicMember(member)) problems.add("member", member, why);
  return problems;
}

/**
 * One grant on a bucket (construct id `<kind>-<member>` under `scope`), made once: the same grant
 * again returns the first, another one under the same id is refused.
 */
export function bucketGrant(
  scope: Construct,
  bucket: StorageBucket,
  kind: string,
  role: string,
  member: string,
  condition: IamCondition | undefined,
  subject: string,
): StorageBucketIamMember {
  const id = grantId(scope, kind, member);
  return grantOnce(
    scope,
    id,
    { role, member, detail: condition },
    () => new StorageBucketIamMember(scope, id, { bucket: bucket.name, role, member, condition }),
    { subject, path: "member", value: member },
  );
}
