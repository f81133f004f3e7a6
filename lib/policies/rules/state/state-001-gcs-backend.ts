import { GcsBackend, TerraformBackend } from "cdktf";
import { ALL_STAGES, PolicyRule, compliant, nonCompliant } from "../../rule";

export const STATE_001: PolicyRule = {
  id: "STATE-001",
  what: "Every stack keeps its state in a GCS backend",
  why: "Without a backend, cdktf writes local state whose path is an absolute path of the machine that synthesized it: state is lost with the machine and never shared or locked.",
  fix: "Add a GcsBackend with a versioned bucket and a prefix unique to the stack (EnvironmentStack does).",
  severity: "error",
  stages: ALL_STAGES,
  field: { path: "stateBucket", of: "environment" },
  checkStack: (s) => {
    const backends = s.stack.node.children.filter((c): c is TerraformBackend => c instanceof TerraformBackend);
    if (backends.length === 0) return nonCompliant("the stack has no backend (cdktf would fall back to local state)");
    return backends.every((b) => b instanceof GcsBackend)
      ? compliant
      : nonCompliant(`the backend is ${backends.map((b) => b.constructor.name).join(", ")}, not GCS`);
  },
};
