/**
 * ModelBucket (lib/constructs/model-bucket.ts): a private, versioned, recoverable bucket for
 * model artifacts, every setting written; its grants (one Grant shape, never public); its limits
 * on both sides. Workloads mounting it are granted access in workload/identity.test.ts.
 */
import { Grant, ModelBucket, ModelBucketProps } from "../../lib";
import { StorageBucketIamMember } from "../../lib/providers";
import { only, resources, synth } from "../helpers";
import {
  BUCKET_SUBJECT,
  PROJECT,
  bucketBase,
  bucketFails,
  bucketPasses,
  entry,
  newBucket,
  refused,
} from "./workload/builders";

describe("ModelBucket", () => {
  const synthBucket = (props: Partial<ModelBucketProps> = {}, then?: (b: ModelBucket) => void) =>
    synth((s) => {
      const b = new ModelBucket(s, "models", { ...bucketBase, ...props });
      then?.(b);
    });

  test("a private, versioned, recoverable bucket, every setting written", () => {
    const b = only(synthBucket(), "google_storage_bucket");
    expect(b).toMatchObject({
      name: "acme-models",
      location: "europe-west1",
      project: PROJECT,
      uniform_bucket_level_access: true,
      public_access_prevention: "enforced",
      versioning: { enabled: true },
      soft_delete_policy: { retention_duration_seconds: 7 * 24 * 3600 },
      force_destroy: false,
      lifecycle: { prevent_destroy: true },
    });
    expect(b.lifecycle_rule).toEqual([
      { action: { type: "Delete" }, condition: { with_state: "ARCHIVED", num_newer_versions: 5 } },
    ]);
  });

  test("noncurrentVersionsKept, softDeleteDays and preventDestroy are written as given", () => {
    const b = only(
      synthBucket({ noncurrentVersionsKept: 12, softDeleteDays: 30, preventDestroy: false }),
      "google_storage_bucket",
    );
    expect(b.lifecycle_rule[0].condition).toEqual({ with_state: "ARCHIVED", num_newer_versions: 12 });
    expect(b.soft_delete_policy.retention_duration_seconds).toBe(30 * 86400);
    expect(b.lifecycle).toEqual({ prevent_destroy: false });
    expect(b.force_destroy).toBe(false);
  });

  test("grantReader gives objectViewer, grantWriter objectUser, each returned; the same member twice is one grant", () => {
    let reader: Grant | undefined;
    let writer: Grant | undefined;
    const out = synthBucket({}, (b) => {
      reader = b.grantReader("serviceAccount:predict@acme-ml-dev.iam.gserviceaccount.com");
      expect(b.grantReader("serviceAccount:predict@acme-ml-dev.iam.gserviceaccount.com").resources).toEqual(
        reader.resources,
      );
      writer = b.grantWriter("serviceAccount:train@acme-ml-dev.iam.gserviceaccount.com");
      expect(b.grantWriter("serviceAccount:train@acme-ml-dev.iam.gserviceaccount.com").resources).toEqual(
        writer.resources,
      );
    });
    expect(reader?.roles).toEqual(["roles/storage.objectViewer"]);
    expect(writer?.roles).toEqual(["roles/storage.objectUser"]);
    expect(reader?.resources[0]).toBeInstanceOf(StorageBucketIamMember);
    expect(writer?.resources[0]).toBeInstanceOf(StorageBucketIamMember);
    const bucket = entry(out, "google_storage_bucket", "models_bucket_");
    const grants = Object.values(resources(out, "google_storage_bucket_iam_member"));
    expect(grants).toHaveLength(2);
    expect(grants).toEqual(
      expect.arrayContaining([
        {
          bucket: `\${${bucket.ref}.name}`,
          role: "roles/storage.objectViewer",
          member: "serviceAccount:predict@acme-ml-dev.iam.gserviceaccount.com",
        },
        {
          bucket: `\${${bucket.ref}.name}`,
          role: "roles/storage.objectUser",
          member: "serviceAccount:train@acme-ml-dev.iam.gserviceaccount.com",
        },
      ]),
    );
  });

  test('"allUsers" and "allAuthenticatedUsers" are refused', () => {
    const b = newBucket();
    for (const m of ["allUsers", "allAuthenticatedUsers"]) {
      refused(() => b.grantReader(m), `${BUCKET_SUBJECT}.grantReader()`, "member", m, /never public/);
      refused(() => b.grantWriter(m), `${BUCKET_SUBJECT}.grantWriter()`, "member", m, /never public/);
    }
    expect(b.node.children.map((c) => c.node.id)).toEqual(["bucket"]);
  });

  test("bucket names: bad names are refused at name", () => {
    bucketPasses({ name: "abc" });
    bucketFails({ name: "Models" }, "name", "Models", /lowercase/);
    bucketFails({ name: "goog-models" }, "name", "goog-models", /not start with goog/);
    bucketFails({ name: "my-google-models" }, "name", "my-google-models", /not contain google/);
    bucketFails({ name: "a" }, "name", "a", /3-63/);
    bucketFails({ name: "ab" }, "name", "ab", /3-63/);
  });

  test("softDeleteDays: 7 and 90 pass, 6 and 91 fail", () => {
    bucketPasses({ softDeleteDays: 7 });
    bucketPasses({ softDeleteDays: 90 });
    bucketFails({ softDeleteDays: 6 }, "softDeleteDays", 6, /from 7 to 90/);
    bucketFails({ softDeleteDays: 91 }, "softDeleteDays", 91, /from 7 to 90/);
  });

  test("noncurrentVersionsKept: 1 passes, 0 fails", () => {
    bucketPasses({ noncurrentVersionsKept: 1 });
    bucketFails({ noncurrentVersionsKept: 0 }, "noncurrentVersionsKept", 0, /from 1 to 1000/);
  });
});
