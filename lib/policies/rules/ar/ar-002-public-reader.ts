import { iamTypes, noPublicGrant } from "../../iam-grants";
import { ALL_STAGES, PolicyRule } from "../../rule";

export const AR_002: PolicyRule = {
  id: "AR-002",
  what: "No Artifact Registry repository is readable by allUsers or allAuthenticatedUsers",
  why: "Images hold the model, the code and often configuration; a public repository publishes them.",
  fix: "Grant roles/artifactregistry.reader to the runtime service accounts that pull (ArtifactRepository.grantReader).",
  severity: "error",
  stages: ALL_STAGES,
  equivalent: "CKV_GCP_101 (checkov)",
  resourceTypes: iamTypes("google_artifact_registry_repository"),
  check: (r) => noPublicGrant(r, "an Artifact Registry repository"),
};
