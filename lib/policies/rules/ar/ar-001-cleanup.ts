import { ALL_STAGES, PolicyRule, compliant, nonCompliant, notApplicable } from "../../rule";
import { list } from "../../view";

export const AR_001: PolicyRule = {
  id: "AR-001",
  what: "Artifact Registry repositories have cleanup policies",
  why: "Every CI build pushes an image; without cleanup, storage grows without bound and old vulnerable images stay pullable.",
  fix: "Add cleanup policies (ArtifactRepository keeps the 10 most recent versions and deletes untagged ones after 30 days by default).",
  severity: "warning",
  stages: ALL_STAGES,
  field: { path: "cleanup", of: "repository" },
  resourceTypes: ["google_artifact_registry_repository"],
  check: (r) =>
    // Images accumulate with every build; package repositories are cleaned on purpose, if at all.
    // Read in any case: a resource written by hand may spell it "docker".
    r.attrs.format !== undefined && String(r.attrs.format).toUpperCase() !== "DOCKER"
      ? notApplicable
      : list(r.attrs.cleanup_policies).length === 0
        ? nonCompliant("no cleanup policies")
        : compliant,
};
