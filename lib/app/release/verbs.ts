import { own } from "../../gcp/validation";
import { isDigestPinned } from "../../gcp/images";
import { STAGES } from "../../policies/rule";
import { EnvironmentConfig, repositoryUrl } from "../config";
import { trafficless } from "../config/props";
import { firstStage, laterStage, previousStage } from "../promotion";
import { imageName } from "./deployment";
import { named } from "./history";
import {
  Canary,
  DecisionRecord,
  MAX_DECISIONS,
  MAX_HISTORY,
  Provenance,
  ReleaseFile,
  ServiceRelease,
  inFlight,
  modelVersion,
  releasables,
} from "./model";

/*
 * The release verbs as pure functions: the environments' configurations and release files in,
 * one environment's new release file out, or every reason the command is refused. Nothing here
 * reads or writes a file (cli.ts does, under a lock).
 */

/** What a verb sees. */
export interface World {
  readonly configs: Readonly<Record<string, EnvironmentConfig>>;
  readonly releases: Readonly<Record<string, ReleaseFile>>;
  /** The name of the revision a service's template makes now: a canary's stable revision. */
  readonly templateRevision: (environment: string, service: string) => string;
  /** Commit, workflow run and time, recorded with the change. */
  readonly provenance: Omit<Provenance, "verb" | "from">;
}

/**
 * A verb's result: one environment's new release file, with a line per change (and a line per
 * service it found already as asked: `unchanged`); or the problems. With no change, nothing is
 * written.
 */
export type Outcome =
  | {
      readonly ok: true;
      readonly environment: string;
      readonly release: ReleaseFile;
      readonly changes: string[];
      readonly unchanged?: string[];
    }
  | { readonly ok: false; readonly problems: string[] };

const DIGEST_SUFFIX = /@(sha256:[a-f0-9]{64})$/;

/** The first 12 hex digits of a digest: enough to tell releases apart in a table. */
export function shortDigest(digest: string): string {
  return digest.replace(/^sha256:/, "").slice(0, 12);
}

/** A digest and, when there is one, a model version, for a change line: `3b1f4b4c2f0e + sentiment/x`. */
function shown(digest: string | undefined, model: string | undefined): string {
  if (digest === undefined) return "(none)";
  return model === undefined ? shortDigest(digest) : `${shortDigest(digest)} + ${model}`;
}

/** Problems found while checking a command; every one is reported, and nothing is written. */
class Refusals {
  readonly list: string[] = [];
  add(problem: string): void {
    this.list.push(problem);
  }
  get any(): boolean {
    return this.list.length > 0;
  }
}

/** The environments' configurations, for the promotion order. */
function configsOf(world: World): EnvironmentConfig[] {
  return Object.values(world.configs);
}

function environment(world: World, name: string, what: string, r: Refusals): EnvironmentConfig | undefined {
  const config = own(world.configs, name);
  if (config === undefined) {
    r.add(`${what} ${JSON.stringify(name)} is not an environment: ${Object.keys(world.configs).sort().join(", ")}`);
  }
  return config;
}

/** True when `name` is a service, job or worker pool of the environment (`servicesOnly`: a service). */
function service(config: EnvironmentConfig | undefined, name: string, r: Refusals, servicesOnly = false): boolean {
  if (config === undefined) return false;
  if (own(config.services, name) !== undefined) return true;
  const other = trafficless(config, name);
  if (other !== undefined) {
    if (!servicesOnly) return true;
    r.add(
      `${name} is a ${other.kind} in environment ${config.name}: a ${other.kind} takes no traffic, so it has no canary`,
    );
    return false;
  }
  r.add(
    `service ${JSON.stringify(name)} is not in environment ${config.name}: ${(servicesOnly ? Object.keys(config.services) : releasables(config)).join(", ")}`,
  );
  return false;
}

/** A model version for a service that has a model. */
function checkModel(config: EnvironmentConfig, key: string, model: string, r: Refusals): boolean {
  if (own(config.services, key) === undefined) {
    const kind = trafficless(config, key)?.kind ?? "job";
    r.add(
      `${key} is a ${kind} in environment ${config.name}: a ${kind} serves no model (a service's model names its bucket)`,
    );
    return false;
  }
  if (own(config.services, key)!.model === undefined) {
    r.add(`${key} has no model in environment ${config.name}'s configuration (services.${key}.model)`);
    return false;
  }
  const problem = modelVersion(model);
  if (problem !== undefined) r.add(`--model ${JSON.stringify(model)} ${problem}`);
  return problem === undefined;
}

