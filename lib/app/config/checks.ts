import { validateArtifactRepositoryProps } from "../../constructs/artifact-repository";
import { validateCloudRunJobProps } from "../../constructs/cloud-run-job/validate";
import { validateCloudRunWorkerPoolProps } from "../../constructs/cloud-run-worker-pool/validate";
import { DEFAULTS } from "../../constructs/cloud-run-service/props";
import { validateCloudRunServiceProps } from "../../constructs/cloud-run-service/validate";
import { Probe, httpPathOf } from "../../constructs/workload";
import { validateModelBucketProps } from "../../constructs/model-bucket";
import { validateServiceMonitoringProps } from "../../constructs/monitoring/service-monitoring";
import { emailAddress, notificationChannelId } from "../../gcp/monitoring";
import { envName } from "../../gcp/run";
import {
  eventTriggerServiceAccountId,
  jobServiceAccountId,
  runtimeServiceAccountId,
  schedulerServiceAccountId,
  workerPoolServiceAccountId,
} from "../../gcp/iam";
import { checkEventTrigger } from "../../constructs/cloud-run-service/events";
import { imageName } from "../../gcp/images";
import { checkLabels, projectId, region } from "../../gcp/projects";
import { bucketName } from "../../gcp/storage";
import { githubId, githubRepository } from "../../gcp/workload-identity";
import { Problem, Problems, hasOwn, joinPath, pattern, reasonText } from "../../gcp/validation";
import { knownRule } from "../../policies/pack";
import { DRILL_VARIABLE, checkRollouts } from "./rollout";
import {
  anythingMonitored,
  bucketNames,
  bucketProps,
  isBucketVolume,
  trafficless,
  workerPoolProps,
  jobProps,
  modelVariable,
  monitored,
  repositoryProps,
  repositoryUrl,
  serviceProps,
} from "./props";
import { cloudRunRegion } from "./regions";
import type { EnvironmentConfig, VolumeConfig } from "./types";

/** The digest construct props are checked with: configuration names an image, releases its digest. */
const STAND_IN = `@sha256:${"0".repeat(64)}`;

/** Environment name: part of stack ids, state prefixes and label values. */
const environmentName = pattern(
  /^[a-z][a-z0-9-]{0,19}$/,
  "must be 1-20 lowercase letters, digits and hyphens, starting with a letter",
);

/**
 * The ids an environment's stack gives its own constructs. A service's or job's key is its
 * construct id beside them (and a bucket's is `bucket-<key>`), so a key equal to one would make
 * synthesis fail with "There is already a Construct with name …"; `constructor` would be read as
 * every object's own. Outputs (`<key>_url`) have underscores, which keys cannot. A test builds a
 * stack and holds this list to what it creates.
 */
export const RESERVED_KEYS: readonly string[] = [
  "alert-channels",
  "apis",
  "backend",
  "dashboard",
  "google",
  "parity",
  "policy-acknowledgements",
  "policy-final-check",
  "project",
  "repository",
  "constructor",
];

/** A service's, job's or bucket's key: a construct id, a release file's key, a command's argument. */
const keyName = (reserved: readonly string[]) => (value: string) => {
  if (!/^[a-z][a-z0-9-]{0,62}$/.test(value)) {
    return "must be a key of 1-63 lowercase letters, digits and hyphens, starting with a letter";
  }
  if (reserved.includes(value) || (reserved !== BUCKET_RESERVED && value.startsWith("bucket-"))) {
    return `is a name the environment's stack uses for its own resources (${RESERVED_KEYS.join(", ")}, bucket-*): choose another key (set name to keep the resource's name)`;
  }
  return undefined;
};
const BUCKET_RESERVED = ["constructor"];

/** A relative path that stays where it starts: no `.` or `..` segment, not absolute, not empty. */
function staysInside(value: string): boolean {
  const segments = value.replace(/\/$/, "").split("/");
  return segments.every((segment) => /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/.test(segment) && !/^\.\.?$/.test(segment));
}

/**
 * A build context: a folder below the repository's root, such as `services/predict`. Never the
 * root itself (`.`), which holds the credentials file the workflow's auth step writes, and never
 * outside it (`..`, an absolute path): whatever the context holds is sent into the image build.
 */
const buildContext = (value: string) =>
  staysInside(value)
    ? undefined
    : "must be a folder below the repository's root, such as services/predict: not the root itself, no . or .. segments, not absolute";

/** A Dockerfile, relative to its context and inside it. */
const dockerfilePath = (value: string) =>
  staysInside(value) && !value.endsWith("/")
    ? undefined
    : "must be a file inside the build context, relative to it (such as Dockerfile or docker/serve.Dockerfile): no . or .. segments, not absolute";

