/**
 * The cases of the Artifact Registry rules (AR-001 to AR-004), one compliant and one non-compliant
 * stack each (lib/policies/rules/ar/): rules/ar.test.ts runs them, and pack.test.ts checks that
 * every rule of the folder has one.
 */
import { ArtifactRegistryRepositoryIamMember } from "../../../../lib/providers";
import { Case, SA, generic, repository } from "../../builders";

export const CASES: Case[] = [
  [
    "AR-001",
    "development",
    (s) => repository(s),
    (s) => repository(s, (c) => delete c.cleanupPolicies),
    /no cleanup policies/,
  ],
  [
    "AR-002",
    "development",
    (s) =>
      new ArtifactRegistryRepositoryIamMember(s, "r", {
        repository: "models",
        role: "roles/artifactregistry.reader",
        member: `serviceAccount:${SA}`,
      }),
    (s) =>
      new ArtifactRegistryRepositoryIamMember(s, "r", {
        repository: "models",
        role: "roles/artifactregistry.reader",
        member: "allUsers",
      }),
    /roles\/artifactregistry.reader is granted to allUsers on an Artifact Registry repository/,
  ],
  [
    "AR-002",
    "development",
    (s) =>
      generic(s, "b", "google_artifact_registry_repository_iam_binding", {
        repository: "models",
        role: "roles/artifactregistry.reader",
        members: ["group:ml@acme.example"],
      }),
    (s) =>
      generic(s, "b", "google_artifact_registry_repository_iam_binding", {
        repository: "models",
        role: "roles/artifactregistry.reader",
        members: ["group:ml@acme.example", "allAuthenticatedUsers"],
      }),
    /granted to allAuthenticatedUsers/,
  ],
  [
    "AR-003",
    "production",
    (s) => repository(s),
    (s) => repository(s, (c) => (c.dockerConfig.immutableTags = false)),
    /tags are mutable/,
  ],
  [
    "AR-004",
    "development",
    (s) => repository(s, (c) => (c.vulnerabilityScanningConfig = { enablementConfig: "INHERITED" })),
    (s) => repository(s, (c) => (c.vulnerabilityScanningConfig = { enablementConfig: "DISABLED" })),
    /vulnerability scanning is DISABLED/,
  ],
];
