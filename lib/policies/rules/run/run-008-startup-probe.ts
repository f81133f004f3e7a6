import { GUARDED_STAGES, PolicyRule, compliant, nonCompliant } from "../../rule";
import { containersOf } from "../../view";

export const RUN_008: PolicyRule = {
  id: "RUN-008",
  what: "Cloud Run containers have a startup probe",
  why: "Without one, Cloud Run only waits for the port to open; a model server that listens before its model is loaded gets traffic it cannot serve.",
  fix: "Add a startup probe on a path that answers once the model is loaded (CloudRunService's startupProbe).",
  severity: "warning",
  stages: GUARDED_STAGES,
  field: { path: "startupProbe", of: "workload" },
  resourceTypes: ["google_cloud_run_v2_service"],
  check: (r) => {
    const missing = containersOf(r).filter((c) => c.startup_probe === undefined);
    return missing.length > 0 ? nonCompliant(`${missing.length} container(s) have no startup probe`) : compliant;
  },
};