/** Environment names that would collide with another environment's stack: `bootstrap-<env>`. */
const notABootstrapId = (value: string) =>
  value.startsWith("bootstrap-")
    ? `must not start with "bootstrap-": each environment's day-one stack is bootstrap-<environment>`
    : undefined;

/**
 * The accounts the bootstrap stack makes, by the ids derived from names, and the triggers the
 * environment's stack names: each must be one of its own. Past 30 characters an id is shortened
 * with a hash, and a name such as `S-T-ev` could meet another's: the second would be refused at
 * apply (409), or, worse, one workload would run as, or call as, another's account.
 */
function checkAccountIds(p: Problems, config: EnvironmentConfig): void {
  // (The pipeline identities' ids, `terraform-plan` and the like, end in no suffix these ids end in.)
  const made = new Map<string, string>();
  const triggers = new Map<string, string>();
  const claim = (id: string, at: string, what: string) => {
    const other = made.get(id);
    if (other !== undefined) p.add(at, id, `${what} would be ${id}, already ${other}'s: rename one`);
    else made.set(id, at);
  };
  for (const [key, svc] of Object.entries(config.services)) {
    const name = svc.name ?? key;
    claim(runtimeServiceAccountId(name), `services.${key}`, "its runtime account");
    for (const id of Object.keys(svc.events ?? {})) {
      claim(eventTriggerServiceAccountId(name, id), `services.${key}.events.${id}`, "its account");
      const trigger = `${name}-${id}`;
      const other = triggers.get(trigger);
      if (other !== undefined)
        p.add(`services.${key}.events.${id}`, id, `names the trigger ${trigger}, as ${other} does`);
      triggers.set(trigger, `services.${key}.events.${id}`);
    }
  }
  for (const [key, job] of Object.entries(config.jobs ?? {})) {
    claim(jobServiceAccountId(job.name ?? key), `jobs.${key}`, "its runtime account");
    if (job.schedule !== undefined)
      claim(schedulerServiceAccountId(job.name ?? key), `jobs.${key}.schedule`, "its account");
  }
  for (const [key, pool] of Object.entries(config.workerPools ?? {})) {
    claim(workerPoolServiceAccountId(pool.name ?? key), `workerPools.${key}`, "its runtime account");
  }
}

