/**
 * The release verbs as the pure functions they are: environments' configurations and release
 * files in, one environment's new release file (with a line per change) or every reason for a
 * refusal out. Nothing is read or written; the revision a canary's stable traffic keeps is given.
 * The same verbs through the command and its files, synthesized: __tests__/integ/release.test.ts.
 */
import { EnvironmentConfig } from "../../../lib/app";
import { ReleaseFile, ServiceRelease } from "../../../lib/app/release/model";
import {
  Outcome,
  World,
  advance,
  canary,
  drill,
  recordDecision,
  complete,
  pin,
  promote,
  retire,
  rollback,
  shortDigest,
} from "../../../lib/app/release/verbs";
import { fixtureEnvironment, fixtureService, fixtureTrainingEnvironment } from "../../fixtures/environment";

const digest = (c: string) => `sha256:${c.repeat(64)}`;
const image = (env: string, c: string) => `europe-west1-docker.pkg.dev/acme-fx-${env}/images/predict-api@${digest(c)}`;

const CONFIGS: EnvironmentConfig[] = [
  fixtureTrainingEnvironment({ name: "alpha", stage: "development" }),
  fixtureTrainingEnvironment({ name: "beta", stage: "preproduction" }),
  fixtureTrainingEnvironment({ name: "gamma", stage: "production" }),
];

/** What a service runs, with `ran` and provenance filled in. */
function released(d: string, extra: Partial<ServiceRelease> = {}): ServiceRelease {
  return { digest: d, ran: [d], provenance: { verb: "pin", time: "t0" }, ...extra };
}

/** A world of the three environments with the given release files. */
function world(releases: Record<string, ReleaseFile> = {}): World {
  return {
    configs: Object.fromEntries(CONFIGS.map((c) => [c.name, c])),
    releases,
    templateRevision: (_env, service) => `${service}-0a1b2c3d`,
    provenance: { time: "t1" },
  };
}

function ok(outcome: Outcome): Extract<Outcome, { ok: true }> {
  if (!outcome.ok) throw new Error(`refused: ${outcome.problems.join("; ")}`);
  return outcome;
}

function refused(outcome: Outcome): string[] {
  if (outcome.ok) throw new Error(`expected a refusal, got ${outcome.changes.join("; ")}`);
  return outcome.problems;
}

describe("pin", () => {
  test("a digest of the service's image in the first stage's repository enters there, with its provenance", () => {
    const out = ok(pin(world(), "alpha", "predict", image("alpha", "a")));
    expect(out.environment).toBe("alpha");
    expect(out.release.services.predict).toEqual({
      digest: digest("a"),
      ran: [digest("a")],
      provenance: { verb: "pin", time: "t1" },
    });
    expect(out.changes).toEqual([`alpha predict: (none) → ${shortDigest(digest("a"))}`]);
  });

  test("a model version alone keeps the image, and both histories keep the newest first", () => {
    const before = { alpha: { services: { predict: released(digest("a")) } } };
    const out = ok(pin(world(before), "alpha", "predict", undefined, "sentiment/run-2"));
    expect(out.release.services.predict).toMatchObject({
      digest: digest("a"),
      model: "sentiment/run-2",
      ran: [digest("a")],
      modelsRan: ["sentiment/run-2"],
    });
  });

  test("refused: a later stage, a tag, another repository, nothing to pin, a job's model, an unknown service", () => {
    expect(refused(pin(world(), "beta", "predict", image("beta", "a")))).toEqual([
      "pin enters a built image or a trained model at the development stage; beta is preproduction: promote to it instead",
    ]);
    expect(refused(pin(world(), "alpha", "predict", image("alpha", "a").replace(/@sha256:.*/, ":v1")))[0]).toMatch(
      /must be pinned by a full digest/,
    );
    expect(refused(pin(world(), "alpha", "predict", image("beta", "a")))[0]).toMatch(
      /is not predict's image in alpha's repository/,
    );
    expect(refused(pin(world(), "alpha", "predict", undefined))).toEqual([
      "pin takes an image, a --model version, or both",
      "predict has no image released in alpha to serve the model with: pin an image too",
    ]);
    expect(refused(pin(world(), "alpha", "train", undefined, "sentiment/run-1"))).toContain(
      "train is a job in environment alpha: a job serves no model (a service's model names its bucket)",
    );
    expect(refused(pin(world(), "alpha", "nope", image("alpha", "a")))[0]).toMatch(
      /^service "nope" is not in environment alpha: predict, train$/,
    );
  });
});

