import { isDigestPinned } from "../../../gcp/images";
import { GUARDED_STAGES, PolicyRule, compliant, nonCompliant, unknown } from "../../rule";
import { CLOUD_RUN_WORKLOADS, containersOf, isExpression } from "../../view";

export const RUN_004: PolicyRule = {
  id: "RUN-004",
  what: "Images are pinned by digest (IMAGE@sha256:…)",
  why: "A tag can be moved to other content after review; a digest is the image that was tested.",
  fix: "Deploy IMAGE@sha256:<digest> (ArtifactRepository.imageUri(name, 'sha256:…')), as CI knows the digest it pushed.",
  severity: "error",
  stages: GUARDED_STAGES,
  field: { path: "image", of: "workload" },
  resourceTypes: CLOUD_RUN_WORKLOADS,
  check: (r) => {
    const images = containersOf(r).map((c) => String(c.image));
    // Only the reference's last part (`NAME:TAG` or `NAME@sha256:…`) says whether it is pinned: a
    // registry path built from another resource (`${…project}`) does not make a tag unknown.
    const unknownRef = (i: string) => isExpression(i.slice(i.lastIndexOf("/") + 1)) && !isDigestPinned(i);
    const tagged = images.filter((i) => !unknownRef(i) && !isDigestPinned(i));
    if (tagged.length > 0)
      return nonCompliant(`image ${tagged.map((i) => JSON.stringify(i)).join(", ")} is not pinned by digest`);
    const expressions = images.filter(unknownRef);
    if (expressions.length > 0) return unknown(`image is ${expressions.join(", ")}, known only at apply`);
    return compliant;
  },
};