/** A Terraform template sequence: `${…}` or `%{…}`, not escaped as `$${` or `%%{`. */
const TEMPLATE = /(?:^|[^$])\$\{|(?:^|[^%])%\{/;

/**
 * Every string of the configuration is a literal. A `${…}` or `%{…}` in one would reach the
 * synthesized JSON as it is, and Terraform would read it as an expression: its value known only
 * at apply, so no check here and no policy rule could hold it (a breakglass justification, a mount
 * path beside a reserved one). `$${` writes a literal `${`.
 */
function checkLiterals(p: Problems, at: string, value: unknown): void {
  if (typeof value === "string") {
    if (TEMPLATE.test(value)) {
      p.add(
        at || "(root)",
        value,
        "must not hold ${ or %{: Terraform would read it as an expression, known only at apply (write $${ for a literal ${)",
      );
    }
    return;
  }
  if (Array.isArray(value)) value.forEach((v, i) => checkLiterals(p, `${at}[${i}]`, v));
  else if (typeof value === "object" && value !== null) {
    for (const [k, v] of Object.entries(value)) checkLiterals(p, joinPath(at, k), v);
  }
}

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
  checkLiterals(p, "", config);
  p.check("name", config.name, environmentName);
  p.check("name", config.name, notABootstrapId);
  for (const [group, keys] of [
    ["services", Object.keys(config.services)],
    ["jobs", Object.keys(config.jobs ?? {})],
    ["workerPools", Object.keys(config.workerPools ?? {})],
  ] as const) {
    for (const key of keys) p.check(`${group}.${key}`, key, keyName(RESERVED_KEYS));
  }
  for (const key of Object.keys(config.buckets ?? {})) p.check(`buckets.${key}`, key, keyName(BUCKET_RESERVED));
  for (const [group, workloads] of [
    ["services", config.services],
    ["jobs", config.jobs ?? {}],
    ["workerPools", config.workerPools ?? {}],
  ] as const) {
    for (const [key, workload] of Object.entries(workloads)) {
      p.check(`${group}.${key}.build.context`, workload.build?.context, buildContext);
      p.check(`${group}.${key}.build.dockerfile`, workload.build?.dockerfile, dockerfilePath);
    }
  }
  p.check("app", config.app, appName);
  p.check("project", config.project, projectId);
  p.check("region", config.region, region);
  if (region(config.region) === undefined) p.check("region", config.region, cloudRunRegion);
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
    // are checked with a stand-in digest, so that every other constraint is. Sidecar images are
    // full references in configuration: pinned by digest past development, as the stack requires.
    p.check(`${at}.image`, svc.image, imageName);
    const props = {
      ...serviceProps(config, id),
      image: `${url}/${svc.image}${STAND_IN}`,
      requireImageDigest: config.stage !== "development",
    };
    addWorkloadProblems(p, at, svc.name, validateCloudRunServiceProps(props), svc.volumes?.length ?? 0);
    checkVolumeBuckets(p, `${at}.volumes`, svc.volumes, config);
    checkModelBucketsReadOnly(p, at, svc.volumes, config);
    checkEvents(p, at, id, config);
    for (const group of ["env", "secretEnv"] as const) {
      if (svc[group] !== undefined && hasOwn(svc[group], DRILL_VARIABLE)) {
        p.add(
          `${at}.${group}.${DRILL_VARIABLE}`,
          svc[group][DRILL_VARIABLE],
          "is set only on a drill's canary, from the release (npm run release -- drill)",
        );
      }
    }
    if (svc.model !== undefined) {
      checkVolumeBuckets(p, at, [{ ...svc.model, readOnly: true }], config, "model");
      p.check(`${at}.model.variable`, svc.model.variable, envName);
      const variable = modelVariable(svc.model);
      if (svc.env?.[variable] !== undefined || svc.secretEnv?.[variable] !== undefined) {
        p.add(
          `${at}.model.variable`,
          variable,
          "is also set in env or secretEnv; the model's path is set from the release",
        );
      }
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

  checkBucketsAndJobs(p, config, url);
  checkMonitoring(p, config);
  checkRollouts(p, config);

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
      hasOwn(config.services, v) || trafficless(config, v) !== undefined
        ? undefined
        : `must be one of the services, jobs or worker pools: ${[
            ...Object.keys(config.services),
            ...Object.keys(config.jobs ?? {}),
            ...Object.keys(config.workerPools ?? {}),
          ].join(", ")}`,
    );
  });

  checkAccountIds(p, config);
  if (config.stage !== "development") guardrailProblems(p, config);
  return [...p.list];
}

/**
 * A construct's problems under a config path. Project and location are reported at the top; the
 * image at `image` (a name); a name taken from the key at the key. Volume paths beyond the
 * configured ones belong to the model's mount.
 */
function addWorkloadProblems(
  p: Problems,
  at: string,
  name: string | undefined,
  problems: readonly Problem[],
  configuredVolumes: number,
): void {
  for (const problem of problems) {
    if (problem.path === "project" || problem.path === "location") continue;
    if (problem.path === "image") continue;
    let path = problem.path === "name" && name === undefined ? "" : problem.path;
    const volume = /^volumes\[(\d+)\](.*)$/.exec(path);
    if (volume && Number(volume[1]) >= configuredVolumes) path = `model${volume[2]}`;
    p.add(joinPath(at, path), problem.value, problem.allowed);
  }
}

/**
 * A service's event triggers, with CloudRunService.addEventTrigger's own checks (the id, the
 * source, the path), under `services.KEY.events.ID`; and a bucket source names a bucket of the
 * environment.
 */
function checkEvents(p: Problems, at: string, key: string, config: EnvironmentConfig): void {
  const svc = config.services[key];
  for (const [id, event] of Object.entries(svc.events ?? {})) {
    const path = `${at}.events.${id}`;
    if ("bucket" in event.source) checkBucketKey(p, `${path}.source.bucket`, event.source.bucket, config);
    const topic =
      "pubsubTopic" in event.source ? /^projects\/([^/]+)\//.exec(event.source.pubsubTopic)?.[1] : undefined;
    if (topic !== undefined && topic !== config.project) {
      p.add(
        `${path}.source.pubsubTopic`,
        "pubsubTopic" in event.source ? event.source.pubsubTopic : undefined,
        `must be a topic of the environment's project (${config.project}): whoever may publish to another project's topic could call the service`,
      );
    }
    const own = new Problems();
    checkEventTrigger(own, { serviceName: svc.name ?? key, location: config.region }, id, {
      source:
        "pubsubTopic" in event.source
          ? { pubsubTopic: event.source.pubsubTopic }
          : { storageBucket: bucketNames(config)(event.source.bucket) as string, eventType: event.source.eventType },
      path: event.path,
    });
    for (const problem of own.list) {
      if (problem.path === "source.storageBucket") continue; // the key, checked above
      p.add(problem.path === "id" ? path : joinPath(path, problem.path), problem.value, problem.allowed);
    }
  }
}

