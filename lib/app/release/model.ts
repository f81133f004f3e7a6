import { own } from "../../gcp/validation";
import { z } from "zod";
import { imageDigest } from "../../gcp/images";
import { revisionOf } from "../../gcp/run";
import { Problem, Problems, describeProblems, intRange } from "../../gcp/validation";
import type { EnvironmentConfig } from "../config";

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
  readonly provenance: Provenance;
}

/** One environment's release file. */
export interface ReleaseFile {
  readonly services: Readonly<Record<string, ServiceRelease>>;
}

export const EMPTY_RELEASE: ReleaseFile = { services: {} };

/** How many served digests a service remembers: what a later stage may be promoted from. */
export const MAX_HISTORY = 20;

const digest = z.string();
const schema = z.strictObject({
  services: z.record(
    z.string(),
    z.strictObject({
      digest,
      model: z.string().optional(),
      canary: z
        .strictObject({ digest, model: z.string().optional(), percent: z.number(), stableRevision: z.string() })
        .optional(),
      ran: z.array(digest),
      modelsRan: z.array(z.string()).optional(),
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
    const job = own(config.jobs, key);
    if (service === undefined && job === undefined) {
      p.add(at, key, `is not a service or job of environment ${config.name}: ${releasables(config).join(", ")}`);
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
      p.add(`${at}.canary`, release.canary, "a job takes no traffic: it has no canary");
    } else if (release.canary && service !== undefined) {
      p.check(`${at}.canary.model`, release.canary.model, modelVersion);
      p.check(`${at}.canary.digest`, release.canary.digest, imageDigest);
      p.check(
        `${at}.canary.percent`,
        release.canary.percent,
        intRange(0, 99, "must be a whole number from 1 to 99 (0 once rolled back)"),
      );
      p.check(`${at}.canary.stableRevision`, release.canary.stableRevision, revisionOf(service.name ?? key));
    }
  }
  return [...p.list];
}

/** The keys a release file may name: the environment's services and jobs. */
export function releasables(config: EnvironmentConfig): string[] {
  return [...Object.keys(config.services), ...Object.keys(config.jobs ?? {})];
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
