/**
 * "A digest reaches a stage only after the stage before ran it", read from the release files
 * themselves (lib/app/release/history.ts): what synth and every release command check, so a hand
 * edit cannot put in production what staging never ran.
 */
import { EnvironmentConfig } from "../../../lib/app";
import { historyProblems } from "../../../lib/app/release/history";
import { ReleaseFile, ServiceRelease } from "../../../lib/app/release/model";
import { fixtureEnvironment, fixtureTrainingEnvironment } from "../../fixtures/environment";

const digest = (c: string) => `sha256:${c.repeat(64)}`;

const CONFIGS: EnvironmentConfig[] = [
  fixtureTrainingEnvironment({ name: "alpha", stage: "development" }),
  fixtureTrainingEnvironment({ name: "beta", stage: "preproduction" }),
  fixtureTrainingEnvironment({ name: "beta2", stage: "preproduction" }),
  fixtureTrainingEnvironment({ name: "gamma", stage: "production" }),
];

function served(d: string, extra: Partial<ServiceRelease> = {}): ServiceRelease {
  return { digest: d, ran: [d], provenance: { verb: "promote", from: "beta", time: "t0" }, ...extra };
}

const problems = (releases: Record<string, ReleaseFile>) => Object.fromEntries(historyProblems(CONFIGS, releases));

describe("what an environment serves has served at the stage before", () => {
  test("a release that went through the stages has no problem; the first stage takes anything", () => {
    expect(
      problems({
        alpha: { services: { predict: served(digest("b"), { ran: [digest("b"), digest("a")] }) } },
        beta: { services: { predict: served(digest("a")) } },
        gamma: { services: { predict: served(digest("a")) } },
      }),
    ).toEqual({});
  });

  test("a digest the stage before never ran, provenance notwithstanding, names the environment, service and rule", () => {
    expect(
      problems({
        beta: { services: { predict: served(digest("a")) } },
        gamma: { services: { predict: served(digest("f")) } },
      }),
    ).toEqual({
      gamma: [
        {
          path: "services.predict.digest",
          value: digest("f"),
          allowed: expect.stringMatching(
            /^has not served predict at the preproduction stage \(beta, beta2\): gamma \(production\) runs only what the stage before did/,
          ),
        },
        // Its history too: a digest written there by hand would vouch for the next stage.
        expect.objectContaining({ path: "services.predict.ran[0]", value: digest("f") }),
      ],
      // beta's own digest never ran in alpha, which has no release at all.
      beta: [
        expect.objectContaining({ path: "services.predict.digest", value: digest("a") }),
        expect.objectContaining({ path: "services.predict.ran[0]", value: digest("a") }),
      ],
    });
  });

  test("any environment of the stage before will do", () => {
    expect(
      problems({
        alpha: { services: { predict: served(digest("a"), { ran: [digest("a"), digest("c")] }) } },
        beta: { services: { predict: served(digest("a")) } },
        beta2: { services: { predict: served(digest("c")) } },
        gamma: { services: { predict: served(digest("c")) } },
      }),
    ).toEqual({});
  });

  test("a canary counts, rolled back too (its template still runs it, at 0%); models are held to modelsRan", () => {
    const alpha = { services: { predict: served(digest("a"), { model: "m/1", modelsRan: ["m/1"] }) } };
    const canary = (percent: number) => ({
      alpha,
      beta: {
        services: {
          predict: served(digest("a"), {
            model: "m/1",
            modelsRan: ["m/1"],
            canary: { digest: digest("e"), model: "m/9", percent, stableRevision: "predict-0a1b2c3d" },
          }),
        },
      },
    });
    for (const percent of [0, 10]) {
      expect(problems(canary(percent)).beta.map((p) => [p.path, p.value])).toEqual([
        ["services.predict.canary.digest", digest("e")],
        ["services.predict.canary.model", "m/9"],
      ]);
    }
    expect(
      problems({ alpha, beta: { services: { predict: served(digest("a"), { model: "m/2", modelsRan: ["m/2"] }) } } })
        .beta,
    ).toEqual([
      expect.objectContaining({ path: "services.predict.model", value: "m/2" }),
      expect.objectContaining({ path: "services.predict.modelsRan[0]", value: "m/2" }),
    ]);
  });

  test("with one stage, or no release, there is nothing to hold", () => {
    const only = [fixtureEnvironment({ name: "solo", stage: "production" })];
    expect(historyProblems(only, { solo: { services: { predict: served(digest("a")) } } }).size).toBe(0);
    expect(problems({})).toEqual({});
  });
});
