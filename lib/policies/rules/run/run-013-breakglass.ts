import { PolicyRule, nonCompliant, notApplicable, unknown } from "../../rule";
import { get, isExpression } from "../../view";

export const RUN_013: PolicyRule = {
  id: "RUN-013",
  what: "Production services, jobs and worker pools are not deployed with Binary Authorization breakglass (a breakglass_justification)",
  why: "Breakglass deploys an image that the Binary Authorization policy refuses (unattested, unscanned, from anywhere). Cloud Run records it in Cloud Audit Logs, but the image runs all the same: in production it must be a reviewed exception, acknowledged with its reason, not a setting left behind.",
  fix: "Remove the breakglass once the image is attested (or the policy allows it); while the incident lasts, acknowledge RUN-013 with the incident and its reason.",
  severity: "error",
  stages: ["production"],
  field: { path: "binaryAuthorization.breakglass", of: "workload" },
  resourceTypes: ["google_cloud_run_v2_service", "google_cloud_run_v2_job", "google_cloud_run_v2_worker_pool"],
  check: (r) => {
    const binaryAuthorization = get(r.attrs, "binary_authorization");
    if (binaryAuthorization === undefined || binaryAuthorization === null) return notApplicable;
    if (isExpression(binaryAuthorization)) {
      return unknown(`binary_authorization is ${binaryAuthorization}, known only at apply`);
    }
    const justification = get(binaryAuthorization, "breakglass_justification");
    if (justification === undefined || justification === null || justification === "") return notApplicable;
    if (isExpression(justification)) {
      return unknown(`the breakglass justification is ${justification}, known only at apply`);
    }
    return nonCompliant(
      `deployed with breakglass: ${JSON.stringify(String(justification))}; Binary Authorization's policy was bypassed`,
    );
  },
};
