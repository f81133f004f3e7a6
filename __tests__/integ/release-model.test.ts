/**
 * Release state is what production runs, so it is tested like a database: random sequences of
 * release commands (fast-check's model-based testing) run against a model of what each should do,
 * and after every step the files must parse, traffic must total 100, a service has at most one
 * canary, every digest past the first stage has run in the stage before, the files must agree
 * with the model, and a refused command must leave every file byte-identical. `analyze --apply`
 * is one of the commands, with a canary that is healthy, erroring or quiet: it must advance one
 * step or complete, roll back, or hold (writing nothing), as the model says; and `drill` (beta
 * only), whose canary is never completed and always rolled back by the analysis.
 */
import fc from "fast-check";
import * as fs from "fs";
import * as path from "path";
import { shortHash } from "../../lib/gcp/terraform";
import { runReleaseAsync } from "../../lib/app/release/cli";
import { rolloutOf } from "../../lib/app/config/rollout";
import { canonicalJson } from "../../lib/app/release/files";
import { asRelease, releaseProblems } from "../../lib/app/release/model";
import { trafficOf } from "../../lib/app/release/deployment";
import { fixtureEnvironment } from "../fixtures/environment";
import { environmentsFolder, releaseTexts } from "../fixtures/release";

/** 200 sequences, a new sample each run (the integration tier; `npm run test:unit` leaves it out). */
const RUNS = 200;

const ENVS = [
  { name: "alpha", stage: "development" },
  { name: "beta", stage: "preproduction" },
  { name: "gamma", stage: "production" },
] as const;
type Env = (typeof ENVS)[number]["name"];
const STAGE_OF = Object.fromEntries(ENVS.map((e, i) => [e.name, i])) as Record<Env, number>;
const configs = ENVS.map((e) => fixtureEnvironment({ name: e.name, stage: e.stage }));
const dir = environmentsFolder(configs);
afterAll(() => fs.rmSync(path.dirname(dir), { recursive: true, force: true }));

const digestOf = (c: string) => `sha256:${c.repeat(64)}`;
const imageOf = (env: string, c: string) =>
  `europe-west1-docker.pkg.dev/acme-fx-${env}/images/predict-api@${digestOf(c)}`;

interface ServiceModel {
  digest?: string;
  canary?: { digest: string; percent: number; drill?: true };
  ran: string[];
}
interface Model {
  envs: Record<Env, ServiceModel>;
}

function readRelease(env: Env): ServiceModel | undefined {
  const file = path.join(dir, "releases", `${env}.json`);
  if (!fs.existsSync(file)) return undefined;
  const s = JSON.parse(fs.readFileSync(file, "utf8")).services.predict;
  const canary = s.canary && {
    digest: s.canary.digest,
    percent: s.canary.percent,
    ...(s.canary.drill ? { drill: true as const } : {}),
  };
  return { digest: s.digest, canary, ran: s.ran };
}

/** The current template's revision name, without synthesizing: stable for the same template. */
const templateRevision = (env: string) => {
  const r = readRelease(env as Env);
  // A drill's template is the serving one with its fault switched on: another revision.
  return `predict-${shortHash(`${env} ${r?.canary?.digest ?? r?.digest}${r?.canary?.drill ? " drill" : ""}`)}`;
};

const inFlight = (s: ServiceModel) => (s.canary?.percent ?? 0) > 0;
const ranTo = (s: ServiceModel, d: string) => [d, ...s.ran.filter((x) => x !== d)].slice(0, 20);

const outcomes = { accepted: 0, refused: 0 };
/** Analyses of a canary in flight, by what it served: each kind must be drawn many times. */
const analyzed = { healthy: 0, erroring: 0, quiet: 0 };

/** The analysis's clock: each analyze runs an hour and a minute after the one before. */
let clock = Date.parse("2026-11-27T00:00:00.000Z");

/** What the canary served, as the metrics reader answers for the analyze command. */
type Health = "healthy" | "erroring" | "quiet";
let health: Health = "healthy";
const readMetrics = async (q: { revisions: readonly string[] }) => {
  const [canary, ...rest] = q.revisions;
  const served = {
    healthy: { requests: 1000, errors: 0 },
    erroring: { requests: 1000, errors: 500 },
    quiet: { requests: 0, errors: 0 },
  };
  return Object.fromEntries([[canary, served[health]], ...rest.map((r) => [r, { requests: 5000, errors: 0 }])]);
};