describe("promote", () => {
  const alpha = { services: { predict: released(digest("a"), { model: "m/1", modelsRan: ["m/1"] }) } };

  test("the same digest and model to the next stage, recorded as promoted from there", () => {
    const out = ok(promote(world({ alpha }), "alpha", "beta", []));
    expect(out.environment).toBe("beta");
    expect(out.release.services.predict).toEqual({
      digest: digest("a"),
      model: "m/1",
      ran: [digest("a")],
      modelsRan: ["m/1"],
      provenance: { verb: "promote", from: "alpha", time: "t1" },
    });
  });

  test("a promotion of what the target already runs changes nothing, and says so", () => {
    const beta = { services: { predict: released(digest("a"), { model: "m/1", modelsRan: ["m/1"] }) } };
    const out = ok(promote(world({ alpha, beta }), "alpha", "beta", []));
    expect(out.changes).toEqual([]);
    expect(out.unchanged).toEqual([`beta predict already runs ${shortDigest(digest("a"))} + m/1, as alpha does`]);
    expect(out.release).toBe(beta);
  });

  test("the history keeps its newest 20 entries, and any older one the next stage still serves", () => {
    const nth = (i: number) => `sha256:${i.toString(16).padStart(64, "0")}`;
    // beta has run 21 digests; gamma still serves the oldest, nth(21). alpha has a new one, nth(99).
    const betaRan = Array.from({ length: 21 }, (_, i) => nth(i + 1));
    const releases = {
      alpha: { services: { predict: released(nth(99), { ran: [nth(99)] }) } },
      beta: { services: { predict: released(nth(1), { ran: betaRan }) } },
      gamma: { services: { predict: released(nth(21)) } },
    };
    const ran = ok(promote(world(releases), "alpha", "beta", [])).release.services.predict.ran;
    expect(ran.slice(0, 20)).toEqual([nth(99), ...betaRan.slice(0, 19)]);
    // nth(20) falls out; nth(21) stays, so gamma's release still checks against beta's history.
    expect(ran.slice(20)).toEqual([nth(21)]);
  });

  test("refused: a stage skipped, an earlier stage, and a canary in flight at the source", () => {
    expect(refused(promote(world({ alpha }), "alpha", "gamma", []))).toEqual([
      `${shortDigest(digest("a"))} has not served predict at the preproduction stage; gamma (production) runs only what the stage before ran`,
      "model m/1 has not served predict at the preproduction stage; gamma (production) serves only what the stage before served",
    ]);
    expect(refused(promote(world({ alpha }), "beta", "alpha", []))[0]).toMatch(/promotion goes to a later stage/);
    const flying = {
      alpha: {
        services: {
          predict: released(digest("a"), {
            canary: { digest: digest("b"), percent: 10, stableRevision: "predict-0a1b2c3d" },
          }),
        },
      },
    };
    expect(refused(promote(world(flying), "alpha", "beta", []))).toContain(
      "alpha has a canary in flight (predict): complete or roll it back first",
    );
  });
});

