import type { Rollout } from "../config/rollout";
import type { RevisionEvidence } from "./model";

/*
 * The decision of a canary analysis, as a pure function: the service's rollout protocol, the
 * canary's step, how long it has run at it, and what the canary and the stable revision served
 * over those minutes, in; advance, complete, hold or rollback out, with the reason and every
 * threshold breached. Nothing here reads metrics or files (analyze.ts does).
 *
 * The order of the judgement:
 * 0. The traffic that serves is not the release file's (a change not deployed yet): hold.
 * 1. The metrics could not be read: hold, with the API's message. Never a rollback or an advance
 *    on no evidence.
 * 2. A breach rolls back (or, without auto-rollback, holds for a person). The canary's 5xx
 *    count breaches as soon as it exceeds what the whole step's minimum sample may fail
 *    (maxErrorRatio × minRequestsPerStep): more requests can only lower the ratio to what it
 *    would be at that sample, never under it, so waiting would change nothing but the number of
 *    failed requests. Every other threshold (the ratio, relative to stable, and p99) is judged
 *    from the minimum sample on; a relative one only when the stable revision has served the
 *    minimum sample too over the same minutes.
 * 3. Too early (before minutesPerStep), too few requests, or no data: hold.
 * 4. Otherwise: advance to the first step above the canary's percent, or complete after the last.
 */

export type DecisionKind = "advance" | "complete" | "hold" | "rollback";

/** What a decision is made on. */
export interface AnalysisInput {
  readonly rollout: Rollout;
  /** The canary's share of requests now. */
  readonly percent: number;
  /** Minutes since the canary took that share. */
  readonly minutes: number;
  readonly canary: RevisionEvidence;
  readonly stable: RevisionEvidence;
  /** Why the metrics could not be read, when they could not: the decision is a hold. */
  readonly unreadable?: string;
  /** Why the step cannot be judged yet (its traffic is not live): the decision is a hold. */
  readonly waiting?: string;
}

export interface Decision {
  readonly decision: DecisionKind;
  readonly reason: string;
  /** The percent an advance sets. */
  readonly to?: number;
  /** Each threshold breached and by how much. */
  readonly breaches: readonly string[];
}

const pct = (ratio: number) => `${(ratio * 100).toFixed(2).replace(/\.?0+$/, "")}%`;
/** A difference of two ratios, in percentage points: 0.0888 is "8.88 pts". */
const points = (ratio: number) => `${(ratio * 100).toFixed(2).replace(/\.?0+$/, "")} pts`;

/** errors / requests, or undefined without requests. */
export function ratioOf(requests: number, errors: number): number | undefined {
  return requests > 0 ? errors / requests : undefined;
}

/** Each threshold the canary breaches, in words with the measured value and the limit. */
export function breachesOf(input: AnalysisInput): string[] {
  const { rollout: r, canary, stable } = input;
  const found: string[] = [];
  const sample = canary.requests >= r.minRequestsPerStep;
  const allowedErrors = r.maxErrorRatio * r.minRequestsPerStep;
  const ratio = ratioOf(canary.requests, canary.errors);
  if (sample && ratio !== undefined && ratio > r.maxErrorRatio) {
    found.push(
      `5xx ratio ${pct(ratio)} (${canary.errors} of ${canary.requests}) is above maxErrorRatio ${pct(r.maxErrorRatio)} by ${points(ratio - r.maxErrorRatio)}`,
    );
  } else if (!sample && canary.errors > allowedErrors) {
    found.push(
      `${canary.errors} 5xx responses in ${canary.requests} requests already exceed what the step's minimum sample may fail (${pct(r.maxErrorRatio)} of ${r.minRequestsPerStep}: ${Math.floor(allowedErrors)})`,
    );
  }
  const stableSample = stable.requests >= r.minRequestsPerStep;
  const stableRatio = ratioOf(stable.requests, stable.errors);
  if (sample && stableSample && ratio !== undefined && stableRatio !== undefined) {
    const over = ratio - stableRatio;
    if (over > r.maxErrorRatioOverStable) {
      found.push(
        `5xx ratio ${pct(ratio)} is ${points(over)} above the stable revision's ${pct(stableRatio)}, more than maxErrorRatioOverStable (${points(r.maxErrorRatioOverStable)})`,
      );
    }
  }
  if (sample && canary.p99Ms !== undefined) {
    if (canary.p99Ms > r.maxP99Ms) {
      found.push(
        `p99 ${Math.round(canary.p99Ms)} ms is above maxP99Ms ${r.maxP99Ms} by ${Math.round(canary.p99Ms - r.maxP99Ms)} ms`,
      );
    }
    if (stableSample && stable.p99Ms !== undefined && stable.p99Ms > 0) {
      const factor = canary.p99Ms / stable.p99Ms;
      if (factor > r.maxP99OverStable) {
        found.push(
          `p99 ${Math.round(canary.p99Ms)} ms is ${factor.toFixed(2)}× the stable revision's ${Math.round(stable.p99Ms)} ms, more than maxP99OverStable ${r.maxP99OverStable}×`,
        );
      }
    }
  }
  return found;
}

/** The first step above `percent`: where an advance goes, or undefined after the last step. */
export function nextStep(steps: readonly number[], percent: number): number | undefined {
  return steps.find((s) => s > percent);
}

/** The decision for a canary at its step. */
export function decide(input: AnalysisInput): Decision {
  const { rollout: r, canary } = input;
  if (input.waiting !== undefined) return { decision: "hold", reason: input.waiting, breaches: [] };
  if (input.unreadable !== undefined) {
    return { decision: "hold", reason: `the metrics could not be read: ${input.unreadable}`, breaches: [] };
  }
  const breaches = breachesOf(input);
  if (breaches.length > 0) {
    return r.autoRollback
      ? { decision: "rollback", reason: `breach: ${breaches.join("; ")}`, breaches }
      : {
          decision: "hold",
          reason: `breach, and autoRollback is off: a person decides (release rollback or complete): ${breaches.join("; ")}`,
          breaches,
        };
  }
  if (canary.requests === 0) {
    return { decision: "hold", reason: "no data yet: the canary has served no request at this step", breaches: [] };
  }
  if (input.minutes < r.minutesPerStep) {
    return {
      decision: "hold",
      reason: `too early: ${Math.floor(input.minutes)} of ${r.minutesPerStep} minutes at ${input.percent}%`,
      breaches: [],
    };
  }
  if (canary.requests < r.minRequestsPerStep) {
    return {
      decision: "hold",
      reason: `too few requests: ${canary.requests} of ${r.minRequestsPerStep} at ${input.percent}%`,
      breaches: [],
    };
  }
  const next = nextStep(r.steps, input.percent);
  const healthy = `healthy over ${Math.floor(input.minutes)} minutes and ${canary.requests} requests at ${input.percent}%`;
  return next === undefined
    ? { decision: "complete", reason: `${healthy}, the last step`, breaches: [] }
    : { decision: "advance", reason: `${healthy}: on to ${next}%`, to: next, breaches: [] };
}
