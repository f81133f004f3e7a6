import { PolicyRule, compliant, get, isExpression, nonCompliant } from "./rule";

export const RUN_007: PolicyRule = {
  id: "RUN-007",
  what: "Production services keep at least one instance warm",
  why: "With no warm instance, the first request after idle waits for a cold start: for a model server, loading the model, often seconds.",
  fix: "Set template.scaling.min_instance_count to 1 or more (CloudRunService's minInstances).",
  severity: "error",
  environments: ["prod"],
  resourceTypes: ["google_cloud_run_v2_service"],
  check: (r) => {
    const min =
      get(r.attrs, "template", "scaling", "min_instance_count") ?? get(r.attrs, "scaling", "min_instance_count");
    if (isExpression(min)) return compliant;
    return typeof min === "number" && min >= 1
      ? compliant
      : nonCompliant(`min_instance_count is ${min ?? "not set (0)"}`);
  },
};
