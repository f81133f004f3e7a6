import { STAGES, Stage } from "../policies/rule";
import type { EnvironmentConfig } from "./config";

/*
 * The promotion order, in one place: environments by stage (development, preproduction,
 * production), then by name. Builds and trained models enter at the first stage used; a later
 * stage runs only what the stage before it ran. The bootstrap stacks (who builds, who promotes
 * from where), the build matrix, the release verbs and `release status` all read it here.
 */

/** The environments in promotion order: by stage, then by name. The first one receives builds. */
export function promotionOrder<T extends Pick<EnvironmentConfig, "stage" | "name">>(configs: readonly T[]): T[] {
  return [...configs].sort((a, b) => STAGES.indexOf(a.stage) - STAGES.indexOf(b.stage) || a.name.localeCompare(b.name));
}

/** The stages the environments use, in promotion order. */
export function stagesUsed(configs: readonly Pick<EnvironmentConfig, "stage">[]): Stage[] {
  return STAGES.filter((s) => configs.some((c) => c.stage === s));
}

/** The first stage the environments use: where images are built and models trained into. */
export function firstStage(configs: readonly Pick<EnvironmentConfig, "stage">[]): Stage | undefined {
  return stagesUsed(configs)[0];
}

/** The stage before `stage` among those the environments use, if any: where its digests come from. */
export function previousStage(stage: Stage, configs: readonly Pick<EnvironmentConfig, "stage">[]): Stage | undefined {
  const used = stagesUsed(configs);
  return STAGES.slice(0, STAGES.indexOf(stage))
    .filter((s) => used.includes(s))
    .pop();
}

/** True when stage `a` comes after stage `b` in the promotion order. */
export function laterStage(a: Stage, b: Stage): boolean {
  return STAGES.indexOf(a) > STAGES.indexOf(b);
}
