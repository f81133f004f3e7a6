import { own } from "../../gcp/validation";
import { EnvironmentConfig } from "../config";
import { bucketProps, trafficless } from "../config/props";
import { promotionOrder } from "../promotion";
import { describeRollout, rolloutOf } from "../config/rollout";
import { codeCell, escapeCell, renderTable } from "../table";
import type { CliResult } from "../command-line";
import { imageOf } from "./deployment";
import { inFlight, releasables } from "./model";
import { shortDigest } from "./verbs";
import { Loaded, templateRevisions } from "./workspace";

/*
 * What the release verbs that only read print: `status` (environment × service, in promotion
 * order) and `images` / `models` (what a promotion copies).
 */

/**
 * `images FROM TO [SERVICE…]`: for each service or job a promotion from FROM to TO would move, the
 * image in FROM's repository and the same digest in TO's, on one line: what the release workflow
 * copies (gcrane cp) before it promotes. `models …`: the same for model versions, the versioned
 * prefix in FROM's model bucket and in TO's (gcloud storage cp -r).
 */
export function copies(
  loaded: Loaded,
  verb: "images" | "models",
  from: string,
  to: string,
  services: readonly string[],
): CliResult {
  const source = own(loaded.configs, from);
  const target = own(loaded.configs, to);
  const problems: string[] = [];
  if (source === undefined) problems.push(`from ${JSON.stringify(from)} is not an environment`);
  if (target === undefined) problems.push(`to ${JSON.stringify(to)} is not an environment`);
  if (source === undefined || target === undefined) return { code: 1, stdout: "", stderr: `${problems.join("\n")}\n` };
  const released = own(loaded.releases, from)!.services;
  const keys = services.length > 0 ? services : releasables(target).filter((k) => own(released, k) !== undefined);
  const both = (c: EnvironmentConfig, k: string) => releasables(c).includes(k);
  const lines: string[] = [];
  for (const key of keys) {
    const r = own(released, key);
    if (r === undefined || !both(source, key) || !both(target, key)) {
      problems.push(`${key}: no release in ${from}, or not a service or job of both environments`);
      continue;
    }
    if (verb === "images") lines.push(`${imageOf(source, key, r.digest)} ${imageOf(target, key, r.digest)}`);
    else if (r.model !== undefined && own(target.services, key)?.model !== undefined) {
      lines.push(`${modelUri(source, key, r.model)} ${modelUri(target, key, r.model)}`);
    }
  }
  if (problems.length > 0) return { code: 1, stdout: "", stderr: `${problems.join("\n")}\n` };
  // Nothing to copy is not a failure (a promotion would say so), but it is said.
  const none =
    lines.length === 0
      ? `nothing to copy: ${from} has no release of ${verb === "images" ? "an image" : "a model"} of ${to}\n`
      : "";
  return { code: 0, stdout: lines.map((l) => `${l}\n`).join(""), stderr: none };
}

/** A model version's prefix in an environment's model bucket: `gs://BUCKET/VERSION/`. */
function modelUri(config: EnvironmentConfig, key: string, version: string): string {
  return `gs://${bucketProps(config, own(config.services, key)!.model!.bucket).name}/${version}/`;
}

/** How long a canary has been at its step: `, since 2026-12-06T18:00:00.000Z (42 min)`. */
function stepTime(since: string, now: Date): string {
  const minutes = Math.floor((now.getTime() - Date.parse(since)) / 60_000);
  return Number.isNaN(minutes) ? "" : `, since ${since} (${Math.max(0, minutes)} min)`;
}

/** `status`: environment × service, in promotion order. */
export function renderStatus(loaded: Loaded, markdown: boolean, now: Date = new Date()): string {
  const header = [
    "environment",
    "stage",
    "service",
    "serving",
    "model",
    "revision",
    "traffic",
    "canary",
    "rollout",
    "last decision",
    "last change",
  ];
  const rows: string[][] = [];
  const ordered = promotionOrder(Object.values(loaded.configs));
  for (const file of ordered.map((c) => loaded.files.find((f) => f.name === c.name)!)) {
    const config = loaded.configs[file.name];
    const release = loaded.releases[file.name];
    const revisions = templateRevisions(file, release);
    for (const key of releasables(config).sort()) {
      const r = own(release.services, key);
      const isJob = own(config.services, key) === undefined;
      const template = isJob
        ? r === undefined && config.stage !== "development"
          ? undefined
          : "-"
        : own(revisions, key);
      // A service with no release runs the placeholder in development; later, it is not deployed.
      let serving = template === undefined ? "(not deployed)" : "(placeholder)";
      let revision = template ?? "-";
      let traffic = template === undefined || isJob ? "-" : `100% ${template}`;
      let canaryCell = "-";
      let model = own(config.services, key)?.model === undefined ? "-" : "(image's own)";
      if (r !== undefined) {
        serving = shortDigest(r.digest);
        if (r.model !== undefined) model = r.model;
        if (r.canary !== undefined) {
          revision = r.canary.stableRevision;
          traffic = inFlight(r)
            ? `${100 - r.canary.percent}% stable ${r.canary.stableRevision} / ${r.canary.percent}% canary ${template}`
            : `100% stable ${r.canary.stableRevision} (canary rolled back)`;
          canaryCell = `${shortDigest(r.canary.digest)}${r.canary.model === undefined ? "" : ` + ${r.canary.model}`} ${r.canary.percent}%${inFlight(r) ? "" : " (rolled back)"}${r.canary.drill ? " (drill)" : ""}`;
          if (inFlight(r)) canaryCell += stepTime(r.canary.since ?? r.provenance.time, now);
        }
      }
      const rolloutCell = isJob ? "-" : describeRollout(rolloutOf(config, key));
      const decision = r?.decisions?.[0];
      const decisionCell =
        decision === undefined
          ? "-"
          : `${decision.decision}${decision.to === undefined ? "" : ` to ${decision.to}%`} at ${decision.percent}%${decision.drill ? ` (drill, ${decision.drill.detected ? `detected in ${decision.drill.minutes} min` : "NOT detected"})` : ""} ${decision.time}`;
      const last = r
        ? `${r.provenance.verb}${r.provenance.from ? ` from ${r.provenance.from}` : ""} ${r.provenance.time}`
        : "-";
      rows.push([
        file.name,
        config.stage,
        isJob ? `${key} (${trafficless(config, key)?.kind ?? "job"})` : key,
        serving,
        model,
        revision,
        traffic,
        canaryCell,
        rolloutCell,
        decisionCell,
        last,
      ]);
    }
  }
  if (markdown) {
    const code = new Set(["serving", "model", "revision", "canary"]);
    const format = (cell: string, column: number) => (code.has(header[column]) ? codeCell(cell) : escapeCell(cell));
    return `## Releases\n\n${renderTable(header, rows, { markdown: true, format })}`;
  }
  return renderTable(header, rows);
}
