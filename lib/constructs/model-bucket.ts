import { guardPolicyPlacement } from "./common";
import { Construct } from "constructs";
import { Problem, Problems, throwIfInvalid } from "../gcp/validation";
import { StorageBucket } from "../providers";
import {
  ProtectedBucketProps,
  bucketGrant,
  checkBucketMember,
  checkProtectedBucketProps,
  protectedBucketConfig,
} from "./bucket";
import { resolveDependencies } from "./common";
import { Grant, Grantee, grantOf, memberOf } from "./grants";

/**
 * The props of a {@link ModelBucket}. Every setting of a protected bucket is written: uniform
 * bucket-level access, public access prevention enforced, versioning, soft delete, a lifecycle
 * rule for old noncurrent versions, `force_destroy = false`, `prevent_destroy` by default.
 */
export type ModelBucketProps = ProtectedBucketProps;

/** Noncurrent versions of each model object kept by default: a few rollbacks' worth, not every run. */
const DEFAULT_NONCURRENT_KEPT = 5;

/** The roles behind {@link ModelBucket.grantReader} and {@link ModelBucket.grantWriter}. */
export const MODEL_BUCKET_ROLES = {
  /** List and read objects: what a read-only Cloud Storage volume mount needs. */
  reader: "roles/storage.objectViewer",
  /**
   * List, read, create, replace and delete objects, and nothing on the bucket's settings or IAM
   * policy: what a read-write volume mount needs. Source: Cloud Storage "IAM roles".
   */
  writer: "roles/storage.objectUser",
} as const;

/** Checks {@link ModelBucketProps}; returns every problem, with prop paths. */
export function validateModelBucketProps(props: ModelBucketProps): Problem[] {
  const problems = new Problems();
  checkProtectedBucketProps(problems, props);
  return [...problems.list];
}

/**
 * A Cloud Storage bucket for model artifacts: written by a training job, read by the services
 * that serve them (mount it as a volume of a {@link CloudRunJob} or {@link CloudRunService}).
 * Private, versioned and recoverable, like the state bucket: an overwritten or deleted model can
 * be restored, and a lifecycle rule deletes a noncurrent version once `noncurrentVersionsKept`
 * newer ones exist.
 *
 * Construct ids inside (`bucket`, `reader-…`, `writer-…`) become Terraform addresses.
 */
export class ModelBucket extends Construct {
  /** The `google_storage_bucket` resource. */
  readonly bucket: StorageBucket;
  /** The bucket's name. */
  readonly bucketName: string;
  /** The project the bucket is in, when given (otherwise the provider's). */
  readonly project?: string;
  /** Where the bucket is, as given: a region (`europe-west1`), or a dual- or multi-region (`EU`). */
  readonly location: string;

  constructor(scope: Construct, id: string, props: ModelBucketProps) {
    super(scope, id);
    guardPolicyPlacement(this);
    throwIfInvalid(this, "ModelBucket", validateModelBucketProps(props));
    this.bucketName = props.name;
    this.project = props.project;
    this.location = props.location;
    const dependsOn = resolveDependencies(props.dependsOn);
    this.bucket = new StorageBucket(this, "bucket", {
      ...protectedBucketConfig(props, DEFAULT_NONCURRENT_KEPT),
      dependsOn: dependsOn.length > 0 ? dependsOn : undefined,
    });
  }

  /**
   * Lets `grantee` list and read the objects (`roles/storage.objectViewer`), additively. A public
   * member is refused. Granting the same member twice returns the first grant. Construct id:
   * `reader-<member>`.
   */
  grantReader(grantee: Grantee): Grant {
    return this.grant("reader", memberOf(grantee));
  }

  /**
   * Lets `grantee` list, read, write and delete objects (`roles/storage.objectUser`), but not
   * change the bucket or its IAM policy. A public member is refused. Construct id: `writer-<member>`.
   */
  grantWriter(grantee: Grantee): Grant {
    return this.grant("writer", memberOf(grantee));
  }

  private grant(kind: keyof typeof MODEL_BUCKET_ROLES, member: string): Grant {
    const subject = `ModelBucket "${this.node.path}".grant${kind === "reader" ? "Reader" : "Writer"}()`;
    checkBucketMember(
      new Problems(),
      member,
      "model artifacts are never public: anyone could download what you trained",
    ).throwIfAny(subject);
    const role = MODEL_BUCKET_ROLES[kind];
    return grantOf(member, [
      { role, resource: bucketGrant(this, this.bucket, kind, role, member, undefined, subject) },
    ]);
  }
}
