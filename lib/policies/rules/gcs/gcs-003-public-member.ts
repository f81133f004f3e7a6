import { iamTypes, noPublicGrant } from "../../iam-grants";
import { ALL_STAGES, PolicyRule } from "../../rule";

export const GCS_003: PolicyRule = {
  id: "GCS-003",
  what: "No Cloud Storage bucket grants a role to allUsers or allAuthenticatedUsers",
  why: "A public grant lets anyone download the model a team trained, or the state of its infrastructure.",
  fix: "Grant read to the runtime accounts that need it (ModelBucket.grantReader, or a read-only volume mount).",
  severity: "error",
  stages: ALL_STAGES,
  equivalent: "CKV_GCP_28 (checkov)",
  resourceTypes: iamTypes("google_storage_bucket"),
  check: (r) => noPublicGrant(r, "a Cloud Storage bucket"),
};