/** The live traffic: as the release file says (every change deployed at once). */
const readLive = async (name: { project: string }) => {
  const env = name.project.replace(/^acme-fx-/, "") as Env;
  const r = JSON.parse(fs.readFileSync(path.join(dir, "releases", `${env}.json`), "utf8")).services.predict;
  return {
    traffic: [
      {
        type: "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION",
        revision: r.canary.stableRevision,
        percent: 100 - r.canary.percent,
      },
      { type: "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION", revision: templateRevision(env), percent: r.canary.percent },
    ],
  };
};

/** Runs one command against the files and the model; checks the outcome and every invariant. */
async function step(model: Model, argv: string[], expectOk: boolean, apply: () => void): Promise<void> {
  const before = releaseTexts(dir);
  const result = await runReleaseAsync(argv, dir, {
    templateRevision,
    provenance: { time: "2026-11-27T00:00:00.000Z" },
    now: new Date(clock),
    readMetrics,
    readLive,
  });
  outcomes[result.code === 0 ? "accepted" : "refused"]++;
  if ((result.code === 0) !== expectOk) {
    throw new Error(
      `${argv.join(" ")}: expected ${expectOk ? "success" : "refusal"}, got ${result.code}\n${result.stderr}`,
    );
  }
  if (expectOk) apply();
  else if (JSON.stringify(releaseTexts(dir)) !== JSON.stringify(before)) {
    throw new Error(`${argv.join(" ")} was refused but changed a file`);
  }
  for (const e of ENVS) {
    const file = path.join(dir, "releases", `${e.name}.json`);
    const expected = model.envs[e.name];
    if (!fs.existsSync(file)) {
      if (expected.digest !== undefined) throw new Error(`${e.name} has no release file`);
      continue;
    }
    const raw = JSON.parse(fs.readFileSync(file, "utf8"));
    const config = configs.find((c) => c.name === e.name)!;
    if (releaseProblems(raw, config).length > 0) throw new Error(`${e.name}'s release file is invalid`);
    const service = asRelease(raw).services.predict;
    const traffic = trafficOf(service) ?? [{ percent: 100 }];
    if (traffic.reduce((a, t) => a + t.percent, 0) !== 100) throw new Error(`${e.name}'s traffic does not total 100`);
    if (traffic.filter((t) => t.tag === "canary").length > 1) throw new Error(`${e.name} has two canaries`);
    const actual = readRelease(e.name)!;
    if (canonicalJson(actual) !== canonicalJson(expected)) {
      throw new Error(`${e.name}: files ${JSON.stringify(actual)} but the model has ${JSON.stringify(expected)}`);
    }
    // A digest reaches a stage only after the stage before served it.
    const previous = ENVS[STAGE_OF[e.name] - 1];
    if (previous) {
      const ranBefore = model.envs[previous.name].ran;
      for (const d of [actual.digest, actual.canary?.digest].filter((x): x is string => x !== undefined)) {
        if (!ranBefore.includes(d)) throw new Error(`${e.name} runs ${d}, which ${previous.name} never served`);
      }
    }
  }
}

const env = fc.constantFrom<Env>("alpha", "beta", "gamma");
const health3 = fc.constantFrom<Health>("healthy", "erroring", "quiet");
const char = fc.constantFrom("a", "b", "c", "d");
// Mostly what a team does (pin in alpha, promote one stage on), with every mistake mixed in.
const pinEnv = fc.oneof({ weight: 4, arbitrary: fc.constant<Env>("alpha") }, { weight: 1, arbitrary: env });
const promotion = fc.oneof(
  { weight: 3, arbitrary: fc.constant<[Env, Env]>(["alpha", "beta"]) },
  { weight: 3, arbitrary: fc.constant<[Env, Env]>(["beta", "gamma"]) },
  { weight: 1, arbitrary: fc.tuple(env, env) },
);
const percent = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 1, max: 99 }) },
  { weight: 1, arbitrary: fc.integer({ min: -5, max: 150 }) },
);

