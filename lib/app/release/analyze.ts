import { own } from "../../gcp/validation";
import { serviceProps } from "../config";
import { trafficless } from "../config/props";
import { Rollout, describeRollout, rolloutOf } from "../config/rollout";
import { identityProviderVariable } from "../identities";
import { renderTable } from "../table";
import { Decision, decide, ratioOf } from "./analysis";
import type { GoogleApiError } from "./google-api";
import { LiveTarget, ServiceName, sameTraffic } from "./cloud-run-api";
import type { MetricsQuery, RevisionMetrics } from "./metrics";
import { DecisionRecord, RevisionEvidence, ServiceRelease, inFlight } from "./model";
import { shortDigest } from "./verbs";
import { Loaded, templateRevisions } from "./workspace";

/*
 * `analyze ENV SERVICE`: the canary's and the stable revision's metrics over the canary's current
 * step, read from Cloud Monitoring, judged by the service's rollout protocol (analysis.ts). This
 * module gathers the input and shapes the output; the decision is analysis.ts's, the metrics
 * client metrics.ts's, and carrying a decision out is the verbs' (cli.ts, under the lock).
 */

/** Reads the metrics of some revisions: metrics.ts's client, or a stand-in in a test of this module alone. */
export type MetricsReader = (query: MetricsQuery) => Promise<Record<string, RevisionMetrics>>;

/** Reads a service's live traffic and when it last changed: cloud-run-api.ts's client, or a stand-in. */
export type LiveReader = (
  name: ServiceName,
) => Promise<{ readonly traffic: readonly LiveTarget[]; readonly updateTime?: string }>;

/** How far ahead of this machine's clock a recorded time may be (another machine's clock). */
const CLOCK_SKEW_MS = 5 * 60_000;

/** Minutes as the output and the records show them: to a tenth. */
const roundMinutes = (minutes: number) => Math.round(minutes * 10) / 10;

function describeLive(traffic: readonly { revision?: string; percent?: number }[]): string {
  return traffic.length === 0 ? "none" : traffic.map((t) => `${t.percent ?? 0}% ${t.revision ?? "latest"}`).join(", ");
}

/** Everything one analysis found: the input, the decision, and how it is recorded. */
export interface Analysis {
  readonly environment: string;
  readonly service: string;
  /** The Cloud Run service's name, its project and region. */
  readonly target: { readonly project: string; readonly location: string; readonly name: string };
  readonly rollout: Rollout;
  readonly canaryDigest: string;
  readonly percent: number;
  /** The step's start as the release file states it (the window starts then, or at the deploy). */
  readonly since: string;
  readonly window: { readonly start: string; readonly end: string; readonly minutes: number };
  readonly evidence: { readonly canary: RevisionEvidence; readonly stable: RevisionEvidence };
  readonly decision: Decision;
  /** For a drill: whether the analysis detected its fault, and after how many minutes. */
  readonly drill?: { readonly errorRate: number; readonly detected: boolean; readonly minutes: number };
  /** Why the metrics could not be read, when they could not. */
  readonly unreadable?: string;
  /** Why the step could not be judged at all (its traffic not live, or not readable). */
  readonly waiting?: string;
}

/** The canary of a service in flight in an environment, or the reason there is none to analyze. */
export function canaryInFlight(
  loaded: Loaded,
  env: string,
  key: string,
): { release: ServiceRelease; problems?: undefined } | { problems: string[] } {
  const config = own(loaded.configs, env);
  if (config === undefined) {
    return {
      problems: [
        `environment ${JSON.stringify(env)} is not an environment: ${Object.keys(loaded.configs).sort().join(", ")}`,
      ],
    };
  }
  if (own(config.services, key) === undefined) {
    const other = trafficless(config, key);
    return {
      problems: [
        other !== undefined
          ? `${key} is a ${other.kind} in environment ${env}: a ${other.kind} takes no traffic, so it has no canary`
          : `service ${JSON.stringify(key)} is not in environment ${env}: ${Object.keys(config.services).join(", ")}`,
      ],
    };
  }
  const release = own(own(loaded.releases, env)?.services, key);
  if (!inFlight(release) || release?.canary === undefined) {
    return { problems: [`${key} in ${env} has no canary in flight to analyze`] };
  }
  return { release };
}

