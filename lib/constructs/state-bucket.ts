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
import { objectPrefixCondition } from "../gcp/storage";

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

/** The roles behind {@link StateBucket.grantStateReader} and {@link StateBucket.grantStateWriter}. */
export const STATE_BUCKET_ROLES = {
  "state-reader": "roles/storage.objectViewer",
  "state-writer": "roles/storage.objectAdmin",
} as const;

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
    guardPolicyPlacement(this);
    throwIfInvalid(this, "StateBucket", validateStateBucketProps(props));
    this.bucketName = props.name;
    const dependsOn = resolveDependencies(props.dependsOn);
    this.bucket = new StorageBucket(this, "bucket", {
      ...protectedBucketConfig(props, DEFAULT_NONCURRENT_KEPT),
      dependsOn: dependsOn.length > 0 ? dependsOn : undefined,
    });
  }

  /**
   * Lets `grantee` read the state (`roles/storage.objectViewer`): what `terraform plan -lock=false`
   * needs. With `prefix`, only the objects under it (one stack's state). Construct id:
   * `state-reader-<member>`.
   */
  grantStateReader(grantee: Grantee, options: StateGrantOptions = {}): Grant {
    return this.grant("state-reader", memberOf(grantee), options);
  }

  /**
   * Lets `grantee` read and write the state and its lock (`roles/storage.objectAdmin`). With
   * `prefix`, only the objects under it: another stack's state in the same bucket stays out of
   * reach. Construct id: `state-writer-<member>`.
   */
  grantStateWriter(grantee: Grantee, options: StateGrantOptions = {}): Grant {
    return this.grant("state-writer", memberOf(grantee), options);
  }

  private grant(kind: keyof typeof STATE_BUCKET_ROLES, member: string, options: StateGrantOptions): Grant {
    const subject = `StateBucket "${this.node.path}".${kind === "state-reader" ? "grantStateReader" : "grantStateWriter"}()`;
    const problems = checkBucketMember(
      new Problems(),
      member,
      "state holds secrets and resource ids: it can never be public",
    );
    if (options.prefix !== undefined) problems.check("prefix", options.prefix, objectPrefix);
    problems.throwIfAny(subject);
    const role = STATE_BUCKET_ROLES[kind];
    const condition = options.prefix === undefined ? undefined : objectPrefixCondition(this.bucketName, options.prefix);
    return grantOf(member, [
      { role, resource: bucketGrant(this, this.bucket, kind, role, member, condition, subject) },
    ]);
  }
}