/** The digest of an image reference that must be this service's image in this environment's repository. */
function digestOfImage(config: EnvironmentConfig, key: string, image: string, r: Refusals): string | undefined {
  const m = DIGEST_SUFFIX.exec(image);
  const expected = `${repositoryUrl(config)}/${imageName(config, key)}`;
  if (!m || !isDigestPinned(image)) {
    r.add(`image ${JSON.stringify(image)} must be pinned by a full digest: ${expected}@sha256:<64 lowercase hex>`);
    return undefined;
  }
  if (image.slice(0, m.index) !== expected) {
    r.add(
      `image ${JSON.stringify(image)} is not ${key}'s image in ${config.name}'s repository: ${expected}@${m[1]} (promotion copies images between repositories by digest)`,
    );
    return undefined;
  }
  return m[1];
}

/**
 * Refuses a digest (and a model version) for an environment past the first stage unless the
 * stage before has run it.
 */
function checkRanBefore(
  world: World,
  config: EnvironmentConfig,
  key: string,
  digest: string,
  r: Refusals,
  model?: string,
): void {
  const before = previousStage(config.stage, configsOf(world));
  if (before === undefined) return;
  const earlier = Object.values(world.configs)
    .filter((c) => c.stage === before)
    .map((c) => own(own(world.releases, c.name)?.services, key));
  if (!earlier.some((e) => (e?.ran ?? []).includes(digest))) {
    r.add(
      `${shortDigest(digest)} has not served ${key} at the ${before} stage; ${config.name} (${config.stage}) runs only what the stage before ran`,
    );
  }
  if (model !== undefined && !earlier.some((e) => (e?.modelsRan ?? []).includes(model))) {
    r.add(
      `model ${model} has not served ${key} at the ${before} stage; ${config.name} (${config.stage}) serves only what the stage before served`,
    );
  }
}

/**
 * What the environments of the next stage name of a service (what serves, canaries, their
 * history): the history of `config` keeps them past MAX_HISTORY, since synth checks that they
 * served here (history.ts).
 */
function servedNext(world: World, config: EnvironmentConfig, key: string): Kept {
  const configs = configsOf(world);
  const next = configs.filter((c) => previousStage(c.stage, configs) === config.stage);
  const all = next.map((c) => named(own(own(world.releases, c.name)?.services, key)));
  return { digests: new Set(all.flatMap((a) => a.digests)), models: new Set(all.flatMap((a) => a.models)) };
}

interface Kept {
  readonly digests: ReadonlySet<string>;
  readonly models: ReadonlySet<string>;
}

/** A history with `entry` first: the newest MAX_HISTORY entries, and any older one `keep` holds. */
function withRan(ran: readonly string[], entry: string, keep: ReadonlySet<string>): string[] {
  const all = [entry, ...ran.filter((d) => d !== entry)];
  return [...all.slice(0, MAX_HISTORY), ...all.slice(MAX_HISTORY).filter((d) => keep.has(d))];
}

function changed(world: World, env: string, key: string, next: ServiceRelease, change: string): Outcome & { ok: true } {
  const release = own(world.releases, env) ?? { services: {} };
  return {
    ok: true,
    environment: env,
    release: { services: { ...release.services, [key]: withDecisions(next, own(release.services, key)) } },
    changes: [change],
  };
}

/** A service's next release keeps the decisions its current one records: the audit trail. */
function withDecisions(next: ServiceRelease, current: ServiceRelease | undefined): ServiceRelease {
  return next.decisions === undefined && current?.decisions !== undefined
    ? { ...next, decisions: current.decisions }
    : next;
}

/**
 * `pin ENV SERVICE [IMAGE@sha256:…] [--model VERSION]`: a built image, a trained model version, or
 * both, enter the first stage.
 */