/**
 * Analyzes the canary of `key` in `env` at `now`: reads the metrics of the step's minutes and
 * decides. A metrics read that fails is a hold with the API's message, never an exception.
 */
export async function analyzeCanary(
  loaded: Loaded,
  env: string,
  key: string,
  now: Date,
  read: MetricsReader,
  readLive: LiveReader,
  templateRevision?: (environment: string, service: string) => string,
): Promise<Analysis | { problems: string[] }> {
  const found = canaryInFlight(loaded, env, key);
  if (found.problems !== undefined) return { problems: found.problems };
  const config = loaded.configs[env];
  const release = found.release;
  const canary = release.canary!;
  const rollout = rolloutOf(config, key);
  const canaryRevision =
    templateRevision?.(env, key) ??
    templateRevisions(loaded.files.find((f) => f.name === env)!, loaded.releases[env])[key];
  const stableRevision = canary.stableRevision;
  if (canaryRevision === stableRevision) {
    // Their metrics could not be told apart: judging them would compare the stable revision with itself.
    return {
      problems: [
        `${key}'s canary in ${env} runs the stable revision's template (${stableRevision}): there is no second revision to judge`,
      ],
    };
  }
  const stated = canary.since ?? release.provenance.time;
  const since = new Date(stated);
  if (Number.isNaN(since.getTime()) || since.getTime() > now.getTime() + CLOCK_SKEW_MS) {
    return {
      problems: [
        `services.${key}.canary.since of ${env}'s release file (${stated}) is not a time before now (${now.toISOString()}): a step cannot be judged from the future; fix the file (git log -p shows what wrote it)`,
      ],
    };
  }
  const target = { project: config.project, location: config.region, name: serviceProps(config, key).name };

  // The traffic that serves must be the file's: an advance not deployed yet (its pull request
  // waits for review), or a service changed by something else, would be judged on minutes of
  // another split. The step's minutes start when the service last changed, if that is later.
  let waiting: string | undefined;
  let start = since.getTime() > now.getTime() ? now : since;
  try {
    const live = await readLive({ project: target.project, location: target.location, service: target.name });
    const wanted = [
      { revision: stableRevision, percent: 100 - canary.percent },
      { revision: canaryRevision, percent: canary.percent },
    ];
    const serving = live.traffic.filter((t) => (t.percent ?? 0) > 0);
    // Shares by revision: the tags (stable, canary) are the stack's, not what is judged.
    if (!sameTraffic(serving, wanted, false)) {
      waiting = `the live traffic (${describeLive(serving)}) is not the release file's (${describeLive(wanted)}): the change is not deployed yet, or something else changed the service; the step is judged once it serves as released`;
    }
    const updated = live.updateTime === undefined ? NaN : Date.parse(live.updateTime);
    if (!Number.isNaN(updated) && updated > start.getTime() && updated <= now.getTime()) start = new Date(updated);
  } catch (e) {
    waiting = `the live traffic could not be read: ${(e as GoogleApiError | Error).message.split("\n")[0]}`;
  }
  const minutes = (now.getTime() - start.getTime()) / 60_000;

  let metrics: Record<string, RevisionMetrics> = {};
  let unreadable: string | undefined;
  // No minute at this step yet (a canary set in this very minute): no data, nothing to ask.
  if (waiting === undefined && minutes > 0) {
    try {
      metrics = await read({
        project: target.project,
        location: target.location,
        service: target.name,
        revisions: [canaryRevision, stableRevision],
        start,
        end: now,
      });
    } catch (e) {
      unreadable = (e as GoogleApiError | Error).message.split("\n")[0];
    }
  }
  const evidenceOf = (revision: string): RevisionEvidence => {
    const m = own(metrics, revision) ?? { requests: 0, errors: 0 };
    const ratio = ratioOf(m.requests, m.errors);
    return {
      revision,
      requests: m.requests,
      errors: m.errors,
      // Four decimals (0.0898: 8.98%) keep the recorded evidence readable in a diff.
      ...(ratio === undefined ? {} : { errorRatio: Math.round(ratio * 10_000) / 10_000 }),
      ...(m.p99Ms === undefined ? {} : { p99Ms: m.p99Ms }),
    };
  };
  const evidence = { canary: evidenceOf(canaryRevision), stable: evidenceOf(stableRevision) };
  let decision = decide({ rollout, percent: canary.percent, minutes, ...evidence, unreadable, waiting });
  let drill: Analysis["drill"];
  if (canary.drill !== undefined) {
    const judged = roundMinutes(minutes);
    if (decision.decision === "rollback") {
      drill = { errorRate: canary.drill.errorRate, detected: true, minutes: judged };
      decision = { ...decision, reason: `drill detected after ${judged} minutes: ${decision.reason}` };
    } else if (decision.decision === "advance" || decision.decision === "complete") {
      // The fault went unseen: the protocol failed its drill. The faulty canary never advances.
      drill = { errorRate: canary.drill.errorRate, detected: false, minutes: judged };
      decision = {
        decision: "rollback",
        reason: `drill NOT detected: the analysis would have ${decision.decision === "advance" ? "advanced" : "completed"} a canary failing ${Math.round(canary.drill.errorRate * 100)}% of its requests (${decision.reason}); rolled back to end the drill: check that the server answers CANARY_DRILL_ERROR_RATE's share with 5xx and that the canary's revision is the one measured, then that the rollout's thresholds catch a fault this size`,
        breaches: [],
      };
    }
  }
  return {
    environment: env,
    service: key,
    target,
    rollout,
    canaryDigest: canary.digest,
    percent: canary.percent,
    since: stated,
    window: { start: start.toISOString(), end: now.toISOString(), minutes },
    evidence,
    decision,
    ...(drill === undefined ? {} : { drill }),
    ...(unreadable === undefined ? {} : { unreadable }),
    ...(waiting === undefined ? {} : { waiting }),
  };
}

