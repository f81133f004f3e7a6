/**
 * The cases of the Cloud Storage rules (GCS-001 to GCS-003), one compliant and one non-compliant
 * stack each (lib/policies/rules/gcs/): rules/gcs.test.ts runs them, and pack.test.ts checks that
 * every rule of the folder has one.
 */
import { Case, SA, bucketAttrs, generic } from "../../builders";

export const CASES: Case[] = [
  [
    "GCS-001",
    "development",
    (s) => generic(s, "models", "google_storage_bucket", bucketAttrs()),
    (s) =>
      generic(
        s,
        "models",
        "google_storage_bucket",
        bucketAttrs((a) => delete a.public_access_prevention),
      ),
    /public_access_prevention is "inherited", not "enforced" on bucket acme-ml-prod-models/,
  ],
  [
    "GCS-002",
    "development",
    (s) => generic(s, "models", "google_storage_bucket", bucketAttrs()),
    (s) =>
      generic(
        s,
        "models",
        "google_storage_bucket",
        bucketAttrs((a) => {
          a.versioning = { enabled: false };
          a.force_destroy = true;
        }),
      ),
    /versioning is not enabled; force_destroy is true on bucket acme-ml-prod-models/,
  ],
  [
    "GCS-003",
    "development",
    (s) =>
      generic(s, "read", "google_storage_bucket_iam_member", {
        bucket: "acme-ml-prod-models",
        role: "roles/storage.objectViewer",
        member: `serviceAccount:${SA}`,
      }),
    (s) =>
      generic(s, "read", "google_storage_bucket_iam_member", {
        bucket: "acme-ml-prod-models",
        role: "roles/storage.objectViewer",
        member: "allUsers",
      }),
    /roles\/storage.objectViewer is granted to allUsers on a Cloud Storage bucket/,
  ],
];