export function pin(world: World, env: string, key: string, image: string | undefined, model?: string): Outcome {
  const r = new Refusals();
  const config = environment(world, env, "environment", r);
  if (!service(config, key, r) || !config) return { ok: false, problems: r.list };
  if (image === undefined && model === undefined) r.add("pin takes an image, a --model version, or both");
  const first = firstStage(configsOf(world));
  if (config.stage !== first) {
    r.add(
      `pin enters a built image or a trained model at the ${first} stage; ${env} is ${config.stage}: promote to it instead`,
    );
  }
  const current = own(own(world.releases, env)?.services, key);
  if (inFlight(current)) r.add(`${key} in ${env} has a canary in flight: complete or roll it back first`);
  const digest = image === undefined ? current?.digest : digestOfImage(config, key, image, r);
  if (image === undefined && current === undefined) {
    r.add(`${key} has no image released in ${env} to serve the model with: pin an image too`);
  }
  if (model !== undefined) checkModel(config, key, model, r);
  if (r.any || digest === undefined) return { ok: false, problems: r.list };
  const nextModel = model ?? current?.model;
  const kept = servedNext(world, config, key);
  return changed(
    world,
    env,
    key,
    {
      digest,
      ...(nextModel === undefined ? {} : { model: nextModel }),
      ran: image === undefined ? (current?.ran ?? []) : withRan(current?.ran ?? [], digest, kept.digests),
      ...modelsRanAfter(current, model, kept.models),
      provenance: { verb: "pin", ...world.provenance },
    },
    `${env} ${key}: ${shown(current?.digest, current?.model)} → ${shown(digest, nextModel)}`,
  );
}

/** The model history after `model` serves all traffic (unchanged when it is undefined). */
function modelsRanAfter(
  current: ServiceRelease | undefined,
  model: string | undefined,
  keep: ReadonlySet<string>,
): { modelsRan?: string[] } {
  const ran = model === undefined ? current?.modelsRan : withRan(current?.modelsRan ?? [], model, keep);
  return ran === undefined ? {} : { modelsRan: [...ran] };
}

/**
 * `promote FROM TO [SERVICE…]`: the same digests, from one stage to a later one, never skipping
 * one: what reaches a stage has served at the stage before.
 */
export function promote(world: World, from: string, to: string, services: readonly string[]): Outcome {
  const r = new Refusals();
  const source = environment(world, from, "from", r);
  const target = environment(world, to, "to", r);
  if (!source || !target) return { ok: false, problems: r.list };
  if (!laterStage(target.stage, source.stage)) {
    r.add(
      `promotion goes to a later stage: ${from} is ${source.stage}, ${to} is ${target.stage} (${STAGES.join(" → ")})`,
    );
  }
  const sourceRelease = own(world.releases, from) ?? { services: {} };
  const flying = Object.entries(sourceRelease.services).filter(([, s]) => inFlight(s));
  if (flying.length > 0) {
    r.add(`${from} has a canary in flight (${flying.map(([k]) => k).join(", ")}): complete or roll it back first`);
  }
  const keys =
    services.length > 0
      ? [...services]
      : releasables(target).filter((k) => own(sourceRelease.services, k) !== undefined);
  if (keys.length === 0) r.add(`${from} has no release of any service of ${to} to promote`);
  const targetRelease = own(world.releases, to) ?? { services: {} };
  let next: ReleaseFile = targetRelease;
  const changes: string[] = [];
  const unchanged: string[] = [];
  for (const key of keys) {
    if (!service(source, key, r) || !service(target, key, r)) continue;
    const released = own(sourceRelease.services, key);
    if (released === undefined) {
      r.add(`${key} has no release in ${from} to promote`);
      continue;
    }
    const current = own(targetRelease.services, key);
    if (inFlight(current)) r.add(`${key} in ${to} has a canary in flight: complete or roll it back first`);
    if (
      current !== undefined &&
      current.canary === undefined &&
      current.digest === released.digest &&
      current.model === released.model
    ) {
      unchanged.push(`${to} ${key} already runs ${shown(released.digest, released.model)}, as ${from} does`);
      continue;
    }
    if (
      current?.canary !== undefined &&
      !inFlight(current) &&
      current.canary.digest === released.digest &&
      (current.canary.model ?? current.model) === released.model
    ) {
      // Rolled back here: straight to all traffic would skip the judgement the rollback made.
      r.add(
        `${shortDigest(released.digest)} was rolled back as ${key}'s canary in ${to}: canary it again (--from ${from}) to retry it, or promote another digest`,
      );
    }
    // No stage is skipped: the digest must have served at the stage just before the target's.
    checkRanBefore(world, target, key, released.digest, r, released.model);
    if (released.model !== undefined && own(target.services, key)?.model === undefined) {
      r.add(`${key} serves model ${released.model} in ${from}, but has no model in ${to}'s configuration`);
    }
    const kept = servedNext(world, target, key);
    next = {
      services: {
        ...next.services,
        [key]: {
          digest: released.digest,
          ...(released.model === undefined ? {} : { model: released.model }),
          ran: withRan(current?.ran ?? [], released.digest, kept.digests),
          ...modelsRanAfter(current, released.model, kept.models),
          ...(current?.decisions === undefined ? {} : { decisions: current.decisions }),
          provenance: { verb: "promote", from, ...world.provenance },
        },
      },
    };
    changes.push(
      `${to} ${key}: ${shown(current?.digest, current?.model)} → ${shown(released.digest, released.model)} (from ${from})`,
    );
  }
  if (r.any) return { ok: false, problems: r.list };
  return { ok: true, environment: to, release: next, changes, unchanged };
}