/** The decision as the release file records it (hold is never recorded). */
export function decisionRecord(
  a: Analysis,
  provenance: { readonly commit?: string; readonly run?: string },
): DecisionRecord {
  const kind = a.decision.decision;
  if (kind === "hold") throw new Error("a hold is not recorded");
  return {
    decision: kind,
    reason: a.decision.reason,
    time: a.window.end,
    canary: a.canaryDigest,
    percent: a.percent,
    ...(a.decision.to === undefined ? {} : { to: a.decision.to }),
    window: { start: a.window.start, end: a.window.end },
    evidence: a.evidence,
    breaches: a.decision.breaches,
    thresholds: thresholdsOf(a.rollout),
    ...(a.drill === undefined ? {} : { drill: { detected: a.drill.detected, minutes: a.drill.minutes } }),
    ...provenance,
  };
}

/** The protocol a decision was made under, as the record keeps it. */
function thresholdsOf(r: Rollout): DecisionRecord["thresholds"] {
  const { enabled: _enabled, ...rest } = r;
  return { ...rest, steps: [...r.steps] };
}

const ratioText = (e: RevisionEvidence) => (e.errorRatio === undefined ? "-" : `${(e.errorRatio * 100).toFixed(2)}%`);
const p99Text = (e: RevisionEvidence) => (e.p99Ms === undefined ? "-" : `${Math.round(e.p99Ms)} ms`);

/** The evidence table: canary, stable and the thresholds, one row each. */
export function evidenceTable(a: Analysis, markdown = false): string {
  const r = a.rollout;
  // Metrics not read are unknown, not zero.
  const read = a.unreadable === undefined && a.waiting === undefined;
  const row = (who: string, e: RevisionEvidence, share: string) => [
    who,
    e.revision,
    share,
    read ? String(e.requests) : "?",
    read ? String(e.errors) : "?",
    read ? ratioText(e) : "?",
    read ? p99Text(e) : "?",
  ];
  return renderTable(
    ["", "revision", "traffic", "requests", "5xx", "5xx ratio", "p99"],
    [
      row("canary", a.evidence.canary, `${a.percent}%`),
      row("stable", a.evidence.stable, `${100 - a.percent}%`),
      [
        "limit",
        `${r.minRequestsPerStep} req, ${r.minutesPerStep} min a step`,
        [...r.steps.map((s) => `${s}%`), "complete"].join(" → "),
        `≥ ${r.minRequestsPerStep}`,
        "",
        `≤ ${(r.maxErrorRatio * 100).toFixed(2)}%, stable + ${(r.maxErrorRatioOverStable * 100).toFixed(2)} pts`,
        `≤ ${r.maxP99Ms} ms, ${r.maxP99OverStable}× stable`,
      ],
    ],
    { markdown },
  );
}

