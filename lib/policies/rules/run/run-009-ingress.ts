import { DEFAULT_INGRESS, INGRESS } from "../../../gcp/run";
import { GUARDED_STAGES, PolicyRule, compliant, nonCompliant } from "../../rule";

export const RUN_009: PolicyRule = {
  id: "RUN-009",
  what: "Cloud Run services do not take traffic from the whole internet (ingress is not INGRESS_TRAFFIC_ALL)",
  why: "Internal or load-balancer-only ingress puts Cloud Armor, the load balancer and VPC controls in front of the service; ALL exposes its run.app URL directly.",
  fix: "Set ingress to internal-and-cloud-load-balancing (or internal); if callers must reach run.app directly, acknowledge RUN-009 with the reason.",
  severity: "error",
  stages: GUARDED_STAGES,
  field: { path: "ingress", of: "workload" },
  resourceTypes: ["google_cloud_run_v2_service"],
  check: (r) => {
    const ingress = r.attrs.ingress ?? DEFAULT_INGRESS;
    return ingress === INGRESS.all
      ? nonCompliant(`ingress is ${r.attrs.ingress === undefined ? `not set (${DEFAULT_INGRESS})` : ingress}`)
      : compliant;
  },
};