/**
 * Where a canary's image and model come from: a reference in the environment's repository (and,
 * optionally, a model version; otherwise the model that serves), or another environment (its
 * image and model).
 */
export type CanarySource = { readonly image: string; readonly model?: string } | { readonly from: string };

/**
 * `canary ENV SERVICE --percent N (--image IMAGE [--model VERSION] | --from ENV)`: a second
 * revision takes N%. `asked` is the percent as a number, or as typed on the command line. An
 * image and model that served before (backing a release out) are canaried with `--image` and
 * `--model`; past the first stage, both must have served at the stage before.
 */
export function canary(world: World, env: string, key: string, asked: number | string, source: CanarySource): Outcome {
  const r = new Refusals();
  const config = environment(world, env, "environment", r);
  const percent = typeof asked === "number" ? asked : /^[0-9]+$/.test(asked) ? Number(asked) : Number.NaN;
  if (!Number.isInteger(percent) || percent < 1 || percent > 99) {
    r.add(`--percent must be a whole number from 1 to 99; got ${asked}`);
  }
  if (!service(config, key, r, true) || !config) return { ok: false, problems: r.list };
  const current = own(own(world.releases, env)?.services, key);
  if (current === undefined) {
    const first =
      config.stage === "development" ? "pin or promote one first" : "its first release there is a promotion";
    r.add(`${key} has no release in ${env} to split traffic from: ${first}`);
  }
  if (inFlight(current)) r.add(`${key} in ${env} already has a canary in flight: complete or roll it back first`);
  let digest: string | undefined;
  let model = current?.model;
  let from: string | undefined;
  if ("image" in source) {
    digest = digestOfImage(config, key, source.image, r);
    if (source.model !== undefined && checkModel(config, key, source.model, r)) model = source.model;
    if (digest !== undefined) checkRanBefore(world, config, key, digest, r, source.model);
  } else {
    from = source.from;
    const other = environment(world, source.from, "--from", r);
    if (other && service(other, key, r)) {
      if (!laterStage(config.stage, other.stage)) {
        r.add(`--from must be an earlier stage: ${other.name} is ${other.stage}, ${env} is ${config.stage}`);
      }
      const theirs = own(own(world.releases, other.name)?.services, key);
      if (theirs === undefined) r.add(`${key} has no release in ${other.name}`);
      else if (inFlight(theirs))
        r.add(`${key} in ${other.name} has a canary in flight: complete or roll it back first`);
      else {
        digest = theirs.digest;
        model = theirs.model ?? model;
        checkRanBefore(world, config, key, digest, r, theirs.model);
      }
    }
  }
  if (digest !== undefined && current !== undefined && digest === current.digest && model === current.model) {
    r.add(`${shown(digest, model)} already serves ${key} in ${env}: a canary needs a different image or model`);
  }
  if (r.any || digest === undefined || current === undefined) return { ok: false, problems: r.list };
  // The revision that serves the rest: after a rollback, the one traffic went back to; otherwise
  // the one the template makes now, which has served everything until this canary.
  const stableRevision = current.canary?.stableRevision ?? world.templateRevision(env, key);
  const next: Canary = {
    digest,
    ...(model !== current.model && model !== undefined ? { model } : {}),
    percent,
    stableRevision,
    since: world.provenance.time,
  };
  return changed(
    world,
    env,
    key,
    { ...current, canary: next, provenance: { verb: "canary", ...(from ? { from } : {}), ...world.provenance } },
    `${env} ${key}: canary ${shown(digest, model)} takes ${percent}%, ${stableRevision} (${shown(current.digest, current.model)}) keeps ${100 - percent}%`,
  );
}

