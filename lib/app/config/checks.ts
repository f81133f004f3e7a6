import { validateArtifactRepositoryProps } from "../../constructs/artifact-repository";
import { validateCloudRunServiceProps } from "../../constructs/cloud-run-service/validate";
import { imageName } from "../../gcp/images";
import { checkLabels, projectId, region } from "../../gcp/projects";
import { bucketName } from "../../gcp/storage";
import { githubId, githubRepository } from "../../gcp/workload-identity";
import { Problem, Problems, joinPath, pattern, reasonText } from "../../gcp/validation";
import { knownRule } from "../../policies/pack";
import { repositoryProps, repositoryUrl, serviceProps } from "./props";
import type { EnvironmentConfig } from "./types";

/** Environment name: part of stack ids, state prefixes and label values. */
const environmentName = pattern(
  /^[a-z][a-z0-9-]{0,19}$/,
  "must be 1-20 lowercase letters, digits and hyphens, starting with a letter",
);

/** Application name: part of state prefixes and label values. */
const appName = pattern(
  /^[a-z][a-z0-9-]{0,29}$/,
  "must be 1-30 lowercase letters, digits and hyphens, starting with a letter",
);

/**
 * Every problem of a configuration whose shape is right: each value against the constructs' own
 * constraints (with config paths), then what spans fields, then the guardrails of its stage.
 */
export function semanticProblems(config: EnvironmentConfig): Problem[] {
  const p = new Problems();
  p.check("name", config.name, environmentName);
  p.check("app", config.app, appName);
  p.check("project", config.project, projectId);
  p.check("region", config.region, region);
  p.check("stateBucket", config.stateBucket, bucketName);
  checkLabels(p, "labels", config.labels);

  // The repository and each service: the constructs' own rules, with config paths.
  const repo = repositoryProps(config);
  // project is reported at the top; a location taken from region is reported at region.
  const fromTop = (x: Problem) =>
    x.path === "project" || (x.path === "location" && config.repository.location === undefined);
  p.addAll(
    validateArtifactRepositoryProps(repo).filter((x) => !fromTop(x)),
    "repository",
  );
  const url = repositoryUrl(config);

  const ids = Object.keys(config.services);
  if (ids.length === 0) p.add("services", config.services, "must define at least one service");
  const names = new Map<string, string>();
  for (const id of ids) {
    const at = `services.${id}`;
    const svc = config.services[id];
    // The image is a name in the repository; its digest is release state. The service's props
    // are checked with a stand-in digest, so that every other constraint is.
    p.check(`${at}.image`, svc.image, imageName);
    const props = { ...serviceProps(config, id), image: `${url}/${svc.image}@sha256:${"0".repeat(64)}` };
    for (const problem of validateCloudRunServiceProps(props)) {
      if (problem.path === "project" || problem.path === "location") continue; // reported above
      if (problem.path === "image") continue; // reported at image, a name
      // A name taken from the id is reported at the id.
      const path = problem.path === "name" && svc.name === undefined ? "" : problem.path;
      p.add(joinPath(at, path === "" ? "" : path), problem.value, problem.allowed);
    }
    const other = names.get(props.name);
    if (other !== undefined) {
      p.add(
        `${at}${svc.name === undefined ? "" : ".name"}`,
        props.name,
        `is the same service name as services.${other}`,
      );
    }
    names.set(props.name, id);
  }

  p.check("github.repository", config.github.repository, githubRepository);
  p.check("github.repositoryId", config.github.repositoryId, githubId);
  p.check("github.ownerId", config.github.ownerId, githubId);

  for (const [path, reason] of Object.entries(config.differences ?? {})) {
    p.check(`differences.${path}`, path, (v) =>
      /^[a-z][a-z0-9_]*(\.[^.\s]+)+$/.test(v)
        ? undefined
        : "must be an attribute path such as google_cloud_run_v2_service.predict_service.template.scaling",
    );
    p.check(`differences.${path}`, reason, reasonText);
  }

  (config.acknowledgements ?? []).forEach((ack, i) => {
    const at = `acknowledgements[${i}]`;
    p.check(`${at}.rule`, ack.rule, knownRule());
    p.check(`${at}.reason`, ack.reason, reasonText);
    p.check(`${at}.service`, ack.service, (v) =>
      v in config.services ? undefined : `must be one of the services: ${Object.keys(config.services).join(", ")}`,
    );
  });

  if (config.stage !== "development") guardrailProblems(p, config);
  return [...p.list];
}

/**
 * The guardrails a preproduction or production environment may not relax; the minimum instance
 * is production's only (it only costs money).
 */
function guardrailProblems(p: Problems, config: EnvironmentConfig): void {
  const why = `stage "${config.stage}" requires it`;
  if (config.deletionProtection === false) p.add("deletionProtection", false, `must be true: ${why}`);
  if (config.repository.immutableTags === false) p.add("repository.immutableTags", false, `must be true: ${why}`);
  for (const [id, svc] of Object.entries(config.services)) {
    const at = `services.${id}`;
    if (svc.deletionProtection === false) p.add(`${at}.deletionProtection`, false, `must be true: ${why}`);
    if (config.stage === "production" && (svc.minInstances ?? 0) < 1) {
      p.add(`${at}.minInstances`, svc.minInstances, `must be at least 1: ${why} (no cold starts for users)`);
    }
    if (svc.maxInstances === undefined) {
      p.add(`${at}.maxInstances`, undefined, `must be set explicitly: ${why} (a deliberate cost ceiling)`);
    }
  }
}
