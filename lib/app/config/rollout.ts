import { MONITORING_DEFAULTS } from "../../constructs/monitoring/service-monitoring";
import { Problems, own } from "../../gcp/validation";
import type { Stage } from "../../policies/rule";
import type { EnvironmentConfig } from "./types";

/*
 * A service's rollout protocol: how `npm run release -- analyze` judges its canary. The canary
 * takes each step's share of requests in turn; at each step it must have run for a minimum time
 * and served a minimum number of requests before the step is judged; it advances while its 5xx
 * ratio and its 99th-percentile latency stay within the thresholds (absolute, and relative to the
 * stable revision over the same minutes), completes after the last step, and is rolled back on a
 * breach. The anchors: Google's cloud-run-release-manager (steps 5, 20, 50, 80; a minimum wait and
 * request count per step; a maximum error rate and p99), Argo Rollouts and Flagger (weight steps,
 * thresholds, abort on breach), Cloud Deploy's canary phases (../shared/REFERENCE.md).
 */

/**
 * The environment variable a drill's canary runs with: the share of requests the server answers
 * with 503 (services/predict/server.js reads it; a team's own server implements the same switch
 * to be drilled). Only a canary's template in a drill has it; its name is a contract.
 */
export const DRILL_VARIABLE = "CANARY_DRILL_ERROR_RATE";

/** A service's rollout with every default filled in: what `analyze` and `release status` read. */
export interface Rollout {
  readonly enabled: boolean;
  readonly steps: readonly number[];
  readonly minutesPerStep: number;
  readonly minRequestsPerStep: number;
  readonly maxErrorRatio: number;
  readonly maxErrorRatioOverStable: number;
  readonly maxP99Ms: number;
  readonly maxP99OverStable: number;
  readonly autoRollback: boolean;
}

/**
 * The defaults of each stage. Production waits longest and asks for the most requests, as the
 * release manager's defaults do (30 minutes, 100 requests); preproduction judges sooner on less
 * traffic; development has no analysis (a canary there is judged by whoever set it). The absolute
 * thresholds are the service's own alert thresholds (monitoring.errorRatio.threshold,
 * monitoring.latency.thresholdMs) unless the rollout states its own: a canary may not do what
 * would page someone.
 */
export const ROLLOUT_DEFAULTS: Readonly<
  Record<Stage, Omit<Rollout, "maxErrorRatio" | "maxP99Ms"> & { readonly enabled: boolean }>
> = {
  development: {
    enabled: false,
    steps: [50],
    minutesPerStep: 5,
    minRequestsPerStep: 20,
    maxErrorRatioOverStable: 0.01,
    maxP99OverStable: 1.5,
    autoRollback: true,
  },
  preproduction: {
    enabled: true,
    steps: [10, 50],
    minutesPerStep: 10,
    minRequestsPerStep: 50,
    maxErrorRatioOverStable: 0.01,
    maxP99OverStable: 1.5,
    autoRollback: true,
  },
  production: {
    enabled: true,
    steps: [10, 50],
    minutesPerStep: 30,
    minRequestsPerStep: 100,
    maxErrorRatioOverStable: 0.01,
    maxP99OverStable: 1.5,
    autoRollback: true,
  },
};

/** Service `key`'s rollout in an environment: its `rollout`, the stage's defaults beneath. */
export function rolloutOf(config: EnvironmentConfig, key: string): Rollout {
  const service = own(config.services, key);
  const stated = service?.rollout ?? {};
  const defaults = ROLLOUT_DEFAULTS[config.stage];
  return {
    enabled: stated.enabled ?? defaults.enabled,
    steps: [...(stated.steps ?? defaults.steps)],
    minutesPerStep: stated.minutesPerStep ?? defaults.minutesPerStep,
    minRequestsPerStep: stated.minRequestsPerStep ?? defaults.minRequestsPerStep,
    maxErrorRatio: stated.maxErrorRatio ?? service?.monitoring?.errorRatio?.threshold ?? MONITORING_DEFAULTS.errorRatio,
    maxErrorRatioOverStable: stated.maxErrorRatioOverStable ?? defaults.maxErrorRatioOverStable,
    maxP99Ms: stated.maxP99Ms ?? service?.monitoring?.latency?.thresholdMs ?? MONITORING_DEFAULTS.latencyThresholdMs,
    maxP99OverStable: stated.maxP99OverStable ?? defaults.maxP99OverStable,
    autoRollback: stated.autoRollback ?? defaults.autoRollback,
  };
}

