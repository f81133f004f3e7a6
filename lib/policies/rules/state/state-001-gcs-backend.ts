import { ALL_STAGES, PolicyRule, compliant, nonCompliant, unknown } from "../../rule";

export const STATE_001: PolicyRule = {
  id: "STATE-001",
  what: "Every stack keeps its state in a GCS backend",
  why: "Without a backend, cdktf writes local state whose path is an absolute path of the machine that synthesized it: state is lost with the machine and never shared or locked.",
  fix: "Add a GcsBackend with a versioned bucket and a prefix unique to the stack (EnvironmentStack does).",
  severity: "error",
  stages: ALL_STAGES,
  field: { path: "stateBucket", of: "environment" },
  checkStack: (s) => {
    if (s.backend === undefined)
      return unknown("the input does not say which backend holds the state (a plan names none)");
    if (s.backend === null) return nonCompliant("the stack has no backend (cdktf would fall back to local state)");
    return s.backend.type === "gcs" ? compliant : nonCompliant(`the backend is ${s.backend.type}, not GCS`);
  },
};