/** `complete ENV SERVICE`: the canary becomes the release, with all traffic. */
export function complete(world: World, env: string, key: string): Outcome {
  const r = new Refusals();
  const config = environment(world, env, "environment", r);
  if (!service(config, key, r)) return { ok: false, problems: r.list };
  const current = own(own(world.releases, env)?.services, key);
  if (!inFlight(current) || current?.canary === undefined) {
    return { ok: false, problems: [`${key} in ${env} has no canary in flight to complete`] };
  }
  if (current.canary.drill !== undefined) {
    return {
      ok: false,
      problems: [`${key}'s canary in ${env} is a drill, with a fault switched on: roll it back, never complete it`],
    };
  }
  const digest = current.canary.digest;
  const kept = servedNext(world, config!, key);
  const model = current.canary.model ?? current.model;
  return changed(
    world,
    env,
    key,
    {
      digest,
      ...(model === undefined ? {} : { model }),
      ran: withRan(current.ran, digest, kept.digests),
      ...modelsRanAfter(current, model, kept.models),
      provenance: { verb: "complete", ...world.provenance },
    },
    `${env} ${key}: ${shown(digest, model)} serves 100% (was ${shown(current.digest, current.model)})`,
  );
}

/** `rollback ENV SERVICE`: the canary's traffic goes back to the stable revision; the template stays. */
export function rollback(world: World, env: string, key: string): Outcome {
  const r = new Refusals();
  const config = environment(world, env, "environment", r);
  if (!service(config, key, r)) return { ok: false, problems: r.list };
  const current = own(own(world.releases, env)?.services, key);
  if (!inFlight(current) || current?.canary === undefined) {
    return { ok: false, problems: [`${key} in ${env} has no canary in flight to roll back`] };
  }
  return changed(
    world,
    env,
    key,
    { ...current, canary: { ...current.canary, percent: 0 }, provenance: { verb: "rollback", ...world.provenance } },
    `${env} ${key}: 100% back to ${current.canary.stableRevision} (${shortDigest(current.digest)}); canary ${shortDigest(current.canary.digest)} keeps its tag with no traffic`,
  );
}

/**
 * `retire ENV SERVICE`: the service's entry leaves the environment's release file, the first step
 * of removing a service (or job). Past the first stage the stack then leaves it out (not
 * deployed), and in development it runs the placeholder, until the configuration drops it.
 * Environments are retired from the last stage back, so that every later stage's release still
 * has its history at the stage before; the configuration is changed last (docs/releasing.md).
 */
export function retire(world: World, env: string, key: string): Outcome {
  const r = new Refusals();
  const config = environment(world, env, "environment", r);
  if (!service(config, key, r) || !config) return { ok: false, problems: r.list };
  const release = own(world.releases, env) ?? { services: {} };
  const current = own(release.services, key);
  if (current === undefined) return { ok: false, problems: [`${key} has no release in ${env} to retire`] };
  if (inFlight(current)) r.add(`${key} in ${env} has a canary in flight: complete or roll it back first`);
  const configs = configsOf(world);
  const later = configs.filter(
    (c) => previousStage(c.stage, configs) === config.stage && own(own(world.releases, c.name)?.services, key),
  );
  if (later.length > 0) {
    r.add(
      `${key} is still released in ${later.map((c) => c.name).join(", ")}, which runs what ${env} ran: retire it there first (from the last stage back)`,
    );
  }
  if (r.any) return { ok: false, problems: r.list };
  const services = Object.fromEntries(Object.entries(release.services).filter(([k]) => k !== key));
  const after =
    config.stage === firstStage(configs) ? "runs Google's placeholder" : "is left out of the stack (not deployed)";
  return {
    ok: true,
    environment: env,
    release: { services },
    changes: [
      `${env} ${key}: ${shown(current.digest, current.model)} → retired; it ${after} until the configuration drops it`,
    ],
  };
}

/**
 * `advance`, as `analyze --apply` carries it out: a traffic-only change, the canary's share
 * raised to `to` (a later step), the template unchanged. The step starts now.
 */
