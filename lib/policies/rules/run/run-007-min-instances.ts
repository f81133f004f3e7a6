import { PolicyRule, compliant, nonCompliant, notApplicable, unknown } from "../../rule";
import { get, isExpression, num } from "../../view";

export const RUN_007: PolicyRule = {
  id: "RUN-007",
  what: "Production services keep at least one instance warm",
  why: "With no warm instance, the first request after idle waits for a cold start: for a model server, loading the model, often seconds.",
  fix: "Keep one instance warm: the service-level scaling.min_instance_count (CloudRunService's serviceMinInstances, as Google recommends) or the revision's template.scaling.min_instance_count (minInstances), 1 or more.",
  severity: "error",
  stages: ["production"],
  field: { path: "minInstances", of: "workload" },
  resourceTypes: ["google_cloud_run_v2_service"],
  check: (r) => {
    if (get(r.attrs, "scaling", "scaling_mode") === "MANUAL") return notApplicable;
    // A minimum can be set on the revision template or, as Google recommends, on the service.
    const mins = [
      get(r.attrs, "template", "scaling", "min_instance_count"),
      get(r.attrs, "scaling", "min_instance_count"),
    ];
    const known = mins.map(num).filter((m): m is number => typeof m === "number");
    if (known.some((m) => m >= 1)) return compliant;
    const expression = mins.find(isExpression);
    if (expression !== undefined) return unknown(`the minimum instance count is ${expression}, known only at apply`);
    return nonCompliant(`min_instance_count is ${known.length > 0 ? Math.max(...known) : "not set (0)"}`);
  },
};
