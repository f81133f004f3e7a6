import { hasOwn } from "../../gcp/validation";
import type { Unlocated } from "../../policies";
import { statedByEnvironment } from "./define";
import type { EnvironmentConfig } from "./types";

/**
 * Where a policy finding on an environment's stack comes from in its configuration: the
 * environment's file and the field (`environments/prod.ts services.predict.ingress`), and, when
 * the environment does not state the field itself, that it comes from the shared configuration.
 */

/**
 * The config path a finding comes from: the field its rule points at, under the service, job or
 * repository the resource belongs to, or at the top; undefined for a resource no field makes.
 */
function fieldOf(config: EnvironmentConfig, stackPath: string, finding: Unlocated): string[] | undefined {
  const field = finding.field;
  if (field?.of === "environment") return field.path.split(".");
  if (finding.path === stackPath) return undefined;
  const [top] = finding.path.slice(stackPath.length + 1).split("/");
  if (top === "repository")
    return field?.of === "repository" ? ["repository", ...field.path.split(".")] : ["repository"];
  const group = hasOwn(config.jobs ?? {}, top)
    ? "jobs"
    : hasOwn(config.workerPools ?? {}, top)
      ? "workerPools"
      : hasOwn(config.services, top)
        ? "services"
        : undefined;
  if (group === undefined) return undefined;
  if (field?.of !== "workload") return [group, top];
  const path = group === "jobs" ? (field.jobPath ?? field.path) : field.path;
  // Deletion protection is set for every workload at the top unless one sets its own.
  const own =
    group === "jobs" ? config.jobs![top] : group === "workerPools" ? config.workerPools![top] : config.services[top];
  if (path === "deletionProtection" && own.deletionProtection === undefined) return ["deletionProtection"];
  return [group, top, ...path.split(".")];
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
