import { Construct } from "constructs";
import { Problem, Problems, throwIfInvalid } from "../gcp/validation";
import { StorageBucket, StorageBucketIamMember } from "../providers";
import { ProtectedBucketProps, checkBucketMember, checkProtectedBucketProps, protectedBucketConfig } from "./bucket";
import { grantId, resolveDependencies } from "./common";

/** The props of a {@link StateBucket}: those of every protected bucket. */
export type StateBucketProps = ProtectedBucketProps;

/** Options of a grant on a {@link StateBucket}. */
export interface StateGrantOptions {
  /**
   * Limit the grant to the objects whose names start with this prefix, such as
   * `predict/prod/` (the GCS backend's `<prefix>/<workspace>.tfstate` and `.tflock`), by an IAM
   * condition. Listing stays allowed on the bucket, which Terraform needs to find the state.
   * @default - every object of the bucket
   */
  readonly prefix?: string;
}

/** An object-name prefix: no leading slash, ending with one, no wildcard. */
const objectPrefix = (value: string) =>
  /^[^/*?][^*?]*\/$/.test(value) ? undefined : 'must be an object-name prefix ending with "/", such as predict/prod/';

/**
 * The IAM condition that limits a bucket grant to the bucket itself (listing) and the objects
 * under `prefix`. Source: Cloud Storage "IAM Conditions": resource.type and resource.name of
 * buckets (`projects/_/buckets/B`) and objects (`projects/_/buckets/B/objects/NAME`); conditions
 * need uniform bucket-level access, which the bucket has.
 */
function prefixCondition(bucket: string, prefix: string) {
  return {
    title: `objects under ${prefix}`.slice(0, 100),
    description: `Only the bucket itself and the objects under gs://${bucket}/${prefix}`,
    expression:
      `resource.type == 'storage.googleapis.com/Bucket' || ` +
      `(resource.type == 'storage.googleapis.com/Object' && resource.name.startsWith('projects/_/buckets/${bucket}/objects/${prefix}'))`,
  };
}

const DEFAULT_NONCURRENT_KEPT = 20;

/** Checks {@link StateBucketProps}; returns every problem, with prop paths. */
export function validateStateBucketProps(props: StateBucketProps): Problem[] {
  const problems = new Problems();
  checkProtectedBucketProps(problems, props);
  return [...problems.list];
}

/**
 * A Cloud Storage bucket for Terraform state: object versioning (state history), uniform
 * bucket-level access, public access prevention enforced, soft delete kept, a lifecycle rule that
 * bounds the history, never force-destroyed and protected from destroy by default. These are the
 * settings of Google's remote-backend sample and checkov's CKV_GCP_29, CKV_GCP_78 and
 * CKV_GCP_114.
 *
 * The construct id of the bucket resource inside is `bucket`; it becomes the Terraform address.
 */
export class StateBucket extends Construct {
  /** The `google_storage_bucket` resource. */
  readonly bucket: StorageBucket;
  readonly bucketName: string;

  constructor(scope: Construct, id: string, props: StateBucketProps) {
    super(scope, id);
    throwIfInvalid(this, "StateBucket", validateStateBucketProps(props));
    this.bucketName = props.name;
    const dependsOn = resolveDependencies(props.dependsOn);
    this.bucket = new StorageBucket(this, "bucket", {
      ...protectedBucketConfig(props, DEFAULT_NONCURRENT_KEPT),
      dependsOn: dependsOn.length > 0 ? dependsOn : undefined,
    });
  }

  /**
   * Lets `member` read the state (`roles/storage.objectViewer`): what `terraform plan -lock=false`
   * needs. With `prefix`, only the objects under it (one stack's state).
   */
  grantStateReader(member: string, options: StateGrantOptions = {}): StorageBucketIamMember {
    return this.grant("roles/storage.objectViewer", "state-reader", member, options);
  }

  /**
   * Lets `member` read and write the state and its lock (`roles/storage.objectAdmin`). With
   * `prefix`, only the objects under it: another stack's state in the same bucket stays out of reach.
   */
  grantStateWriter(member: string, options: StateGrantOptions = {}): StorageBucketIamMember {
    return this.grant("roles/storage.objectAdmin", "state-writer", member, options);
  }

  private grant(role: string, kind: string, member: string, options: StateGrantOptions): StorageBucketIamMember {
    const problems = checkBucketMember(
      new Problems(),
      member,
      "state holds secrets and resource ids: it can never be public",
    );
    if (options.prefix !== undefined) problems.check("prefix", options.prefix, objectPrefix);
    problems.throwIfAny(
      `StateBucket "${this.node.path}".${kind === "state-reader" ? "grantStateReader" : "grantStateWriter"}()`,
    );
    const id = grantId(this, kind, member);
    const existing = this.node.tryFindChild(id);
    if (existing instanceof StorageBucketIamMember) return existing;
    return new StorageBucketIamMember(this, id, {
      bucket: this.bucket.name,
      role,
      member,
      condition: options.prefix === undefined ? undefined : prefixCondition(this.bucketName, options.prefix),
    });
  }
}
