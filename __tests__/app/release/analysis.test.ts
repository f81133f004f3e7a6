/**
 * The canary decision (lib/app/release/analysis.ts) is a pure function: its safety properties are
 * checked over random protocols, steps, times and metrics (fast-check), then a few cases by hand.
 */
import fc from "fast-check";
import { ROLLOUT_DEFAULTS, Rollout, rolloutOf } from "../../../lib/app/config/rollout";
import { AnalysisInput, breachesOf, decide, nextStep } from "../../../lib/app/release/analysis";
import { releaseProblems } from "../../../lib/app/release/model";
import { fixtureEnvironment } from "../../fixtures/environment";
import { propertyRuns } from "../../tier";

const steps = fc
  .uniqueArray(fc.integer({ min: 1, max: 99 }), { minLength: 1, maxLength: 10 })
  .map((s) => [...s].sort((a, b) => a - b));

const rollout: fc.Arbitrary<Rollout> = fc.record({
  enabled: fc.constant(true),
  steps,
  minutesPerStep: fc.integer({ min: 1, max: 120 }),
  minRequestsPerStep: fc.integer({ min: 1, max: 500 }),
  maxErrorRatio: fc.double({ min: 0, max: 1, noNaN: true }),
  maxErrorRatioOverStable: fc.double({ min: 0, max: 1, noNaN: true }),
  maxP99Ms: fc.integer({ min: 1, max: 10_000 }),
  maxP99OverStable: fc.double({ min: 1, max: 10, noNaN: true }),
  autoRollback: fc.boolean(),
});

const revision = (name: string) =>
  fc
    .tuple(
      fc.integer({ min: 0, max: 2_000 }),
      fc.double({ min: 0, max: 1, noNaN: true }),
      fc.option(fc.integer({ min: 1, max: 20_000 }), { nil: undefined }),
    )
    .map(([requests, share, p99Ms]) => {
      const errors = Math.floor(requests * share);
      return { revision: name, requests, errors, ...(p99Ms === undefined ? {} : { p99Ms }) };
    });

const input: fc.Arbitrary<AnalysisInput> = fc
  .record({
    rollout,
    minutes: fc.double({ min: 0, max: 300, noNaN: true }),
    canary: revision("svc-canary"),
    stable: revision("svc-stable"),
    unreadable: fc.option(fc.constant("Cloud Monitoring answered 403 PERMISSION_DENIED"), { nil: undefined, freq: 8 }),
    percentIndex: fc.nat(),
  })
  .map(({ percentIndex, ...rest }) => ({
    ...rest,
    // Mostly a step of the protocol, sometimes a share set by hand between steps.
    percent:
      percentIndex % 4 === 0 ? 1 + (percentIndex % 99) : rest.rollout.steps[percentIndex % rest.rollout.steps.length],
  }));

const RUNS = propertyRuns(2_000);

