import { Problem, own } from "../../gcp/validation";
import type { EnvironmentConfig } from "../config";
import { previousStage } from "../promotion";
import { ReleaseError, ReleaseFile, ServiceRelease } from "./model";

/*
 * "A digest reaches a stage only after the stage before ran it", as a property of the release
 * files themselves, not only of the command that writes them: checked wherever release files are
 * read (synth, and so CI and npm test; every release command), so a hand-edited file with a digest
 * the stage before never ran, forged provenance and all, is refused like an invalid configuration.
 *
 * What an environment's release names (each service's digest and model, a canary's, and its own
 * history) must be in the history (`ran`, `modelsRan`) of an environment of the stage before. The
 * verbs keep that history: it is cut at MAX_HISTORY entries, but never drops what the next stage
 * names.
 */

/**
 * The digests and model versions an environment's release of a service names: what serves, a
 * canary's (rolled back too: its template still runs it, at 0% behind its tag), and the history
 * of what served there. Each must have served at the stage before.
 */
export function named(release: ServiceRelease | undefined): { digests: string[]; models: string[] } {
  if (release === undefined) return { digests: [], models: [] };
  const digests = [release.digest, ...release.ran];
  const models = [...(release.model === undefined ? [] : [release.model]), ...(release.modelsRan ?? [])];
  if (release.canary !== undefined) {
    digests.push(release.canary.digest);
    const model = release.canary.model ?? release.model;
    if (model !== undefined) models.push(model);
  }
  return { digests, models };
}

/**
 * Every environment's release problems of this kind, by environment: the path into its release
 * file (`services.predict.digest`), the value, and the rule.
 */
export function historyProblems(
  configs: readonly EnvironmentConfig[],
  releases: Readonly<Record<string, ReleaseFile>>,
): Map<string, Problem[]> {
  const found = new Map<string, Problem[]>();
  for (const config of configs) {
    const before = previousStage(config.stage, configs);
    const release = own(releases, config.name);
    if (before === undefined || release === undefined) continue;
    const earlier = configs.filter((c) => c.stage === before);
    const names = earlier.map((c) => c.name).join(", ");
    const problems: Problem[] = [];
    for (const [key, r] of Object.entries(release.services)) {
      const theirs = earlier.map((c) => own(own(releases, c.name)?.services, key));
      const ran = new Set(theirs.flatMap((t) => t?.ran ?? []));
      const modelsRan = new Set(theirs.flatMap((t) => t?.modelsRan ?? []));
      const rule = (what: string) =>
        `has not served ${key} at the ${before} stage (${names}): ${config.name} (${config.stage}) ${what} only what the stage before did; npm run release -- promote moves it, and git checkout restores a hand-edited file`;
      const check = (path: string, value: string | undefined, history: Set<string>, what: string) => {
        if (value !== undefined && !history.has(value)) problems.push({ path, value, allowed: rule(what) });
      };
      check(`services.${key}.digest`, r.digest, ran, "runs");
      check(`services.${key}.model`, r.model, modelsRan, "serves");
      if (r.canary !== undefined) {
        check(`services.${key}.canary.digest`, r.canary.digest, ran, "runs");
        check(`services.${key}.canary.model`, r.canary.model, modelsRan, "serves");
      }
      // The history too: a digest written into it by hand would otherwise vouch for the next stage.
      r.ran.forEach((d, i) => check(`services.${key}.ran[${i}]`, d, ran, "runs"));
      (r.modelsRan ?? []).forEach((m, i) => check(`services.${key}.modelsRan[${i}]`, m, modelsRan, "serves"));
    }
    if (problems.length > 0) found.set(config.name, problems);
  }
  return found;
}

/**
 * {@link historyProblems} as the messages synth and the release commands print: one block per
 * environment's release file, in the order of `files`.
 */
export function historyMessages(
  files: readonly { readonly name: string; readonly releaseFile?: string }[],
  configs: readonly EnvironmentConfig[],
  releases: Readonly<Record<string, ReleaseFile>>,
): string[] {
  const history = historyProblems(configs, releases);
  return files.flatMap((file) => {
    const problems = history.get(file.name);
    if (problems === undefined) return [];
    return [`${file.releaseFile ?? `the release of ${file.name}`}: ${new ReleaseError(file.name, problems).message}`];
  });
}
