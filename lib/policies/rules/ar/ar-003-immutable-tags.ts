import { GUARDED_STAGES, PolicyRule, compliant, nonCompliant, notApplicable } from "../../rule";
import { bool, get } from "../../view";

export const AR_003: PolicyRule = {
  id: "AR-003",
  what: "Docker repositories have immutable tags",
  why: "With mutable tags, pushing the same tag again silently changes what a tag-based deploy or rollback runs.",
  fix: "Set docker_config.immutable_tags = true (ArtifactRepository's default).",
  severity: "error",
  stages: GUARDED_STAGES,
  field: { path: "immutableTags", of: "repository" },
  resourceTypes: ["google_artifact_registry_repository"],
  check: (r) => {
    // Standard Docker repositories only: a remote repository's tags are its upstream's.
    // Read in any case: a resource written by hand may spell it "docker".
    const format = String(r.attrs.format).toUpperCase();
    if (format !== "DOCKER" || r.attrs.mode === "REMOTE_REPOSITORY") return notApplicable;
    return bool(get(r.attrs, "docker_config", "immutable_tags")) === true
      ? compliant
      : nonCompliant("tags are mutable");
  },
};
