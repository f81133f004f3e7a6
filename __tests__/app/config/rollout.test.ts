/** A service's rollout protocol in configuration: every field checked at its boundary, all problems at once. */
import { ConfigError, parseEnvironmentConfig } from "../../../lib/app";
import type { RolloutConfig } from "../../../lib/app/config/types";
import { fixtureEnvironment } from "../../fixtures/environment";

function problemsOf(
  rollout: RolloutConfig,
  env: Record<string, string> = {},
): { path: string; value: unknown; allowed: string }[] {
  const config = fixtureEnvironment();
  const raw = {
    ...config,
    services: { predict: { ...config.services.predict, rollout, ...(Object.keys(env).length ? { env } : {}) } },
  };
  try {
    parseEnvironmentConfig(raw);
    return [];
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    return e.problems.map((p) => ({ path: p.path, value: p.value, allowed: p.allowed }));
  }
}

describe("services.<key>.rollout", () => {
  test("the boundaries are accepted", () => {
    expect(
      problemsOf({
        steps: [1, 99],
        minutesPerStep: 1,
        minRequestsPerStep: 1,
        maxErrorRatio: 0,
        maxErrorRatioOverStable: 1,
        maxP99Ms: 1,
        maxP99OverStable: 1,
      }),
    ).toEqual([]);
    expect(
      problemsOf({
        steps: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
        minutesPerStep: 1440,
        maxP99OverStable: 100,
        autoRollback: false,
        enabled: true,
      }),
    ).toEqual([]);
  });

  test.each<[string, RolloutConfig, string, RegExp]>([
    ["a step of 0", { steps: [0, 50] }, "services.predict.rollout.steps[0]", /whole number from 1 to 99/],
    ["a step of 100", { steps: [10, 100] }, "services.predict.rollout.steps[1]", /whole number from 1 to 99/],
    [
      "a step not above the one before",
      { steps: [10, 10] },
      "services.predict.rollout.steps[1]",
      /more than the step before \(10\): steps only increase/,
    ],
    ["a decreasing step", { steps: [50, 10] }, "services.predict.rollout.steps[1]", /steps only increase/],
    ["no step", { steps: [] }, "services.predict.rollout.steps", /1 to 10 steps/],
    ["eleven steps", { steps: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11] }, "services.predict.rollout.steps", /1 to 10 steps/],
    ["a fraction of a step", { steps: [12.5] }, "services.predict.rollout.steps[0]", /whole number/],
    ["no minute", { minutesPerStep: 0 }, "services.predict.rollout.minutesPerStep", /from 1 to 1440/],
    ["more than a day", { minutesPerStep: 1441 }, "services.predict.rollout.minutesPerStep", /from 1 to 1440/],
    ["no request", { minRequestsPerStep: 0 }, "services.predict.rollout.minRequestsPerStep", /from 1 to/],
    ["a ratio above 1", { maxErrorRatio: 1.5 }, "services.predict.rollout.maxErrorRatio", /ratio from 0 to 1/],
    [
      "a negative margin",
      { maxErrorRatioOverStable: -0.1 },
      "services.predict.rollout.maxErrorRatioOverStable",
      /ratio from 0 to 1/,
    ],
    ["a p99 of 0", { maxP99Ms: 0 }, "services.predict.rollout.maxP99Ms", /milliseconds/],
    [
      "a factor under 1",
      { maxP99OverStable: 0.9 },
      "services.predict.rollout.maxP99OverStable",
      /factor from 1 to 100/,
    ],
  ])("%s is refused with its path", (_what, rollout, path, allowed) => {
    const problems = problemsOf(rollout);
    expect(problems).toEqual([expect.objectContaining({ path, allowed: expect.stringMatching(allowed) })]);
  });

  test("every problem at once", () => {
    const problems = problemsOf({ steps: [50, 10], minutesPerStep: 0, maxErrorRatio: 2 });
    expect(problems.map((p) => p.path)).toEqual([
      "services.predict.rollout.steps[1]",
      "services.predict.rollout.minutesPerStep",
      "services.predict.rollout.maxErrorRatio",
    ]);
  });

  test("a misspelled field is named", () => {
    expect(problemsOf({ step: [10] } as unknown as RolloutConfig).map((p) => p.path)).toContain(
      "services.predict.rollout.step",
    );
  });

  test("the drill's variable is the release's, never configuration's", () => {
    expect(problemsOf({}, { CANARY_DRILL_ERROR_RATE: "0.5" })).toEqual([
      expect.objectContaining({
        path: "services.predict.env.CANARY_DRILL_ERROR_RATE",
        allowed: expect.stringMatching(/only on a drill's canary/),
      }),
    ]);
  });
});