/** What `analyze` prints: the decision, its reason, the window and the evidence. */
export function renderAnalysis(a: Analysis, applied: string[] | undefined): string {
  const head = `${a.environment} ${a.service}: ${a.decision.decision.toUpperCase()}${a.decision.to === undefined ? "" : ` to ${a.decision.to}%`}${a.drill ? " (drill)" : ""}`;
  const lines = [
    head,
    `reason: ${a.decision.reason}`,
    `canary ${shortDigest(a.canaryDigest)} at ${a.percent}% for ${roundMinutes(a.window.minutes)} min (${a.window.start} → ${a.window.end}); rollout: ${describeRollout(a.rollout)}`,
    "",
    evidenceTable(a).trimEnd(),
    "",
  ];
  if (a.drill !== undefined) {
    const fault = `${Math.round(a.drill.errorRate * 100)}% of the canary's requests failing`;
    lines.push(
      a.drill.detected
        ? `drill: PASSED: the fault (${fault}) was detected and rolled back ${a.drill.minutes} minutes after the canary began`
        : `drill: FAILED: the fault (${fault}) went undetected for ${a.drill.minutes} minutes; rolled back to end the drill`,
      "",
    );
  }
  if (applied === undefined) {
    lines.push(
      a.decision.decision === "hold"
        ? "hold: nothing to carry out; the next analysis judges again"
        : "not applied: run again with --apply to carry it out and record it",
    );
  } else if (applied.length === 0) lines.push("hold: nothing was written");
  else lines.push(...applied, "recorded in the release file's decisions, with this evidence");
  return `${lines.join("\n")}\n`;
}

/** What `analyze --json` prints: one object. */
export function analysisJson(a: Analysis, applied: string[] | undefined): string {
  return `${JSON.stringify(
    {
      environment: a.environment,
      service: a.service,
      decision: a.decision.decision,
      reason: a.decision.reason,
      ...(a.decision.to === undefined ? {} : { to: a.decision.to }),
      breaches: a.decision.breaches,
      canary: { digest: a.canaryDigest, percent: a.percent },
      window: a.window,
      evidence: a.evidence,
      thresholds: a.rollout,
      ...(a.drill === undefined ? {} : { drill: a.drill }),
      ...(a.unreadable === undefined ? {} : { unreadable: a.unreadable }),
      applied: applied !== undefined && applied.length > 0,
      ...(applied === undefined ? {} : { changes: applied }),
    },
    null,
    2,
  )}\n`;
}

/** `in-flight`: the canaries in flight whose rollout is analyzed, for the canary workflow's matrix. */
export function canariesInFlight(loaded: Loaded): {
  environment: string;
  service: string;
  stage: string;
  project: string;
  providerVariable: string;
  drill: boolean;
}[] {
  const found = [];
  for (const config of Object.values(loaded.configs).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    for (const key of Object.keys(config.services).sort()) {
      const r = own(loaded.releases[config.name]?.services, key);
      if (!inFlight(r) || !rolloutOf(config, key).enabled) continue;
      found.push({
        environment: config.name,
        service: key,
        stage: config.stage,
        project: config.project,
        providerVariable: identityProviderVariable(config.name),
        drill: r!.canary!.drill !== undefined,
      });
    }
  }
  return found;
}

/** `drills`: the services a drill may start on now (preproduction, analyzed, released, no canary in flight). */
export function drillable(loaded: Loaded): { environment: string; service: string }[] {
  const found = [];
  for (const config of Object.values(loaded.configs).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (config.stage !== "preproduction") continue;
    for (const key of Object.keys(config.services).sort()) {
      const r = own(loaded.releases[config.name]?.services, key);
      if (r === undefined || inFlight(r) || !rolloutOf(config, key).enabled) continue;
      found.push({ environment: config.name, service: key });
    }
  }
  return found;
}
