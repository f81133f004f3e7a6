import { own } from "../../gcp/validation";
import { z } from "zod";
import { imageDigest } from "../../gcp/images";
import { revisionOf } from "../../gcp/run";
import { Problem, Problems, describeProblems, intRange } from "../../gcp/validation";
import type { EnvironmentConfig } from "../config";
import { Rollout, rolloutOf } from "../config/rollout";
import { trafficless } from "../config/props";

/*
 * Release state: which image runs where. One file per environment,
 * environments/releases/<env>.json, written only by `npm run release` and reviewed like code.
 * Terraform stays the only deployer: the environment's stack reads this file, so a release is a
 * pull request and the scheduled drift check still means "someone changed it outside git".
 */

/** Who changed a service's release, and how. */
export interface Provenance {
  /** The verb that wrote it: pin, promote, canary, complete, rollback. */
  readonly verb: string;
  /** The environment a promotion or a canary came from. */
  readonly from?: string;
  /** The commit the release command ran at (GITHUB_SHA in a workflow). */
  readonly commit?: string;
  /** The workflow run (its URL in GitHub Actions). */
  readonly run?: string;
  /** When, ISO 8601 in UTC. */
  readonly time: string;
}

/** A second revision taking a share of traffic: in flight (percent 1-99) or rolled back (0). */
export interface Canary {
  /** The canary image's digest: the template runs it. */
  readonly digest: string;
  /** The model version the canary serves, when it is not the release's. */
  readonly model?: string;
  /** Its share of requests; 0 once rolled back (the template stays, with no traffic). */
  readonly percent: number;
  /** The revision that serves the rest, by name: the one that served everything before. */
  readonly stableRevision: string;
  /**
   * When the canary took its current percent (ISO 8601, UTC): the start of the step `analyze`
   * judges. Absent in files written before steps were timed: the provenance's time stands in.
   */
  readonly since?: string;
  /**
   * A rollback drill: the canary serves the stable release with a fault switched on (a share of
   * its requests answered with 5xx), to rehearse detection and rollback. Never in production.
   */
  readonly drill?: { readonly errorRate: number };
}

/** The measurements one decision was made on, for one revision over the step's minutes. */
export interface RevisionEvidence {
  readonly revision: string;
  readonly requests: number;
  /** Responses with a 5xx code. */
  readonly errors: number;
  /** errors / requests; absent without requests. */
  readonly errorRatio?: number;
  /** The 99th percentile of request latency, in milliseconds; absent without data. */
  readonly p99Ms?: number;
}

/** What an analysis decided and why, with its evidence: the release file's audit trail. */
export interface DecisionRecord {
  readonly decision: "advance" | "complete" | "rollback";
  readonly reason: string;
  /** When it was decided (ISO 8601, UTC). */
  readonly time: string;
  /** The canary's digest and percent when it was judged; `to`, the percent an advance set. */
  readonly canary: string;
  readonly percent: number;
  readonly to?: number;
  /** The minutes judged: from the step's start to the decision. */
  readonly window: { readonly start: string; readonly end: string };
  readonly evidence: { readonly canary: RevisionEvidence; readonly stable: RevisionEvidence };
  /** Each threshold breached, with by how much (empty unless a rollback). */
  readonly breaches: readonly string[];
  /** The rollout protocol it was judged by (steps, minimums, thresholds, auto-rollback). */
  readonly thresholds?: Omit<Rollout, "enabled">;
  /** Set on a drill's decision: whether the fault was detected, and after how many minutes. */
  readonly drill?: { readonly detected: boolean; readonly minutes: number };
  /** The workflow run or commit that decided, as on provenance. */
  readonly run?: string;
  readonly commit?: string;
}

/** What one service (or job) runs in one environment. */
export interface ServiceRelease {
  /** The digest of the image that serves (all traffic, or all but the canary's). */
  readonly digest: string;
  /**
   * The model version the service serves: a versioned prefix in its model bucket, such as
   * `sentiment/train-sentiment-x7k2p` (what one training run wrote).
   */
  readonly model?: string;
  readonly canary?: Canary;
  /** Digests that have served all traffic here, newest first (at most {@link MAX_HISTORY}). */
  readonly ran: readonly string[];
  /** Model versions that have served all traffic here, newest first (at most {@link MAX_HISTORY}). */
  readonly modelsRan?: readonly string[];
  /** The decisions `analyze --apply` carried out here, newest first (at most {@link MAX_DECISIONS}). */
  readonly decisions?: readonly DecisionRecord[];
  readonly provenance: Provenance;
}

