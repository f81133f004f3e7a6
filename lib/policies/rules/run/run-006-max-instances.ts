import { GUARDED_STAGES, PolicyRule, compliant, nonCompliant, notApplicable, unknown } from "../../rule";
import { get, isExpression } from "../../view";

export const RUN_006: PolicyRule = {
  id: "RUN-006",
  what: "Every Cloud Run service sets a maximum number of instances",
  why: "Without a ceiling, a traffic spike or a client loop scales cost (and load on databases) up to Cloud Run's default of 100 instances or the quota.",
  fix: "Set template.scaling.max_instance_count (CloudRunService's maxInstances).",
  severity: "error",
  stages: GUARDED_STAGES,
  field: { path: "maxInstances", of: "workload" },
  resourceTypes: ["google_cloud_run_v2_service", "google_cloud_run_service"],
  check: (r) => {
    if (r.type === "google_cloud_run_v2_service" && get(r.attrs, "scaling", "scaling_mode") === "MANUAL")
      return notApplicable;
    const max =
      r.type === "google_cloud_run_v2_service"
        ? get(r.attrs, "template", "scaling", "max_instance_count")
        : get(r.attrs, "template", "metadata", "annotations", "autoscaling.knative.dev/maxScale");
    if (isExpression(max)) return unknown(`the maximum instance count is ${max}, known only at apply`);
    // The API reads 0 as unset, which is Cloud Run's default of 100.
    return max === undefined || Number(max) <= 0
      ? nonCompliant(
          max === undefined
            ? "no maximum instance count is set"
            : `the maximum instance count is ${max}, which means unset`,
        )
      : compliant;
  },
};
