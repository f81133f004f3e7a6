import { isPinnedSecretVersion } from "../../../gcp/secret-manager";
import { ALL_STAGES, PolicyRule, compliant, nonCompliant, notApplicable, unknown } from "../../rule";
import { CLOUD_RUN_WORKLOADS, envVars, isExpression } from "../../view";

export const RUN_010: PolicyRule = {
  id: "RUN-010",
  what: "Secret environment variables pin a secret version (not latest)",
  why: "With latest, a new secret version reaches the next instance that starts, without a deploy or a review, and a rollback does not bring the old value back.",
  fix: "Reference a version number (secretEnv: { NAME: { secret, version: '3' } }) and roll it out with a deploy.",
  severity: "error",
  stages: ALL_STAGES,
  field: { path: "secretEnv", of: "workload" },
  resourceTypes: CLOUD_RUN_WORKLOADS,
  check: (r) => {
    const secrets = envVars(r).filter((e) => e.secret !== undefined);
    if (secrets.length === 0) return notApplicable;
    const versionOf = (e: (typeof secrets)[number]) => e.secret?.version ?? e.secret?.key;
    const unpinned = secrets.filter(
      (e) => !isExpression(versionOf(e)) && !isPinnedSecretVersion(String(versionOf(e) ?? "")),
    );
    if (unpinned.length > 0) {
      return nonCompliant(
        unpinned.map((e) => `${e.name} uses version ${JSON.stringify(versionOf(e) ?? "latest")}`).join("; "),
      );
    }
    const expressions = secrets.filter((e) => isExpression(versionOf(e)));
    return expressions.length > 0
      ? unknown(expressions.map((e) => `${e.name} uses version ${versionOf(e)}, known only at apply`).join("; "))
      : compliant;
  },
};