const commands = [
  fc.tuple(pinEnv, char).map(
    ([e, c]) =>
      ({
        check: () => true,
        run: async (m: Model) => {
          const s = m.envs[e];
          const ok = e === "alpha" && !inFlight(s);
          await step(m, ["pin", e, "predict", imageOf(e, c)], ok, () => {
            m.envs[e] = { digest: digestOf(c), ran: ranTo(s, digestOf(c)) };
          });
        },
        toString: () => `pin ${e} ${c}`,
      }) as fc.AsyncCommand<Model, object>,
  ),
  promotion.map(
    ([from, to]) =>
      ({
        check: () => true,
        run: async (m: Model) => {
          const source = m.envs[from];
          const target = m.envs[to];
          const previous = ENVS[STAGE_OF[to] - 1];
          const ranBefore =
            previous !== undefined && source.digest !== undefined && m.envs[previous.name].ran.includes(source.digest);
          const rolledBack = target.canary !== undefined && target.canary.percent === 0;
          const ok =
            STAGE_OF[to] > STAGE_OF[from] &&
            source.digest !== undefined &&
            !inFlight(source) &&
            !inFlight(target) &&
            !(rolledBack && target.canary!.digest === source.digest) &&
            ranBefore;
          await step(m, ["promote", from, to], ok, () => {
            m.envs[to] = { digest: source.digest, ran: ranTo(target, source.digest!) };
          });
        },
        toString: () => `promote ${from} ${to}`,
      }) as fc.AsyncCommand<Model, object>,
  ),
  fc
    .tuple(
      env,
      percent,
      fc.oneof(
        char.map((c) => ({ c })),
        env.map((from) => ({ from })),
      ),
    )
    .map(
      ([e, percent, source]) =>
        ({
          check: () => true,
          run: async (m: Model) => {
            const s = m.envs[e];
            let digest: string | undefined;
            let sourceOk = true;
            if ("c" in source) {
              digest = digestOf(source.c);
              const previous = ENVS[STAGE_OF[e] - 1];
              if (previous && !m.envs[previous.name].ran.includes(digest)) sourceOk = false;
            } else {
              const other = m.envs[source.from];
              digest = other.digest;
              const previous = ENVS[STAGE_OF[e] - 1];
              sourceOk =
                STAGE_OF[source.from] < STAGE_OF[e] &&
                digest !== undefined &&
                !inFlight(other) &&
                (previous === undefined || m.envs[previous.name].ran.includes(digest));
            }
            const ok =
              percent >= 1 &&
              percent <= 99 &&
              s.digest !== undefined &&
              !inFlight(s) &&
              sourceOk &&
              digest !== s.digest;
            const argv = ["canary", e, "predict", "--percent", String(percent)];
            argv.push(...("c" in source ? ["--image", imageOf(e, source.c)] : ["--from", source.from]));
            await step(m, argv, ok, () => {
              m.envs[e] = { ...s, canary: { digest: digest!, percent } };
            });
          },
          toString: () => `canary ${e} ${percent}% ${JSON.stringify(source)}`,
        }) as fc.AsyncCommand<Model, object>,
    ),
  env.map(
    (e) =>
      ({
        check: () => true,
        run: async (m: Model) => {
          const s = m.envs[e];
          // A drill's canary is rolled back, never completed.
          await step(m, ["complete", e, "predict"], inFlight(s) && !s.canary!.drill, () => {
            m.envs[e] = { digest: s.canary!.digest, ran: ranTo(s, s.canary!.digest) };
          });
        },
        toString: () => `complete ${e}`,
      }) as fc.AsyncCommand<Model, object>,
  ),
  fc.tuple(env, health3).map(
    ([e, h]) =>
      ({
        check: () => true,
        run: (m: Model) => analyzeStep(m, e, h),
        toString: () => `analyze --apply ${e} (${h})`,
      }) as fc.AsyncCommand<Model, object>,
  ),
  env.map(
    (e) =>
      ({
        check: () => true,
        run: async (m: Model) => {
          const s = m.envs[e];
          await step(m, ["rollback", e, "predict"], inFlight(s), () => {
            m.envs[e] = { ...s, canary: { ...s.canary!, percent: 0 } };
          });
        },
        toString: () => `rollback ${e}`,
      }) as fc.AsyncCommand<Model, object>,
  ),
];

