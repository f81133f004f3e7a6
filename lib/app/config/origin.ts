import { hasOwn } from "../../gcp/validation";
import type { Unlocated } from "../../policies";
import { statedByEnvironment } from "./define";
import type { EnvironmentConfig } from "./types";

/**
 * Where a policy finding on an environment's stack comes from in its configuration: the
 * environment's file and the field (`environments/prod.ts services.predict.ingress`), and, when
 * the environment does not state the field itself, that it comes from the shared configuration.
 */

/** The service field each rule about a Cloud Run service reads. */
const SERVICE_FIELD: Readonly<Record<string, string>> = {
  "MON-001": "monitoring",
  "RUN-001": "invokers",
  "RUN-004": "image",
  "RUN-005": "deletionProtection",
  "RUN-006": "maxInstances",
  "RUN-007": "minInstances",
  "RUN-008": "startupProbe",
  "RUN-009": "ingress",
  "RUN-010": "secretEnv",
  "RUN-011": "env",
};

/** The repository field each rule about an Artifact Registry repository reads. */
const REPOSITORY_FIELD: Readonly<Record<string, string>> = {
  "AR-001": "cleanup",
  "AR-003": "immutableTags",
  "AR-004": "vulnerabilityScanning",
};

/** The environment field each rule about the whole stack reads. */
const STACK_FIELD: Readonly<Record<string, string>> = {
  "LABEL-001": "labels",
  "STATE-001": "stateBucket",
};

/** The config path a finding comes from, or undefined for a resource no field makes. */
function fieldOf(config: EnvironmentConfig, stackPath: string, finding: Unlocated): string[] | undefined {
  const [top] = finding.path.slice(stackPath.length + 1).split("/");
  if (finding.path === stackPath) {
    const field = STACK_FIELD[finding.ruleId];
    return field === undefined ? undefined : [field];
  }
  if (top === "repository") {
    const field = REPOSITORY_FIELD[finding.ruleId];
    return field === undefined ? ["repository"] : ["repository", field];
  }
  // Alerts without a channel: the environment's channels are the fix.
  if (finding.ruleId === "MON-002") return ["monitoring", "emails"];
  if (hasOwn(config.jobs ?? {}, top)) {
    const field = SERVICE_FIELD[finding.ruleId];
    if (field === undefined) return ["jobs", top];
    if (field === "deletionProtection" && config.jobs![top].deletionProtection === undefined) {
      return ["deletionProtection"];
    }
    return ["jobs", top, field];
  }
  if (hasOwn(config.services, top)) {
    const field = SERVICE_FIELD[finding.ruleId];
    if (field === undefined) return ["services", top];
    // Deletion protection is set for every service at the top unless a service sets its own.
    if (field === "deletionProtection" && config.services[top].deletionProtection === undefined) {
      return ["deletionProtection"];
    }
    return ["services", top, field];
  }
  return undefined;
}

/**
 * A `locate` function for the policy pack of an environment's stack. `source` is the
 * environment's file (`environments/prod.ts`); `raw` is what the file exported, to tell the
 * fields it states from those it inherits.
 */
export function configLocator(
  config: EnvironmentConfig,
  stackPath: string,
  source: string | undefined,
  raw: unknown,
): (finding: Unlocated) => string | undefined {
  return (finding) => {
    const field = fieldOf(config, stackPath, finding);
    if (field === undefined) return undefined;
    const where = `${source ?? `environment ${config.name}`} ${field.join(".")}`;
    return statedByEnvironment(raw, field) === false
      ? `${where} (not set there: it comes from the shared configuration)`
      : where;
  };
}