describe("canary, complete, rollback", () => {
  const beta = { services: { predict: released(digest("a")) } };
  const alpha = { services: { predict: released(digest("b"), { ran: [digest("b"), digest("a")] }) } };

  test("a canary from the stage before takes its percent; the stable revision keeps the rest", () => {
    const out = ok(canary(world({ alpha, beta }), "beta", "predict", "10", { from: "alpha" }));
    expect(out.release.services.predict.canary).toEqual({
      digest: digest("b"),
      percent: 10,
      stableRevision: "predict-0a1b2c3d",
      since: "t1",
    });
    expect(out.release.services.predict.digest).toBe(digest("a"));
    expect(out.changes[0]).toMatch(/canary .* takes 10%, predict-0a1b2c3d .* keeps 90%/);
  });

  test("refused: a percent outside 1-99, a job, no release, the same digest, a later stage as the source", () => {
    expect(refused(canary(world({ alpha, beta }), "beta", "predict", "100", { from: "alpha" }))).toContain(
      "--percent must be a whole number from 1 to 99; got 100",
    );
    expect(refused(canary(world({ alpha, beta }), "beta", "predict", "1.5", { from: "alpha" }))).toContain(
      "--percent must be a whole number from 1 to 99; got 1.5",
    );
    expect(refused(canary(world({ alpha, beta }), "beta", "train", 10, { from: "alpha" }))).toEqual([
      "train is a job in environment beta: a job takes no traffic, so it has no canary",
    ]);
    expect(refused(canary(world({ alpha }), "beta", "predict", 10, { from: "alpha" }))).toContain(
      "predict has no release in beta to split traffic from: its first release there is a promotion",
    );
    expect(refused(canary(world({ beta }), "beta", "predict", 10, { image: image("beta", "a") }))).toContain(
      `${shortDigest(digest("a"))} already serves predict in beta: a canary needs a different image or model`,
    );
    expect(refused(canary(world({ alpha, beta }), "alpha", "predict", 10, { from: "beta" }))).toContain(
      "--from must be an earlier stage: beta is preproduction, alpha is development",
    );
  });

  test("backing a release out: --image with --model canaries what served before, image and model", () => {
    const served = { digest: digest("b"), ran: [digest("b"), digest("a")], modelsRan: ["m/2", "m/1"] };
    const alphaServed = { services: { predict: released(digest("b"), { ...served, model: "m/2" }) } };
    const betaServed = { services: { predict: released(digest("b"), { ...served, model: "m/2" }) } };
    const out = ok(
      canary(world({ alpha: alphaServed, beta: betaServed }), "beta", "predict", 50, {
        image: image("beta", "a"),
        model: "m/1",
      }),
    );
    expect(out.release.services.predict.canary).toEqual({
      digest: digest("a"),
      model: "m/1",
      percent: 50,
      stableRevision: "predict-0a1b2c3d",
      since: "t1",
    });
    // The image alone keeps the model that serves; the model alone is a canary of the same image.
    const imageOnly = ok(
      canary(world({ alpha: alphaServed, beta: betaServed }), "beta", "predict", 50, { image: image("beta", "a") }),
    );
    expect(imageOnly.release.services.predict.canary).toEqual({
      digest: digest("a"),
      percent: 50,
      stableRevision: "predict-0a1b2c3d",
      since: "t1",
    });
    const modelOnly = ok(
      canary(world({ alpha: alphaServed, beta: betaServed }), "beta", "predict", 50, {
        image: image("beta", "b"),
        model: "m/1",
      }),
    );
    expect(modelOnly.release.services.predict.canary).toMatchObject({ digest: digest("b"), model: "m/1" });
    expect(modelOnly.changes[0]).toContain(`canary ${shortDigest(digest("b"))} + m/1 takes 50%`);
    // A model the stage before never served, a malformed version and a job's model are refused.
    expect(
      refused(
        canary(world({ alpha: alphaServed, beta: betaServed }), "beta", "predict", 50, {
          image: image("beta", "a"),
          model: "m/9",
        }),
      ),
    ).toEqual([
      "model m/9 has not served predict at the development stage; beta (preproduction) serves only what the stage before served",
    ]);
    expect(
      refused(
        canary(world({ alpha: alphaServed, beta: betaServed }), "beta", "predict", 50, {
          image: image("beta", "a"),
          model: "../m",
        }),
      )[0],
    ).toMatch(/^--model "\.\.\/m" /);
  });

  test("complete: the canary serves everything, and its digest joins the history", () => {
    const flying = {
      services: {
        predict: {
          ...beta.services.predict,
          canary: { digest: digest("b"), percent: 10, stableRevision: "predict-0a1b2c3d" },
        },
      },
    };
    const out = ok(complete(world({ alpha, beta: flying }), "beta", "predict"));
    expect(out.release.services.predict).toEqual({
      digest: digest("b"),
      ran: [digest("b"), digest("a")],
      provenance: { verb: "complete", time: "t1" },
    });
    expect(refused(complete(world({ alpha, beta }), "beta", "predict"))).toEqual([
      "predict in beta has no canary in flight to complete",
    ]);
  });

  test("rollback: traffic back to the stable revision, the canary kept at 0% with its tag", () => {
    const flying = {
      services: {
        predict: {
          ...beta.services.predict,
          canary: { digest: digest("b"), percent: 10, stableRevision: "predict-0a1b2c3d" },
        },
      },
    };
    const out = ok(rollback(world({ alpha, beta: flying }), "beta", "predict"));
    expect(out.release.services.predict.canary).toEqual({
      digest: digest("b"),
      percent: 0,
      stableRevision: "predict-0a1b2c3d",
    });
    expect(out.release.services.predict.digest).toBe(digest("a"));
    expect(refused(rollback(world({ alpha, beta }), "beta", "predict"))).toEqual([
      "predict in beta has no canary in flight to roll back",
    ]);
    // A digest rolled back here is not promoted straight to all traffic.
    const rolledBack = ok(rollback(world({ alpha, beta: flying }), "beta", "predict")).release;
    expect(refused(promote(world({ alpha, beta: rolledBack }), "alpha", "beta", []))[0]).toMatch(
      /was rolled back as predict's canary in beta: canary it again/,
    );
  });

  test("a service of the environment, not a fixture's other: the verbs name what the environment has", () => {
    const only = fixtureEnvironment({ name: "alpha", stage: "development", services: { api: fixtureService() } });
    const w: World = { ...world(), configs: { alpha: only } };
    expect(refused(complete(w, "alpha", "predict"))).toEqual(['service "predict" is not in environment alpha: api']);
  });
});

