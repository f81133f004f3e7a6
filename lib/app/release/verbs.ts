import { isDigestPinned } from "../../gcp/images";
import { STAGES, Stage } from "../../policies/rule";
import type { TrafficTarget } from "../../constructs/cloud-run-service";
import { EnvironmentConfig, repositoryUrl } from "../config";
import { Canary, MAX_HISTORY, Provenance, ReleaseFile, ServiceRelease, inFlight, previousStage } from "./model";

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

/** A verb's result: one environment's new release file, with a line per change; or the problems. */
export type Outcome =
  | { readonly ok: true; readonly environment: string; readonly release: ReleaseFile; readonly changes: string[] }
  | { readonly ok: false; readonly problems: string[] };

const DIGEST_SUFFIX = /@(sha256:[a-f0-9]{64})$/;

/** The first 12 hex digits of a digest: enough to tell releases apart in a table. */
export function shortDigest(digest: string): string {
  return digest.replace(/^sha256:/, "").slice(0, 12);
}

/** The image a service runs in an environment, for a digest. */
export function imageOf(config: EnvironmentConfig, service: string, digest: string): string {
  return `${repositoryUrl(config)}/${config.services[service].image}@${digest}`;
}

/**
 * The traffic targets of a service's release: none (100% to the template's revision) without a
 * canary; the stable revision and the canary side by side while one runs; all to the stable
 * revision once it is rolled back, the canary keeping its tag (and URL) with no traffic.
 */
export function trafficOf(release: ServiceRelease | undefined): TrafficTarget[] | undefined {
  const canary = release?.canary;
  if (canary === undefined) return undefined;
  return [
    { revision: canary.stableRevision, percent: 100 - canary.percent, tag: "stable" },
    { percent: canary.percent, tag: "canary" },
  ];
}

