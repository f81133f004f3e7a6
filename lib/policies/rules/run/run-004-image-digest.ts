import { isDigestPinned } from "../../../gcp/images";
import { GUARDED_STAGES, PolicyRule, compliant, nonCompliant, unknown } from "../../rule";
import { CLOUD_RUN_WORKLOADS, containersOf, isExpression } from "../../terraform-json";

export const RUN_004: PolicyRule = {
  id: "RUN-004",
  what: "Images are pinned by digest (IMAGE@sha256:…)",
  why: "A tag can be moved to other content after review; a digest is the image that was tested.",
  fix: "Deploy IMAGE@sha256:<digest> (ArtifactRepository.imageUri(name, 'sha256:…')), as CI knows the digest it pushed.",
  severity: "error",
  stages: GUARDED_STAGES,
  resourceTypes: CLOUD_RUN_WORKLOADS,
  check: (r) => {
    const images = containersOf(r).map((c) => c.image);
    const expressions = images.filter(isExpression);
    const tagged = images.filter((i) => !isExpression(i) && !isDigestPinned(String(i)));
    if (tagged.length > 0)
      return nonCompliant(`image ${tagged.map((i) => JSON.stringify(i)).join(", ")} is not pinned by digest`);
    if (expressions.length > 0) return unknown(`image is ${expressions.join(", ")}, known only at apply`);
    return compliant;
  },
};