export function advance(world: World, env: string, key: string, to: number): Outcome {
  const r = new Refusals();
  const config = environment(world, env, "environment", r);
  if (!service(config, key, r, true)) return { ok: false, problems: r.list };
  const current = own(own(world.releases, env)?.services, key);
  if (!inFlight(current) || current?.canary === undefined) {
    return { ok: false, problems: [`${key} in ${env} has no canary in flight to advance`] };
  }
  if (!Number.isInteger(to) || to <= current.canary.percent || to > 99) {
    r.add(`a canary advances to a larger share, at most 99: ${current.canary.percent}% → ${to}%`);
  }
  if (current.canary.drill !== undefined) r.add(`${key}'s canary in ${env} is a drill: it never advances`);
  if (r.any) return { ok: false, problems: r.list };
  return changed(
    world,
    env,
    key,
    {
      ...current,
      canary: { ...current.canary, percent: to, since: world.provenance.time },
      provenance: { verb: "advance", ...world.provenance },
    },
    `${env} ${key}: canary ${shown(current.canary.digest, current.canary.model ?? current.model)} ${current.canary.percent}% → ${to}%, ${current.canary.stableRevision} keeps ${100 - to}%`,
  );
}

/** The default share of a drill's canary requests that fail. */
export const DRILL_ERROR_RATE = 0.5;

/**
 * `drill ENV SERVICE [--error-rate R]`: rehearses the fallback. The canary runs what serves (the
 * same digest and model) with a fault switched on, `R` of its requests answered with 5xx, at the
 * rollout's first step; the analysis must detect it and roll it back. Preproduction only, on a
 * service whose rollout is analyzed, with no canary in flight. `steps` and `enabled` are the
 * service's rollout.
 */
export function drill(
  world: World,
  env: string,
  key: string,
  rollout: { readonly enabled: boolean; readonly steps: readonly number[]; readonly maxErrorRatio: number },
  errorRate: number | string = DRILL_ERROR_RATE,
): Outcome {
  const r = new Refusals();
  const config = environment(world, env, "environment", r);
  if (!service(config, key, r, true) || !config) return { ok: false, problems: r.list };
  const rate =
    typeof errorRate === "number" ? errorRate : /^(0?\.[0-9]+|1(\.0+)?)$/.test(errorRate) ? Number(errorRate) : NaN;
  if (!(rate > 0 && rate <= 1))
    r.add(`--error-rate must be a share of requests from more than 0 to 1; got ${errorRate}`);
  else if (rate <= rollout.maxErrorRatio) {
    r.add(
      `--error-rate ${errorRate} is within ${key}'s maxErrorRatio (${rollout.maxErrorRatio}) in ${env}: the analysis could not tell the fault from a healthy canary; drill with more`,
    );
  }
  if (config.stage === "production")
    r.add(`a drill never runs in production: ${env} is production; drill a preproduction environment`);
  else if (config.stage !== "preproduction") {
    r.add(`a drill runs in preproduction, where a rollout is analyzed as in production; ${env} is ${config.stage}`);
  }
  if (!rollout.enabled)
    r.add(`${key}'s rollout is off in ${env} (services.${key}.rollout.enabled): nothing would judge the drill`);
  const current = own(own(world.releases, env)?.services, key);
  if (current === undefined) r.add(`${key} has no release in ${env} to drill`);
  if (inFlight(current)) r.add(`${key} in ${env} has a canary in flight: complete or roll it back first`);
  if (r.any || current === undefined) return { ok: false, problems: r.list };
  const percent = rollout.steps[0];
  // After a rollback the template is the rolled-back canary's: what serves is its stable revision.
  const stableRevision = current.canary?.stableRevision ?? world.templateRevision(env, key);
  return changed(
    world,
    env,
    key,
    {
      ...current,
      canary: {
        digest: current.digest,
        percent,
        stableRevision,
        since: world.provenance.time,
        drill: { errorRate: rate },
      },
      provenance: { verb: "drill", ...world.provenance },
    },
    `${env} ${key}: drill: canary ${shown(current.digest, current.model)} with ${Math.round(rate * 100)}% of requests failing takes ${percent}%, ${stableRevision} keeps ${100 - percent}%; the analysis must roll it back`,
  );
}

/** The release with `record` first in a service's decisions (the newest MAX_DECISIONS kept). */
export function recordDecision(release: ReleaseFile, key: string, record: DecisionRecord): ReleaseFile {
  const current = own(release.services, key)!;
  return {
    services: {
      ...release.services,
      [key]: { ...current, decisions: [record, ...(current.decisions ?? [])].slice(0, MAX_DECISIONS) },
    },
  };
}