/** The digest a service's template runs: the canary's while there is one. */
export function templateDigest(release: ServiceRelease): string {
  return release.canary?.digest ?? release.digest;
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

function stageIndex(stage: Stage): number {
  return STAGES.indexOf(stage);
}

function usedStages(world: World): Stage[] {
  return [...new Set(Object.values(world.configs).map((c) => c.stage))];
}

function environment(world: World, name: string, what: string, r: Refusals): EnvironmentConfig | undefined {
  const config = world.configs[name];
  if (config === undefined) {
    r.add(`${what} ${JSON.stringify(name)} is not an environment: ${Object.keys(world.configs).sort().join(", ")}`);
  }
  return config;
}

function service(config: EnvironmentConfig | undefined, name: string, r: Refusals): boolean {
  if (config === undefined) return false;
  if (config.services[name] === undefined) {
    r.add(
      `service ${JSON.stringify(name)} is not in environment ${config.name}: ${Object.keys(config.services).join(", ")}`,
    );
    return false;
  }
  return true;
}

/** The digest of an image reference that must be this service's image in this environment's repository. */
function digestOfImage(config: EnvironmentConfig, key: string, image: string, r: Refusals): string | undefined {
  const m = DIGEST_SUFFIX.exec(image);
  const expected = `${repositoryUrl(config)}/${config.services[key].image}`;
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

/** Refuses a digest for an environment past the first stage unless the stage before has run it. */
function checkRanBefore(world: World, config: EnvironmentConfig, key: string, digest: string, r: Refusals): void {
  const before = previousStage(config.stage, usedStages(world));
  if (before === undefined) return;
  const ranThere = Object.values(world.configs)
    .filter((c) => c.stage === before)
    .some((c) => (world.releases[c.name]?.services[key]?.ran ?? []).includes(digest));
  if (!ranThere) {
    r.add(
      `${shortDigest(digest)} has not served ${key} at the ${before} stage; ${config.name} (${config.stage}) runs only what the stage before ran`,
    );
  }
}

function withRan(ran: readonly string[], digest: string): string[] {
  return [digest, ...ran.filter((d) => d !== digest)].slice(0, MAX_HISTORY);
}

function changed(world: World, env: string, key: string, next: ServiceRelease, change: string): Outcome & { ok: true } {
  const release = world.releases[env] ?? { services: {} };
  return {
    ok: true,
    environment: env,
    release: { services: { ...release.services, [key]: next } },
    changes: [change],
  };
}

/** `pin ENV SERVICE IMAGE@sha256:…`: a built image enters the first stage. */
export function pin(world: World, env: string, key: string, image: string): Outcome {
  const r = new Refusals();
  const config = environment(world, env, "environment", r);
  if (!service(config, key, r) || !config) return { ok: false, problems: r.list };
  const first = STAGES.find((s) => usedStages(world).includes(s));
  if (config.stage !== first) {
    r.add(`pin enters a built image at the ${first} stage; ${env} is ${config.stage}: promote the image to it instead`);
  }
  const current = world.releases[env]?.services[key];
  if (inFlight(current)) r.add(`${key} in ${env} has a canary in flight: complete or roll it back first`);
  const digest = digestOfImage(config, key, image, r);
  if (r.any || digest === undefined) return { ok: false, problems: r.list };
  return changed(
    world,
    env,
    key,
    {
      digest,
      ran: withRan(current?.ran ?? [], digest),
      provenance: { verb: "pin", ...world.provenance },
    },
    `${env} ${key}: ${current ? shortDigest(current.digest) : "(none)"} → ${shortDigest(digest)}`,
  );
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
  if (stageIndex(target.stage) <= stageIndex(source.stage)) {
    r.add(
      `promotion goes to a later stage: ${from} is ${source.stage}, ${to} is ${target.stage} (${STAGES.join(" → ")})`,
    );
  }
  const sourceRelease = world.releases[from] ?? { services: {} };
  const flying = Object.entries(sourceRelease.services).filter(([, s]) => inFlight(s));
  if (flying.length > 0) {
    r.add(`${from} has a canary in flight (${flying.map(([k]) => k).join(", ")}): complete or roll it back first`);
  }
  const keys =
    services.length > 0
      ? [...services]
      : Object.keys(target.services).filter((k) => sourceRelease.services[k] !== undefined);
  if (keys.length === 0) r.add(`${from} has no release of any service of ${to} to promote`);
  const targetRelease = world.releases[to] ?? { services: {} };
  let next: ReleaseFile = targetRelease;
  const changes: string[] = [];
  for (const key of keys) {
    if (!service(source, key, r) || !service(target, key, r)) continue;
    const released = sourceRelease.services[key];
    if (released === undefined) {
      r.add(`${key} has no release in ${from} to promote`);
      continue;
    }
    const current = targetRelease.services[key];
    if (inFlight(current)) r.add(`${key} in ${to} has a canary in flight: complete or roll it back first`);
    if (current?.canary !== undefined && !inFlight(current) && current.canary.digest === released.digest) {
      // Rolled back here: straight to all traffic would skip the judgement the rollback made.
      r.add(
        `${shortDigest(released.digest)} was rolled back as ${key}'s canary in ${to}: canary it again (--from ${from}) to retry it, or promote another digest`,
      );
    }
    // No stage is skipped: the digest must have served at the stage just before the target's.
    checkRanBefore(world, target, key, released.digest, r);
    next = {
      services: {
        ...next.services,
        [key]: {
          digest: released.digest,
          ran: withRan(current?.ran ?? [], released.digest),
          provenance: { verb: "promote", from, ...world.provenance },
        },
      },
    };
    changes.push(
      `${to} ${key}: ${current ? shortDigest(current.digest) : "(none)"} → ${shortDigest(released.digest)} (from ${from})`,
    );
  }
  if (r.any) return { ok: false, problems: r.list };
  return { ok: true, environment: to, release: next, changes };
}

/** Where a canary's image comes from: a reference in the environment's repository, or another environment. */
export type CanarySource = { readonly image: string } | { readonly from: string };

/**
 * `canary ENV SERVICE --percent N (--image IMAGE | --from ENV)`: a second revision takes N%.
 * `asked` is the percent as a number, or as typed on the command line.
 */
export function canary(world: World, env: string, key: string, asked: number | string, source: CanarySource): Outcome {
  const r = new Refusals();
  const config = environment(world, env, "environment", r);
  const percent = typeof asked === "number" ? asked : /^[0-9]+$/.test(asked) ? Number(asked) : Number.NaN;
  if (!Number.isInteger(percent) || percent < 1 || percent > 99) {
    r.add(`--percent must be a whole number from 1 to 99; got ${asked}`);
  }
  if (!service(config, key, r) || !config) return { ok: false, problems: r.list };
  const current = world.releases[env]?.services[key];
  if (current === undefined) {
    const first =
      config.stage === "development" ? "pin or promote one first" : "its first release there is a promotion";
    r.add(`${key} has no release in ${env} to split traffic from: ${first}`);
  }
  if (inFlight(current)) r.add(`${key} in ${env} already has a canary in flight: complete or roll it back first`);
  let digest: string | undefined;
  let from: string | undefined;
  if ("image" in source) {
    digest = digestOfImage(config, key, source.image, r);
    if (digest !== undefined) checkRanBefore(world, config, key, digest, r);
  } else {
    from = source.from;
    const other = environment(world, source.from, "--from", r);
    if (other && service(other, key, r)) {
      if (stageIndex(other.stage) >= stageIndex(config.stage)) {
        r.add(`--from must be an earlier stage: ${other.name} is ${other.stage}, ${env} is ${config.stage}`);
      }
      const theirs = world.releases[other.name]?.services[key];
      if (theirs === undefined) r.add(`${key} has no release in ${other.name}`);
      else if (inFlight(theirs))
        r.add(`${key} in ${other.name} has a canary in flight: complete or roll it back first`);
      else {
        digest = theirs.digest;
        checkRanBefore(world, config, key, digest, r);
      }
    }
  }
  if (digest !== undefined && current !== undefined && digest === current.digest) {
    r.add(`${shortDigest(digest)} already serves ${key} in ${env}: a canary needs a different image`);
  }
  if (r.any || digest === undefined || current === undefined) return { ok: false, problems: r.list };
  // The revision that serves the rest: after a rollback, the one traffic went back to; otherwise
  // the one the template makes now, which has served everything until this canary.
  const stableRevision = current.canary?.stableRevision ?? world.templateRevision(env, key);
  const next: Canary = { digest, percent, stableRevision };
  return changed(
    world,
    env,
    key,
    { ...current, canary: next, provenance: { verb: "canary", ...(from ? { from } : {}), ...world.provenance } },
    `${env} ${key}: canary ${shortDigest(digest)} takes ${percent}%, ${stableRevision} (${shortDigest(current.digest)}) keeps ${100 - percent}%`,
  );
}

/** `complete ENV SERVICE`: the canary becomes the release, with all traffic. */
export function complete(world: World, env: string, key: string): Outcome {
  const r = new Refusals();
  const config = environment(world, env, "environment", r);
  if (!service(config, key, r)) return { ok: false, problems: r.list };
  const current = world.releases[env]?.services[key];
  if (!inFlight(current) || current?.canary === undefined) {
    return { ok: false, problems: [`${key} in ${env} has no canary in flight to complete`] };
  }
  const digest = current.canary.digest;
  return changed(
    world,
    env,
    key,
    { digest, ran: withRan(current.ran, digest), provenance: { verb: "complete", ...world.provenance } },
    `${env} ${key}: ${shortDigest(digest)} serves 100% (was ${shortDigest(current.digest)})`,
  );
}

/** `rollback ENV SERVICE`: the canary's traffic goes back to the stable revision; the template stays. */
export function rollback(world: World, env: string, key: string): Outcome {
  const r = new Refusals();
  const config = environment(world, env, "environment", r);
  if (!service(config, key, r)) return { ok: false, problems: r.list };
  const current = world.releases[env]?.services[key];
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