/** The limits of each field, stated once: the checks and the reference read them. */
export const ROLLOUT_LIMITS = {
  /** At most 10 steps: each waits at least a minute, and a rollout is meant to end within a day. */
  steps: { min: 1, max: 99, count: 10 },
  /** A minute to a day: Cloud Monitoring aligns to whole minutes (60 s is its least period). */
  minutesPerStep: { min: 1, max: 1440 },
  minRequestsPerStep: { min: 1, max: 1_000_000 },
  maxP99Ms: { min: 1, max: 3_600_000 },
  maxP99OverStable: { min: 1, max: 100 },
} as const;

/** Every problem of each service's `rollout`, with its path. */
export function checkRollouts(p: Problems, config: EnvironmentConfig): void {
  for (const [key, service] of Object.entries(config.services)) {
    const r = service.rollout;
    if (r === undefined) continue;
    const at = `services.${key}.rollout`;
    const whole =
      (min: number, max: number, what = "") =>
      (v: number) =>
        Number.isInteger(v) && v >= min && v <= max ? undefined : `must be a whole number from ${min} to ${max}${what}`;
    const ratio = (v: number) =>
      Number.isFinite(v) && v >= 0 && v <= 1 ? undefined : "must be a ratio from 0 to 1 (0.02 is 2% of requests)";
    if (r.steps !== undefined) {
      const { min, max, count } = ROLLOUT_LIMITS.steps;
      if (r.steps.length === 0 || r.steps.length > count) {
        p.add(`${at}.steps`, r.steps, `must name 1 to ${count} steps (percent of requests); complete follows the last`);
      }
      r.steps.forEach((s, i) => {
        p.check(`${at}.steps[${i}]`, s, whole(min, max, " (a share of requests; 100 is complete, after the last)"));
        if (i > 0 && !(s > r.steps![i - 1])) {
          p.add(`${at}.steps[${i}]`, s, `must be more than the step before (${r.steps![i - 1]}): steps only increase`);
        }
      });
    }
    const L = ROLLOUT_LIMITS;
    p.check(`${at}.minutesPerStep`, r.minutesPerStep, whole(L.minutesPerStep.min, L.minutesPerStep.max, " (minutes)"));
    p.check(
      `${at}.minRequestsPerStep`,
      r.minRequestsPerStep,
      whole(L.minRequestsPerStep.min, L.minRequestsPerStep.max),
    );
    p.check(`${at}.maxErrorRatio`, r.maxErrorRatio, ratio);
    p.check(`${at}.maxErrorRatioOverStable`, r.maxErrorRatioOverStable, ratio);
    p.check(`${at}.maxP99Ms`, r.maxP99Ms, whole(L.maxP99Ms.min, L.maxP99Ms.max, " (milliseconds)"));
    p.check(`${at}.maxP99OverStable`, r.maxP99OverStable, (v) =>
      Number.isFinite(v) && v >= L.maxP99OverStable.min && v <= L.maxP99OverStable.max
        ? undefined
        : `must be a factor from ${L.maxP99OverStable.min} to ${L.maxP99OverStable.max} (1.5: the canary's p99 may be half as long again as the stable revision's)`,
    );
  }
}

/** The rollout as one line for `release status`: `10 → 50 → complete, 30 min, ≥100 req`, or `off`. */
export function describeRollout(r: Rollout): string {
  if (!r.enabled) return "off";
  return `${[...r.steps.map(String), "complete"].join(" → ")}, ${r.minutesPerStep} min and ${r.minRequestsPerStep} req a step${r.autoRollback ? "" : ", no auto-rollback"}`;
}
