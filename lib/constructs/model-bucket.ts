import { Construct } from "constructs";
import { Problem, Problems, throwIfInvalid } from "../gcp/validation";
import { StorageBucket, StorageBucketIamMember } from "../providers";
import { ProtectedBucketProps, checkBucketMember, checkProtectedBucketProps, protectedBucketConfig } from "./bucket";
import { grantId, resolveDependencies } from "./common";

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

  constructor(scope: Construct, id: string, props: ModelBucketProps) {
    super(scope, id);
    throwIfInvalid(this, "ModelBucket", validateModelBucketProps(props));
    this.bucketName = props.name;
    this.project = props.project;
    const dependsOn = resolveDependencies(props.dependsOn);
    this.bucket = new StorageBucket(this, "bucket", {
      ...protectedBucketConfig(props, DEFAULT_NONCURRENT_KEPT),
      dependsOn: dependsOn.length > 0 ? dependsOn : undefined,
    });
  }

  /**
   * Lets `member` list and read the objects (`roles/storage.objectViewer`), additively. A public
   * member is refused. Granting the same member twice returns the first grant.
   */
  grantReader(member: string): StorageBucketIamMember {
    return this.grant("reader", member);
  }

  /**
   * Lets `member` list, read, write and delete objects (`roles/storage.objectUser`), but not change
   * the bucket or its IAM policy. A public member is refused.
   */
  grantWriter(member: string): StorageBucketIamMember {
    return this.grant("writer", member);
  }

  private grant(kind: keyof typeof MODEL_BUCKET_ROLES, member: string): StorageBucketIamMember {
    checkBucketMember(
      new Problems(),
      member,
      "model artifacts are never public: anyone could download what you trained",
    ).throwIfAny(`ModelBucket "${this.node.path}".grant${kind === "reader" ? "Reader" : "Writer"}()`);
    const id = grantId(this, kind, member);
    const existing = this.node.tryFindChild(id);
    if (existing instanceof StorageBucketIamMember) return existing;
    return new StorageBucketIamMember(this, id, { bucket: this.bucket.name, role: MODEL_BUCKET_ROLES[kind], member });
  }
}