describe("the decision's safety properties", () => {
  test("never advances or completes with fewer than the minimum requests or before the minimum time", () => {
    fc.assert(
      fc.property(input, (i) => {
        const d = decide(i);
        if (d.decision === "advance" || d.decision === "complete") {
          return i.canary.requests >= i.rollout.minRequestsPerStep && i.minutes >= i.rollout.minutesPerStep;
        }
        return true;
      }),
      RUNS,
    );
  });

  test("never advances or completes when any threshold is breached, nor on metrics it could not read", () => {
    fc.assert(
      fc.property(input, (i) => {
        const d = decide(i);
        if (d.decision === "advance" || d.decision === "complete") {
          return breachesOf(i).length === 0 && i.unreadable === undefined;
        }
        return true;
      }),
      RUNS,
    );
  });

  test("a breach with auto-rollback on always rolls back (when the metrics were read)", () => {
    fc.assert(
      fc.property(input, (i) => {
        if (i.unreadable !== undefined || breachesOf(i).length === 0) return true;
        const d = decide(i);
        return i.rollout.autoRollback ? d.decision === "rollback" && d.breaches.length > 0 : d.decision === "hold";
      }),
      RUNS,
    );
  });

  test("metrics that could not be read always hold, with the API's message", () => {
    fc.assert(
      fc.property(input, (i) => {
        if (i.unreadable === undefined) return true;
        const d = decide(i);
        return d.decision === "hold" && d.reason.includes(i.unreadable);
      }),
      RUNS,
    );
  });

  test("steps only increase: an advance goes to the first step above the canary's share; complete only after the last", () => {
    fc.assert(
      fc.property(input, (i) => {
        const d = decide(i);
        const last = i.rollout.steps[i.rollout.steps.length - 1];
        if (d.decision === "advance") {
          return d.to !== undefined && d.to > i.percent && d.to === nextStep(i.rollout.steps, i.percent);
        }
        if (d.decision === "complete") return i.percent >= last;
        return d.to === undefined;
      }),
      RUNS,
    );
  });

  test("a rollback is only ever a breach's", () => {
    fc.assert(
      fc.property(input, (i) => decide(i).decision !== "rollback" || breachesOf(i).length > 0),
      RUNS,
    );
  });
});

const base: Rollout = {
  enabled: true,
  steps: [10, 50],
  minutesPerStep: 30,
  minRequestsPerStep: 100,
  maxErrorRatio: 0.02,
  maxErrorRatioOverStable: 0.01,
  maxP99Ms: 1000,
  maxP99OverStable: 1.5,
  autoRollback: true,
};
const at = (over: Partial<AnalysisInput> = {}): AnalysisInput => ({
  rollout: base,
  percent: 10,
  minutes: 31,
  canary: { revision: "c", requests: 400, errors: 2, p99Ms: 300 },
  stable: { revision: "s", requests: 3600, errors: 18, p99Ms: 280 },
  ...over,
});

describe("decisions by hand", () => {
  test.each([
    ["a healthy canary with enough requests and time advances to the next step", at(), "advance", /on to 50%/],
    ["after the last step it completes", at({ percent: 50 }), "complete", /last step/],
    ["too early holds", at({ minutes: 12 }), "hold", /too early: 12 of 30 minutes/],
    [
      "too few requests holds",
      at({ canary: { revision: "c", requests: 60, errors: 0 } }),
      "hold",
      /too few requests: 60 of 100/,
    ],
    ["a quiet canary holds: no data", at({ canary: { revision: "c", requests: 0, errors: 0 } }), "hold", /no data yet/],
    [
      "an erroring canary rolls back, with by how much",
      at({ canary: { revision: "c", requests: 400, errors: 40, p99Ms: 300 } }),
      "rollback",
      /5xx ratio 10% \(40 of 400\) is above maxErrorRatio 2% by 8 pts/,
    ],
    [
      "a slow canary rolls back",
      at({ canary: { revision: "c", requests: 400, errors: 0, p99Ms: 1800 } }),
      "rollback",
      /p99 1800 ms is above maxP99Ms 1000 by 800 ms/,
    ],
    [
      "slower than stable by more than the factor rolls back",
      at({ canary: { revision: "c", requests: 400, errors: 0, p99Ms: 600 } }),
      "rollback",
      /2\.14× the stable revision's 280 ms/,
    ],
    [
      "errors beyond what the minimum sample may fail roll back before the sample is reached",
      at({ minutes: 3, canary: { revision: "c", requests: 20, errors: 3 } }),
      "rollback",
      /3 5xx responses in 20 requests already exceed .* 2/,
    ],
    [
      "more errors than stable by more than the margin rolls back",
      at({
        rollout: { ...base, maxErrorRatio: 0.5 },
        canary: { revision: "c", requests: 400, errors: 12 },
        stable: { revision: "s", requests: 4000, errors: 0 },
      }),
      "rollback",
      /3 pts above the stable revision's 0%, more than maxErrorRatioOverStable \(1 pts\)/,
    ],
    ["unreadable metrics hold", at({ unreadable: "403 PERMISSION_DENIED: denied" }), "hold", /could not be read: 403/],
    [
      "a breach without auto-rollback holds for a person",
      at({ rollout: { ...base, autoRollback: false }, canary: { revision: "c", requests: 400, errors: 40 } }),
      "hold",
      /autoRollback is off: a person decides/,
    ],
  ])("%s", (_what, i, decision, reason) => {
    const d = decide(i);
    expect(d.decision).toBe(decision);
    expect(d.reason).toMatch(reason);
  });

  test("a stable revision with less than the minimum sample is not compared against", () => {
    const d = decide(at({ stable: { revision: "s", requests: 10, errors: 0, p99Ms: 10 } }));
    expect(d.decision).toBe("advance");
  });
});