/**
 * Only jobs write the buckets models are served from: a service or worker pool that could write
 * one could change what every instance of every service loads, with no release (and a worker pool
 * reads untrusted messages all day).
 */
function checkModelBucketsReadOnly(
  p: Problems,
  at: string,
  volumes: readonly VolumeConfig[] | undefined,
  config: EnvironmentConfig,
): void {
  const modelBuckets = new Set(Object.values(config.services).flatMap((s) => (s.model ? [s.model.bucket] : [])));
  (volumes ?? []).forEach((v, i) => {
    if (isBucketVolume(v) && v.readOnly === false && modelBuckets.has(v.bucket)) {
      p.add(
        `${at}.volumes[${i}].readOnly`,
        false,
        `must be true: services read their models from bucket ${v.bucket}, and only jobs write it`,
      );
    }
  });
}

/** Each volume names a bucket of the environment. */
function checkVolumeBuckets(
  p: Problems,
  at: string,
  volumes: readonly VolumeConfig[] | undefined,
  config: EnvironmentConfig,
  field?: string,
): void {
  (volumes ?? []).forEach((v, i) => {
    if (isBucketVolume(v)) {
      checkBucketKey(p, field === undefined ? `${at}[${i}].bucket` : `${at}.${field}.bucket`, v.bucket, config);
    }
  });
}

/** A bucket named by its key in the environment's `buckets`. */
function checkBucketKey(p: Problems, path: string, key: string, config: EnvironmentConfig): void {
  if (config.buckets?.[key] !== undefined) return;
  const keys = Object.keys(config.buckets ?? {});
  p.add(
    path,
    key,
    keys.length === 0
      ? "must be a key of buckets, and the environment has none"
      : `must be a key of buckets: ${keys.join(", ")}`,
  );
}

/** The buckets and the jobs: the constructs' own rules, unique names, keys apart from services'. */
function checkBucketsAndJobs(p: Problems, config: EnvironmentConfig, url: string): void {
  const bucketNames = new Map<string, string>([[config.stateBucket, "stateBucket"]]);
  for (const key of Object.keys(config.buckets ?? {})) {
    const at = `buckets.${key}`;
    const props = bucketProps(config, key);
    for (const problem of validateModelBucketProps(props)) {
      if (problem.path === "project") continue;
      if (problem.path === "location" && config.buckets![key].location === undefined) continue;
      const path = problem.path === "name" && config.buckets![key].name === undefined ? "" : problem.path;
      p.add(joinPath(at, path), problem.value, problem.allowed);
    }
    const other = bucketNames.get(props.name);
    if (other !== undefined)
      p.add(
        `${at}${config.buckets![key].name === undefined ? "" : ".name"}`,
        props.name,
        `is the same bucket as ${other}`,
      );
    bucketNames.set(props.name, at);
  }
  const jobNames = new Map<string, string>();
  for (const key of Object.keys(config.jobs ?? {})) {
    const at = `jobs.${key}`;
    const job = config.jobs![key];
    if (config.services[key] !== undefined) {
      p.add(at, key, "is also a service's key; jobs and services share the release file, so their keys must differ");
    }
    p.check(`${at}.image`, job.image, imageName);
    const props = { ...jobProps(config, key), image: `${url}/${job.image}${STAND_IN}` };
    addWorkloadProblems(p, at, job.name, validateCloudRunJobProps(props), job.volumes?.length ?? 0);
    checkVolumeBuckets(p, `${at}.volumes`, job.volumes, config);
    const other = jobNames.get(props.name);
    if (other !== undefined)
      p.add(`${at}${job.name === undefined ? "" : ".name"}`, props.name, `is the same job name as ${other}`);
    jobNames.set(props.name, at);
  }
  const poolNames = new Map<string, string>();
  for (const key of Object.keys(config.workerPools ?? {})) {
    const at = `workerPools.${key}`;
    const pool = config.workerPools![key];
    const taken = hasOwn(config.services, key) ? "a service's" : hasOwn(config.jobs ?? {}, key) ? "a job's" : undefined;
    if (taken !== undefined) {
      p.add(
        at,
        key,
        `is also ${taken} key; worker pools, services and jobs share the release file, so their keys must differ`,
      );
    }
    p.check(`${at}.image`, pool.image, imageName);
    const props = { ...workerPoolProps(config, key), image: `${url}/${pool.image}${STAND_IN}` };
    addWorkloadProblems(p, at, pool.name, validateCloudRunWorkerPoolProps(props), pool.volumes?.length ?? 0);
    checkVolumeBuckets(p, `${at}.volumes`, pool.volumes, config);
    checkModelBucketsReadOnly(p, at, pool.volumes, config);
    const other = poolNames.get(props.name);
    if (other !== undefined)
      p.add(`${at}${pool.name === undefined ? "" : ".name"}`, props.name, `is the same worker pool name as ${other}`);
    poolNames.set(props.name, at);
  }
}