describe("retire", () => {
  const a = digest("a");
  const everywhere = {
    alpha: { services: { predict: released(a) } },
    beta: { services: { predict: released(a) } },
    gamma: { services: { predict: released(a) } },
  };

  test("from the last stage back: the entry leaves the file, the others stay", () => {
    const out = ok(retire(world(everywhere), "gamma", "predict"));
    expect(out.release).toEqual({ services: {} });
    expect(out.changes).toEqual([
      `gamma predict: ${shortDigest(a)} → retired; it is left out of the stack (not deployed) until the configuration drops it`,
    ]);
    const first = ok(retire(world({ alpha: everywhere.alpha }), "alpha", "predict"));
    expect(first.changes[0]).toMatch(/it runs Google's placeholder until the configuration drops it$/);
  });

  test("refused: a later stage still runs it, a canary in flight, nothing to retire, an unknown service", () => {
    expect(refused(retire(world(everywhere), "beta", "predict"))).toEqual([
      "predict is still released in gamma, which runs what beta ran: retire it there first (from the last stage back)",
    ]);
    const flying = released(a, { canary: { digest: digest("b"), percent: 10, stableRevision: "predict-0a1b2c3d" } });
    expect(refused(retire(world({ gamma: { services: { predict: flying } } }), "gamma", "predict"))).toEqual([
      "predict in gamma has a canary in flight: complete or roll it back first",
    ]);
    expect(refused(retire(world(), "gamma", "predict"))).toEqual(["predict has no release in gamma to retire"]);
    expect(refused(retire(world(everywhere), "gamma", "constructor"))[0]).toMatch(/is not in environment gamma/);
  });
});

describe("advance, drill and the decisions a release keeps", () => {
  const a = digest("a");
  const flying = (extra: object = {}) =>
    released(a, {
      canary: { digest: digest("b"), percent: 10, stableRevision: "predict-0a1b2c3d", since: "t0", ...extra },
    });
  const betaRan = { services: { predict: released(digest("b"), { ran: [digest("b"), a] }) } };
  const ROLLOUT = { enabled: true, steps: [10, 50], maxErrorRatio: 0.02 };

  test("advance is a traffic-only change: the canary's share rises and its step starts now; nothing else moves", () => {
    const before = { gamma: { services: { predict: flying() } }, beta: betaRan };
    const out = ok(advance(world(before), "gamma", "predict", 50));
    const after = out.release.services.predict;
    expect(after.canary).toEqual({ digest: digest("b"), percent: 50, stableRevision: "predict-0a1b2c3d", since: "t1" });
    expect({ digest: after.digest, ran: after.ran }).toEqual({ digest: a, ran: [a] });
    expect(after.provenance).toEqual({ verb: "advance", time: "t1" });
    expect(out.changes).toEqual([
      `gamma predict: canary ${shortDigest(digest("b"))} 10% → 50%, predict-0a1b2c3d keeps 50%`,
    ]);
  });

  test("advance refuses a lower or equal share, 100, no canary, and a drill", () => {
    const w = world({ gamma: { services: { predict: flying() } } });
    expect(refused(advance(w, "gamma", "predict", 10))).toEqual([
      "a canary advances to a larger share, at most 99: 10% → 10%",
    ]);
    expect(refused(advance(w, "gamma", "predict", 100))[0]).toMatch(/at most 99/);
    expect(refused(advance(world({ gamma: { services: { predict: released(a) } } }), "gamma", "predict", 50))).toEqual([
      "predict in gamma has no canary in flight to advance",
    ]);
    const drilling = world({ beta: { services: { predict: flying({ drill: { errorRate: 0.5 } }) } } });
    expect(refused(advance(drilling, "beta", "predict", 50))).toEqual([
      "predict's canary in beta is a drill: it never advances",
    ]);
  });

  test("a drill canaries what serves, with the fault switched on, at the first step; never in production", () => {
    const out = ok(drill(world({ beta: betaRan }), "beta", "predict", ROLLOUT, "0.25"));
    expect(out.release.services.predict.canary).toEqual({
      digest: digest("b"),
      percent: 10,
      stableRevision: "predict-0a1b2c3d",
      since: "t1",
      drill: { errorRate: 0.25 },
    });
    expect(out.release.services.predict.provenance.verb).toBe("drill");
    expect(
      refused(drill(world({ gamma: { services: { predict: released(a) } } }), "gamma", "predict", ROLLOUT)),
    ).toEqual(["a drill never runs in production: gamma is production; drill a preproduction environment"]);
    expect(
      refused(drill(world({ alpha: { services: { predict: released(a) } } }), "alpha", "predict", ROLLOUT))[0],
    ).toMatch(/a drill runs in preproduction/);
    expect(refused(drill(world({ beta: betaRan }), "beta", "predict", { ...ROLLOUT, enabled: false }))[0]).toMatch(
      /rollout is off in beta \(services.predict.rollout.enabled\)/,
    );
    for (const rate of ["0", "1.5", "x", "-0.5"]) {
      expect(refused(drill(world({ beta: betaRan }), "beta", "predict", ROLLOUT, rate))).toEqual([
        `--error-rate must be a share of requests from more than 0 to 1; got ${rate}`,
      ]);
    }
    expect(refused(drill(world({ beta: betaRan }), "beta", "predict", ROLLOUT, "0.02"))).toEqual([
      "--error-rate 0.02 is within predict's maxErrorRatio (0.02) in beta: the analysis could not tell the fault from a healthy canary; drill with more",
    ]);
    // After a rollback, the template is the rolled-back canary's: the drill's stable revision is
    // the one that serves, never the template's.
    const rolledBack = {
      services: {
        predict: released(digest("b"), {
          ran: [digest("b"), a],
          canary: { digest: digest("c"), percent: 0, stableRevision: "predict-serving1" },
        }),
      },
    };
    expect(
      ok(drill(world({ beta: rolledBack }), "beta", "predict", ROLLOUT)).release.services.predict.canary,
    ).toMatchObject({
      digest: digest("b"),
      stableRevision: "predict-serving1",
    });
    expect(refused(drill(world({ beta: { services: { predict: flying() } } }), "beta", "predict", ROLLOUT))).toEqual([
      "predict in beta has a canary in flight: complete or roll it back first",
    ]);
    expect(
      refused(
        complete(world({ beta: { services: { predict: flying({ drill: { errorRate: 0.5 } }) } } }), "beta", "predict"),
      ),
    ).toEqual(["predict's canary in beta is a drill, with a fault switched on: roll it back, never complete it"]);
  });

  test("decisions are kept, newest first, ten at most, through every later verb", () => {
    const record = (i: number) => ({
      decision: "advance" as const,
      reason: `r${i}`,
      time: "t",
      canary: digest("b"),
      percent: 10,
      window: { start: "s", end: "e" },
      evidence: {
        canary: { revision: "c", requests: 1, errors: 0 },
        stable: { revision: "s", requests: 1, errors: 0 },
      },
      breaches: [],
    });
    let release: ReleaseFile = { services: { predict: flying() } };
    for (let i = 0; i < 12; i++) release = recordDecision(release, "predict", record(i));
    expect(release.services.predict.decisions!.map((d) => d.reason)).toEqual(
      [11, 10, 9, 8, 7, 6, 5, 4, 3, 2].map((i) => `r${i}`),
    );
    const w = world({ gamma: release, beta: betaRan });
    for (const out of [
      complete(w, "gamma", "predict"),
      rollback(w, "gamma", "predict"),
      advance(w, "gamma", "predict", 50),
    ]) {
      expect(ok(out).release.services.predict.decisions).toEqual(release.services.predict.decisions);
    }
  });
});
