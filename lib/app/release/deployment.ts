import { own } from "../../gcp/validation";
import type { TrafficTarget } from "../../constructs/cloud-run-service";
import type { EnvironmentConfig, ServiceConfig } from "../config";
import { modelVariable, repositoryUrl, trafficless } from "../config/props";
import { DRILL_VARIABLE } from "../config/rollout";
import {
  EMPTY_RELEASE,
  ReleaseError,
  ReleaseFile,
  ServiceRelease,
  asRelease,
  releasables,
  releaseProblems,
} from "./model";

/*
 * What an environment's stack deploys, read from its release file: which digest and model each
 * service and job runs, its canary's traffic, what a service with no release runs instead, and
 * which services are not deployed yet. The stacks read release state only through this module;
 * the verbs (verbs.ts) write it.
 */

/** The public image a service with no release runs, in development only. Google's sample. */
export const PLACEHOLDER_IMAGE = "us-docker.pkg.dev/cloudrun/container/hello";

/** The public image a job with no release runs, in development only: Google's sample job. */
export const JOB_PLACEHOLDER_IMAGE = "us-docker.pkg.dev/cloudrun/container/job";

/**
 * The public image a worker pool with no release runs, in development only: Google's sample
 * worker pool (as in the provider's worker pool examples).
 */
export const WORKER_POOL_PLACEHOLDER_IMAGE = "us-docker.pkg.dev/cloudrun/container/worker-pool";

/**
 * An environment's release (its file's contents, or undefined when it has none yet), checked
 * against its configuration; throws `ReleaseError` with every problem.
 */
export function parseRelease(config: EnvironmentConfig, raw: unknown): ReleaseFile {
  const problems = raw === undefined ? [] : releaseProblems(raw, config);
  if (problems.length > 0) throw new ReleaseError(config.name, problems);
  return raw === undefined ? EMPTY_RELEASE : asRelease(raw);
}

/**
 * The services an environment declares but does not deploy yet: past the development stage, those
 * with no release there. Production never runs a placeholder, so such a service is left out of the
 * stack (its account, grants and outputs too) until a promotion releases it. Refusing to
 * synthesize instead would fail the pull request that adds a service (no image is built before it
 * merges) and could never start a new environment (its images are copied into a repository that
 * only its first apply creates). A service that loses its release by a hand edit shows in the
 * plan as a destroy, which deletion protection (required from preproduction on) stops.
 */
export function notDeployed(config: EnvironmentConfig, release: ReleaseFile): string[] {
  if (config.stage === "development") return [];
  return releasables(config)
    .filter((key) => own(release.services, key) === undefined)
    .sort();
}

/** The digest a service not deployed yet is checked with: what it will be, but for the digest. */
const STAND_IN_DIGEST = `sha256:${"0".repeat(64)}`;

/**
 * The release with every service released: those {@link notDeployed} get a stand-in digest. A
 * stack built with it is what the environment will be once everything is promoted; synthesis
 * checks the policy pack on it, so a finding on a new service shows in the pull request that
 * adds it, not in a later release's.
 */
export function releasedEverywhere(config: EnvironmentConfig, release: ReleaseFile): ReleaseFile {
  const standIn = { digest: STAND_IN_DIGEST, ran: [STAND_IN_DIGEST], provenance: { verb: "pin", time: "" } };
  return {
    services: {
      ...release.services,
      ...Object.fromEntries(notDeployed(config, release).map((key) => [key, standIn])),
    },
  };
}

/**
 * What release state decides, so the parity check leaves it to `npm run release -- status`: each
 * service's image, its revision name, its traffic and its model variable, and each job's image.
 */
export function releaseManaged(config: EnvironmentConfig): string[] {
  const variables = [
    ...new Set(
      Object.values(config.services)
        .filter((s): s is ServiceConfig & Required<Pick<ServiceConfig, "model">> => s.model !== undefined)
        .map((s) => modelVariable(s.model)),
    ),
  ].sort();
  return [
    "google_cloud_run_v2_service.*.template.containers[*].image",
    "google_cloud_run_v2_service.*.template.revision",
    "google_cloud_run_v2_service.*.traffic",
    ...variables.map((v) => `google_cloud_run_v2_service.*.template.containers[*].env[${v}]`),
    `google_cloud_run_v2_service.*.template.containers[*].env[${DRILL_VARIABLE}]`,
    "google_cloud_run_v2_job.*.template.template.containers[*].image",
    "google_cloud_run_v2_worker_pool.*.template.containers[*].image",
  ];
}

/** The image a service or job runs in an environment, for a digest. */
export function imageOf(config: EnvironmentConfig, key: string, digest: string): string {
  return `${repositoryUrl(config)}/${imageName(config, key)}@${digest}`;
}

/** The image name of a service, job or worker pool of an environment. */
export function imageName(config: EnvironmentConfig, key: string): string {
  return own(config.services, key)?.image ?? trafficless(config, key)!.image;
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

/** The model version a service's template serves: the canary's while there is one. */
export function templateModel(release: ServiceRelease): string | undefined {
  return release.canary === undefined ? release.model : (release.canary.model ?? release.model);
}

/** The environment variable that tells a service which model version to load, when it has one. */
export function modelEnv(
  config: EnvironmentConfig,
  key: string,
  released: ServiceRelease | undefined,
): Record<string, string> {
  const model = own(config.services, key)!.model;
  const version = released === undefined ? undefined : templateModel(released);
  if (model === undefined || version === undefined) return {};
  return { [modelVariable(model)]: `${model.mountPath.replace(/\/+$/, "")}/${version}` };
}

/** The drill's variable for a service's template: set only while its canary is a drill. */
export function drillEnv(released: ServiceRelease | undefined): Record<string, string> {
  const drill = released?.canary?.drill;
  return drill === undefined ? {} : { [DRILL_VARIABLE]: String(drill.errorRate) };
}

/** The fields of a service that belong to its own image, which Google's placeholder does not serve. */
const IMAGE_OWN_FIELDS = [
  "command",
  "args",
  "workingDir",
  "http2",
  "startupProbe",
  "livenessProbe",
  "sidecars",
  "startAfter",
  "containerName",
] as const;

/**
 * A service's props for Google's placeholder image, which serves HTTP/1 on PORT: the settings
 * that belong to the service's own image (its command, gRPC, probes, sidecars and their start
 * order) would keep the placeholder's revision from ever becoming ready, so they wait for the
 * first release. Everything else (account, scaling, network, volumes, env) is the service's.
 */
export function placeholderProps<T extends object>(props: T): T {
  const rest = { ...props } as Record<string, unknown>;
  for (const field of IMAGE_OWN_FIELDS) delete rest[field];
  return rest as T;
}
