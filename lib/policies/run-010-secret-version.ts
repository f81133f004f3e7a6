import {
  ALL_TIERS,
  CLOUD_RUN_WORKLOADS,
  PolicyRule,
  compliant,
  envVars,
  isExpression,
  nonCompliant,
  notApplicable,
} from "./rule";

export const RUN_010: PolicyRule = {
  id: "RUN-010",
  what: "Secret environment variables pin a secret version (not latest)",
  why: "With latest, a new secret version reaches the next instance that starts, without a deploy or a review, and a rollback does not bring the old value back.",
  fix: "Reference a version number (secretEnv: { NAME: { secret, version: '3' } }) and roll it out with a deploy.",
  severity: "error",
  environments: ALL_TIERS,
  resourceTypes: CLOUD_RUN_WORKLOADS,
  check: (r) => {
    const secrets = envVars(r).filter((e) => e.secret !== undefined);
    if (secrets.length === 0) return notApplicable;
    const unpinned = secrets.filter((e) => {
      const version = e.secret?.version ?? e.secret?.key;
      return !isExpression(version) && !/^[1-9][0-9]*$/.test(String(version ?? ""));
    });
    return unpinned.length > 0
      ? nonCompliant(
          unpinned
            .map((e) => `${e.name} uses version ${JSON.stringify(e.secret?.version ?? e.secret?.key ?? "latest")}`)
            .join("; "),
        )
      : compliant;
  },
};