/**
 * Monitoring: channels well formed, each service's thresholds (ServiceMonitoring's own checks),
 * and a production environment with monitoring names at least one channel (MON-002).
 */
function checkMonitoring(p: Problems, config: EnvironmentConfig): void {
  const m = config.monitoring;
  (m?.emails ?? []).forEach((e, i) => p.check(`monitoring.emails[${i}]`, e, emailAddress));
  (m?.notificationChannels ?? []).forEach((c, i) =>
    p.check(`monitoring.notificationChannels[${i}]`, c, notificationChannelId),
  );
  for (const [field, list] of [
    ["emails", m?.emails],
    ["notificationChannels", m?.notificationChannels],
  ] as const) {
    if (list !== undefined && new Set(list).size !== list.length)
      p.add(`monitoring.${field}`, list, "must not name one twice");
  }
  for (const [id, svc] of Object.entries(config.services)) {
    if (!monitored(config, svc.monitoring)) continue;
    const { enabled: _enabled, ...options } = svc.monitoring ?? {};
    // The service itself is checked above; here only the monitoring options.
    // The service as ServiceMonitoring reads it: its health path and ingress.
    const service = {
      healthCheckPath: httpPathOf(svc.startupProbe as Probe | undefined, svc.livenessProbe as Probe | undefined),
      ingress: svc.ingress ?? DEFAULTS.ingress,
      customAudiences: svc.customAudiences ?? [],
    };
    for (const problem of validateServiceMonitoringProps({ ...options, service: service as never })) {
      p.add(joinPath(`services.${id}.monitoring`, problem.path), problem.value, problem.allowed);
    }
  }
  if (
    config.stage === "production" &&
    anythingMonitored(config) &&
    (m?.emails ?? []).length + (m?.notificationChannels ?? []).length === 0
  ) {
    p.add(
      "monitoring.emails",
      m?.emails,
      'must name at least one notification channel (monitoring.emails or monitoring.notificationChannels): stage "production" requires every alert to reach someone (MON-002)',
    );
  }
}

/**
 * The guardrails of preproduction and production that no policy rule can see in the synthesized
 * stack: the environment's own deletion protection, which is the repository's and the buckets'
 * `prevent_destroy` (no rule reads lifecycle settings), and a maximum stated on purpose (the
 * stack writes the default of 10 either way, so RUN-006 always sees one). Deletion protection
 * of services and jobs (RUN-005), immutable tags (AR-003) and production's warm instance
 * (RUN-007, which also counts the service-level minimum) are the policy pack's: synthesis names
 * them with this environment's file and field.
 */
function guardrailProblems(p: Problems, config: EnvironmentConfig): void {
  const why = `stage "${config.stage}" requires it`;
  if (config.deletionProtection === false) p.add("deletionProtection", false, `must be true: ${why}`);
  for (const [id, svc] of Object.entries(config.services)) {
    if (svc.maxInstances === undefined) {
      p.add(`services.${id}.maxInstances`, undefined, `must be set explicitly: ${why} (a deliberate cost ceiling)`);
    }
  }
}

/**
 * What no two environments may share: a project (their workload identity pools, pipeline
 * accounts and API settings would be one set, each bootstrap stack claiming it) or a state
 * bucket (each bootstrap stack would create it). Every environment after the first to use one
 * is named, with the field.
 */
export function sharedAcrossEnvironments(configs: readonly EnvironmentConfig[]): Map<string, Problem[]> {
  const found = new Map<string, Problem[]>();
  const fields = [
    ["project", "its own project: pools, accounts and API settings would merge"],
    ["stateBucket", "its own state bucket: each bootstrap stack creates it"],
  ] as const;
  for (const [field, rule] of fields) {
    const first = new Map<string, string>();
    for (const config of [...configs].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const value = config[field];
      const owner = first.get(value);
      if (owner === undefined) {
        first.set(value, config.name);
        continue;
      }
      const problems = found.get(config.name) ?? [];
      problems.push({
        path: field,
        value,
        allowed: `is also environment ${owner}'s ${field}; each environment needs ${rule}`,
      });
      found.set(config.name, problems);
    }
  }
  return found;
}
