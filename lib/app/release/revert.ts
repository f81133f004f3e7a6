import { own } from "../../gcp/validation";
import { serviceProps } from "../config";
import type { CliResult } from "../command-line";
import { LiveTarget, getService, sameTraffic, setTraffic } from "./cloud-run-api";
import { trafficOf } from "./deployment";
import { load, templateRevisions } from "./workspace";

/*
 * `revert-traffic ENV SERVICE`: a rollback that does not wait for a person. Once the release
 * file says a canary is rolled back (its percent 0, written by `rollback` or `analyze --apply`),
 * this sets the live service's traffic to exactly what the environment's stack will write when
 * that change is applied: 100% to the stable revision, 0% to the canary, both tags kept. The
 * canary workflow runs it at once after a rollback decision, as the rollback identity
 * (canary-guard); the pull request that records the rollback then plans no traffic change.
 *
 * It can only ever take traffic away from a canary: it refuses unless the file's canary is rolled
 * back, and unless the live service's traffic names only the stable and the canary revisions (a
 * service changed by anything else is left alone, for a person and the drift check).
 */

const REVISION = "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION";

function describe(traffic: readonly LiveTarget[]): string {
  return traffic.length === 0
    ? "(none)"
    : traffic
        .map(
          (t) =>
            `${t.percent}% ${t.revision ?? (t.type.endsWith("LATEST") ? "latest" : "?")}${t.tag ? ` (${t.tag})` : ""}`,
        )
        .join(", ");
}

export async function revertTraffic(env: string, key: string, dir: string): Promise<CliResult> {
  const refuse = (problem: string): CliResult => ({
    code: 1,
    stdout: "",
    stderr: `release revert-traffic refused; nothing was changed:\n  - ${problem}\n`,
  });
  const loaded = load(dir);
  if ("problems" in loaded) return { code: 1, stdout: "", stderr: `${loaded.problems.join("\n\n")}\n` };
  const config = own(loaded.configs, env);
  if (config === undefined)
    return refuse(`${JSON.stringify(env)} is not an environment: ${Object.keys(loaded.configs).sort().join(", ")}`);
  if (own(config.services, key) === undefined)
    return refuse(`${JSON.stringify(key)} is not a service of ${env}: ${Object.keys(config.services).join(", ")}`);
  const release = own(loaded.releases[env].services, key);
  if (release?.canary === undefined || release.canary.percent !== 0) {
    return refuse(
      `${key}'s release in ${env} has no rolled-back canary (${release?.canary ? `its canary takes ${release.canary.percent}%` : "no canary"}): revert-traffic only moves traffic back after a rollback is written`,
    );
  }
  const canaryRevision = templateRevisions(loaded.files.find((f) => f.name === env)!, loaded.releases[env])[key];
  const wanted: LiveTarget[] = trafficOf(release)!.map((t) => ({
    type: REVISION,
    revision: t.revision ?? canaryRevision,
    percent: t.percent,
    ...(t.tag === undefined ? {} : { tag: t.tag }),
  }));
  const name = { project: config.project, location: config.region, service: serviceProps(config, key).name };
  try {
    const live = await getService(name);
    const known = new Set([release.canary.stableRevision, canaryRevision]);
    const strangers = live.traffic.filter((t) => t.percent > 0 && (t.revision === undefined || !known.has(t.revision)));
    if (strangers.length > 0) {
      return refuse(
        `${name.service}'s live traffic (${describe(live.traffic)}) sends requests to a revision the release file does not name: it was changed by something else; leave it to a person and the deploy`,
      );
    }
    if (sameTraffic(live.traffic, wanted)) {
      return {
        code: 0,
        stdout: `${env} ${key}: live traffic is already ${describe(wanted)}; nothing to change\n`,
        stderr: "",
      };
    }
    // The service as checked above, written back with its etag: a change since is refused.
    await setTraffic(name, wanted, { read: live });
    return {
      code: 0,
      stdout: `${env} ${key}: live traffic ${describe(live.traffic)} → ${describe(wanted)} (Cloud Run API); the release file's pull request records it, and its plan changes no traffic\n`,
      stderr: "",
    };
  } catch (e) {
    return { code: 1, stdout: "", stderr: `release revert-traffic: ${(e as Error).message.split("\n")[0]}\n` };
  }
}