/** How many decisions a service's release keeps; git's history of the file keeps them all. */
export const MAX_DECISIONS = 10;

/** One environment's release file. */
export interface ReleaseFile {
  readonly services: Readonly<Record<string, ServiceRelease>>;
}

export const EMPTY_RELEASE: ReleaseFile = { services: {} };

/** How many served digests a service remembers: what a later stage may be promoted from. */
export const MAX_HISTORY = 20;

const digest = z.string();
const evidence = z.strictObject({
  revision: z.string(),
  requests: z.number(),
  errors: z.number(),
  errorRatio: z.number().optional(),
  p99Ms: z.number().optional(),
});
const decisionRecord = z.strictObject({
  decision: z.enum(["advance", "complete", "rollback"]),
  reason: z.string(),
  time: z.string(),
  canary: z.string(),
  percent: z.number(),
  to: z.number().optional(),
  window: z.strictObject({ start: z.string(), end: z.string() }),
  evidence: z.strictObject({ canary: evidence, stable: evidence }),
  breaches: z.array(z.string()),
  thresholds: z
    .strictObject({
      steps: z.array(z.number()),
      minutesPerStep: z.number(),
      minRequestsPerStep: z.number(),
      maxErrorRatio: z.number(),
      maxErrorRatioOverStable: z.number(),
      maxP99Ms: z.number(),
      maxP99OverStable: z.number(),
      autoRollback: z.boolean(),
    })
    .optional(),
  drill: z.strictObject({ detected: z.boolean(), minutes: z.number() }).optional(),
  run: z.string().optional(),
  commit: z.string().optional(),
});
const schema = z.strictObject({
  services: z.record(
    z.string(),
    z.strictObject({
      digest,
      model: z.string().optional(),
      canary: z
        .strictObject({
          digest,
          model: z.string().optional(),
          percent: z.number(),
          stableRevision: z.string(),
          since: z.string().optional(),
          drill: z.strictObject({ errorRate: z.number() }).optional(),
        })
        .optional(),
      ran: z.array(digest),
      modelsRan: z.array(z.string()).optional(),
      decisions: z.array(decisionRecord).max(MAX_DECISIONS).optional(),
      provenance: z.strictObject({
        verb: z.string(),
        from: z.string().optional(),
        commit: z.string().optional(),
        run: z.string().optional(),
        time: z.string(),
      }),
    }),
  ),
});

/** An environment's release file does not fit its configuration: every problem, with paths into the file. */
export class ReleaseError extends Error {
  override readonly name = "ReleaseError";

  constructor(
    readonly environment: string,
    readonly problems: readonly Problem[],
  ) {
    super(describeProblems(`the release of environment ${JSON.stringify(environment)}`, "field", problems));
  }
}

/** True while a canary takes traffic (a rolled-back one takes none). */
export function inFlight(release: ServiceRelease | undefined): boolean {
  return (release?.canary?.percent ?? 0) > 0;
}

/**
 * Checks a release file against its environment's configuration: the shape, every digest, the
 * canary's percent and stable revision, and that it names only services the environment has.
 * Returns every problem, with paths into the file (`services.predict.canary.percent`).
 */