/** `analyze --apply` on environment `e`'s canary, which serves as `h` says; the model's expectation. */
async function analyzeStep(m: Model, e: Env, h: Health): Promise<void> {
  const s = m.envs[e];
  health = h;
  clock += 61 * 60_000;
  const { steps, enabled } = rolloutOf(configs[STAGE_OF[e]], "predict");
  // Carried out only where the rollout is on (not alpha, development): elsewhere it is refused.
  await step(m, ["analyze", e, "predict", "--apply"], inFlight(s) && enabled, () => {
    analyzed[h]++;
    if (h === "quiet") return; // hold: nothing written
    // A drill that looks healthy went undetected: it is rolled back all the same.
    if (h === "erroring" || s.canary!.drill) m.envs[e] = { ...s, canary: { ...s.canary!, percent: 0 } };
    else {
      const next = steps.find((p) => p > s.canary!.percent);
      m.envs[e] =
        next === undefined
          ? { digest: s.canary!.digest, ran: ranTo(s, s.canary!.digest) }
          : { ...s, canary: { ...s.canary!, percent: next } };
    }
  });
}

/**
 * Half the sequences start where a team is mid-release: a digest served everywhere, a newer one
 * served up to beta, and that one canaried at 10% in gamma. Random sequences rarely build that
 * themselves (it takes six accepted commands), and it is where analyze decides.
 */
async function canaryInFlight(m: Model): Promise<void> {
  const [a, b] = [digestOf("a"), digestOf("b")];
  await step(
    m,
    ["pin", "alpha", "predict", imageOf("alpha", "a")],
    true,
    () => (m.envs.alpha = { digest: a, ran: [a] }),
  );
  await step(m, ["promote", "alpha", "beta"], true, () => (m.envs.beta = { digest: a, ran: [a] }));
  await step(m, ["promote", "beta", "gamma"], true, () => (m.envs.gamma = { digest: a, ran: [a] }));
  await step(
    m,
    ["pin", "alpha", "predict", imageOf("alpha", "b")],
    true,
    () => (m.envs.alpha = { digest: b, ran: [b, a] }),
  );
  await step(m, ["promote", "alpha", "beta"], true, () => (m.envs.beta = { digest: b, ran: [b, a] }));
  await step(m, ["canary", "gamma", "predict", "--percent", "10", "--from", "beta"], true, () => {
    m.envs.gamma = { ...m.envs.gamma, canary: { digest: b, percent: 10 } };
  });
}

commands.push(
  env.map(
    (e) =>
      ({
        check: () => true,
        run: async (m: Model) => {
          const s = m.envs[e];
          // Preproduction only (beta), on a release, with no canary in flight; at beta's first step.
          const ok = e === "beta" && s.digest !== undefined && !inFlight(s);
          await step(m, ["drill", e, "predict"], ok, () => {
            const percent = rolloutOf(configs[1], "predict").steps[0];
            m.envs[e] = { ...s, canary: { digest: s.digest!, percent, drill: true } };
          });
        },
        toString: () => `drill ${e}`,
      }) as fc.AsyncCommand<Model, object>,
  ),
);

// A canary in flight takes a pin, two promotions and a canary first: canary and analyze are drawn
// more often, so that analyses of a canary in flight (of each kind) come up many times a run.
const [, , canaryCommand, , analyzeCommand] = commands;
const weighted = [...commands, canaryCommand, canaryCommand, analyzeCommand, analyzeCommand];

test(`${RUNS} random sequences of release commands keep every invariant`, async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.commands(weighted, { maxCommands: 16 }),
      fc.option(health3, { freq: 2 }),
      async (cmds, first) => {
        fs.rmSync(path.join(dir, "releases"), { recursive: true, force: true });
        fs.mkdirSync(path.join(dir, "releases"));
        const model: Model = { envs: { alpha: { ran: [] }, beta: { ran: [] }, gamma: { ran: [] } } };
        // Half the runs: mid-release, and gamma's canary judged first.
        if (first !== null) {
          await canaryInFlight(model);
          await analyzeStep(model, "gamma", first);
        }
        await fc.asyncModelRun(() => ({ model, real: {} }), cmds);
      },
    ),
    { numRuns: RUNS },
  );
  // Both outcomes are exercised, many times over (about 1.3 accepted and 4 refused a sequence).
  expect(outcomes.accepted).toBeGreaterThan(RUNS / 2);
  expect(outcomes.refused).toBeGreaterThan(RUNS / 2);
  // Each kind about 35 to 50 times a run (a third of the half that starts mid-release, and more).
  expect(Math.min(...Object.values(analyzed))).toBeGreaterThan(RUNS / 20);
}, 120_000);
