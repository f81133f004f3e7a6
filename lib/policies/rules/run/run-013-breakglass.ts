import { PolicyRule, nonCompliant, notApplicable, unknown } from "../../rule";
import { CLOUD_RUN_WORKLOADS, get, isExpression } from "../../view";

export const RUN_013: PolicyRule = {
  id: "RUN-013",
  what: "Production services, jobs and worker pools are not deployed with Binary Authorization breakglass (a breakglass_justification)",
  why: "Breakglass deploys an image that the Binary Authorization policy refuses (unattested, unscanned, from anywhere). Cloud Run records it in Cloud Audit Logs, but the image runs all the same: in production it must be a reviewed exception, acknowledged with its reason, not a setting left behind.",
  fix: "Remove the breakglass once the image is attested (or the policy allows it); while the incident lasts, acknowledge RUN-013 with the incident and its reason.",
  severity: "error",
  stages: ["production"],
  field: { path: "binaryAuthorization.breakglass", of: "workload" },
  findingOnPresence: ["binary_authorization.breakglass_justification"],
  resourceTypes: CLOUD_RUN_WORKLOADS,
  check: (r) => {
    if (r.type === "google_cloud_run_service") return v1Breakglass(r.attrs);
    const binaryAuthorization = get(r.attrs, "binary_authorization");
    if (binaryAuthorization === undefined || binaryAuthorization === null) return notApplicable;
    if (isExpression(binaryAuthorization)) {
      return unknown(`binary_authorization is ${binaryAuthorization}, known only at apply`);
    }
    const justification = get(binaryAuthorization, "breakglass_justification");
    return breakglass(justification);
  },
};

/** The v1 API's breakglass: an annotation on the service or its template. */
const V1_ANNOTATION = "run.googleapis.com/binary-authorization-breakglass";

function v1Breakglass(attrs: Record<string, unknown>): ReturnType<typeof breakglass> {
  for (const at of [
    ["metadata", "annotations"],
    ["template", "metadata", "annotations"],
  ]) {
    const annotations = get(attrs, ...at);
    if (isExpression(annotations)) return unknown(`${at.join(".")} is ${annotations}, known only at apply`);
    const found = breakglass(get(annotations, V1_ANNOTATION));
    if (found.status !== "not-applicable") return found;
  }
  return notApplicable;
}

/**
 * A justification set is a breakglass, whatever it says: an expression too (its text is known only
 * at apply, but that there is one is known now), so `"${"…"}"` does not pass for none.
 */
function breakglass(justification: unknown) {
  if (justification === undefined || justification === null || justification === "") return notApplicable;
  const shown = isExpression(justification) ? `the expression ${justification}` : JSON.stringify(String(justification));
  return nonCompliant(`deployed with breakglass: ${shown}; Binary Authorization's policy was bypassed`);
}