describe("rollout defaults per stage", () => {
  test("on from preproduction, off in development; absolute thresholds are the service's alert thresholds", () => {
    expect(ROLLOUT_DEFAULTS.development.enabled).toBe(false);
    expect(ROLLOUT_DEFAULTS.preproduction.enabled).toBe(true);
    expect(ROLLOUT_DEFAULTS.production.enabled).toBe(true);
    const config = fixtureEnvironment({ stage: "production" });
    expect(rolloutOf(config, "predict")).toMatchObject({
      steps: [10, 50],
      minutesPerStep: 30,
      minRequestsPerStep: 100,
      maxErrorRatio: 0.02,
      maxP99Ms: 1000,
    });
    const tuned = fixtureEnvironment({
      stage: "preproduction",
      services: {
        predict: {
          ...config.services.predict,
          monitoring: { errorRatio: { threshold: 0.05 }, latency: { thresholdMs: 2500 } },
          rollout: { steps: [5, 25, 75] },
        },
      },
    });
    expect(rolloutOf(tuned, "predict")).toMatchObject({
      steps: [5, 25, 75],
      minutesPerStep: 10,
      maxErrorRatio: 0.05,
      maxP99Ms: 2500,
    });
  });
});

describe("the release file's canary fields", () => {
  const base = (stage: "development" | "preproduction" | "production", canary: Record<string, unknown>) => {
    const config = fixtureEnvironment({ name: "x", stage });
    const d = `sha256:${"a".repeat(64)}`;
    const raw = {
      services: {
        predict: {
          digest: d,
          ran: [d],
          provenance: { verb: "canary", time: "2026-12-01T10:00:00.000Z" },
          canary: { digest: `sha256:${"b".repeat(64)}`, percent: 10, stableRevision: "predict-0a1b2c3d", ...canary },
        },
      },
    };
    return releaseProblems(raw, config).map((p) => `${p.path}: ${p.allowed}`);
  };

  test("since is the one form the commands write: a time that exists, in UTC, to the millisecond", () => {
    expect(base("production", { since: "2026-12-01T10:00:00.000Z" })).toEqual([]);
    for (const since of [
      "2026-12-01T10:00:00Z",
      "2026-12-01T10:00:00.5Z",
      "2026-02-30T10:00:00.000Z",
      "2026-12-01T24:00:00.000Z",
      "yesterday",
    ]) {
      expect(base("production", { since })).toEqual([
        expect.stringMatching(/^services\.predict\.canary\.since: must be a time in ISO 8601/),
      ]);
    }
  });

  test("a drill in a release file: preproduction only, where the rollout judges it", () => {
    const drill = { drill: { errorRate: 0.5 } };
    expect(base("preproduction", drill)).toEqual([]);
    expect(base("production", drill)).toEqual([
      expect.stringMatching(/canary\.drill: a drill runs in preproduction only \(x is production\)/),
    ]);
    expect(base("development", drill)).toEqual([
      expect.stringMatching(/canary\.drill: a drill runs in preproduction only \(x is development\)/),
    ]);
    expect(base("preproduction", { drill: { errorRate: 0 } })).toEqual([
      expect.stringMatching(/errorRate: must be a share of requests/),
    ]);
  });
});