export function releaseProblems(raw: unknown, config: EnvironmentConfig): Problem[] {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    return parsed.error.issues.map((i) => ({
      path: i.path.map(String).join(".") || "(root)",
      value: undefined,
      allowed: i.message,
    }));
  }
  const p = new Problems();
  for (const [key, release] of Object.entries(parsed.data.services)) {
    const at = `services.${key}`;
    const service = own(config.services, key);
    const job = trafficless(config, key);
    if (service === undefined && job === undefined) {
      p.add(
        at,
        key,
        `is not a service, job or worker pool of environment ${config.name}: ${releasables(config).join(", ")}`,
      );
      continue;
    }
    p.check(`${at}.digest`, release.digest, imageDigest);
    release.ran.forEach((d, i) => p.check(`${at}.ran[${i}]`, d, imageDigest));
    if (release.model !== undefined && service?.model === undefined) {
      p.add(`${at}.model`, release.model, `${key} has no model in environment ${config.name}'s configuration`);
    }
    p.check(`${at}.model`, release.model, modelVersion);
    (release.modelsRan ?? []).forEach((m, i) => p.check(`${at}.modelsRan[${i}]`, m, modelVersion));
    if (release.canary && job !== undefined) {
      p.add(`${at}.canary`, release.canary, `a ${job.kind} takes no traffic: it has no canary`);
    } else if (release.canary && service !== undefined) {
      p.check(`${at}.canary.model`, release.canary.model, modelVersion);
      p.check(`${at}.canary.digest`, release.canary.digest, imageDigest);
      p.check(
        `${at}.canary.percent`,
        release.canary.percent,
        intRange(0, 99, "must be a whole number from 1 to 99 (0 once rolled back)"),
      );
      p.check(`${at}.canary.stableRevision`, release.canary.stableRevision, revisionOf(service.name ?? key));
      p.check(`${at}.canary.since`, release.canary.since, isoTime);
      if (release.canary.drill !== undefined) {
        p.check(`${at}.canary.drill.errorRate`, release.canary.drill.errorRate, drillErrorRate);
        if (config.stage !== "preproduction") {
          p.add(
            `${at}.canary.drill`,
            release.canary.drill,
            `a drill runs in preproduction only (${config.name} is ${config.stage}): never in production, and in development nothing judges it`,
          );
        } else if (!rolloutOf(config, key).enabled) {
          p.add(
            `${at}.canary.drill`,
            release.canary.drill,
            `${key}'s rollout is off in ${config.name}: nothing would judge the drill`,
          );
        }
      }
    }
    (release.decisions ?? []).forEach((d, i) => p.check(`${at}.decisions[${i}].time`, d.time, isoTime));
  }
  return [...p.list];
}

/** A time as the release commands write it: ISO 8601 in UTC, to the millisecond. */
export const isoTime = (value: string): string | undefined => {
  // The one form the commands write (Date.toISOString): a time written otherwise, or one that
  // does not exist (February 30th, 24:00), would compare unequal to itself once parsed.
  const parsed = Date.parse(value);
  return !Number.isNaN(parsed) && new Date(parsed).toISOString() === value
    ? undefined
    : "must be a time in ISO 8601, UTC, to the millisecond, as the release commands write it: 2026-12-06T18:00:00.000Z";
};

/** A drill's share of failing requests: more than 0, at most 1. */
export const drillErrorRate = (value: number): string | undefined =>
  Number.isFinite(value) && value > 0 && value <= 1
    ? undefined
    : "must be a share of requests from more than 0 to 1 (0.5: half the canary's requests fail)";

/** The keys a release file may name: the environment's services, jobs and worker pools. */
export function releasables(config: EnvironmentConfig): string[] {
  return [...Object.keys(config.services), ...Object.keys(config.jobs ?? {}), ...Object.keys(config.workerPools ?? {})];
}

/**
 * A model version: a versioned prefix in the model bucket, `MODEL/VERSION` (what one training
 * run wrote, such as `sentiment/train-sentiment-x7k2p`), optionally deeper. Object-name characters
 * only, no `.` or `..` segments, no leading or trailing slash.
 */
export const modelVersion = (value: string): string | undefined =>
  /^[A-Za-z0-9_-][A-Za-z0-9._-]*(?:\/[A-Za-z0-9_-][A-Za-z0-9._-]*)+$/.test(value) && value.length <= 512
    ? undefined
    : 'must be a model version: a versioned prefix in the model bucket such as "sentiment/train-sentiment-x7k2p" (MODEL/VERSION, letters, digits, ".", "_" and "-")';

/** Parses a release file that {@link releaseProblems} found sound. */
export function asRelease(raw: unknown): ReleaseFile {
  return schema.parse(raw) as ReleaseFile;
}
