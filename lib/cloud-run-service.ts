import { ITerraformDependable, Token } from "cdktf";
import { Construct } from "constructs";
import {
  CommonProps,
  checkCommonProps,
  checkLabels,
  grantId,
  resolveDependencies,
  shortHash,
  sortedRecord,
} from "./common";
import {
  CloudRunV2Service,
  CloudRunV2ServiceIamMember,
  CloudRunV2ServiceTemplateContainersEnv,
  CloudRunV2ServiceTraffic,
  ProjectIamMember,
  SecretManagerSecretIamMember,
  ServiceAccount,
} from "./providers";
import * as rules from "./rules";
import { Problem, Problems, Rule, throwIfInvalid } from "./validation";

/** An environment variable read from Secret Manager. */
export interface SecretEnvVar {
  /** The secret: its id in the service's project, or `projects/PROJECT/secrets/ID`. */
  readonly secret: string;
  /**
   * A pinned version number such as `"3"`. `latest` is refused: it changes what runs without a
   * deploy, and a new revision may start with a value nobody reviewed.
   */
  readonly version: string;
}

/** An HTTP health check. */
export interface HttpProbe {
  /** The path to GET, starting with `/`. */
  readonly path: string;
  /**
   * The port to call.
   * @default - the container port
   */
  readonly port?: number;
  /**
   * Seconds to wait after the container starts before the first check.
   * @default 0
   */
  readonly initialDelaySeconds?: number;
  /**
   * Seconds between checks.
   * @default 10
   */
  readonly periodSeconds?: number;
  /**
   * Seconds before a check times out; at most `periodSeconds`.
   * @default 1
   */
  readonly timeoutSeconds?: number;
  /**
   * Failed checks in a row before the container is restarted (liveness) or fails to start (startup).
   * @default 3
   */
  readonly failureThreshold?: number;
}

/** One traffic target: a share of requests, and optionally a tag with its own URL. */
export interface TrafficTarget {
  /** Whole percent of requests, 0-100. All targets together must total 100. */
  readonly percent: number;
  /**
   * The revision, named `SERVICE-SUFFIX`.
   * @default - the latest ready revision
   */
  readonly revision?: string;
  /**
   * A tag, which gives this target its own URL (`https://TAG---SERVICE-...run.app`), for testing a
   * canary before it takes traffic.
   * @default - no tag
   */
  readonly tag?: string;
}

/** Where requests may come from. */
export type Ingress = "all" | "internal" | "internal-and-cloud-load-balancing";

const INGRESS: Record<Ingress, string> = {
  all: "INGRESS_TRAFFIC_ALL",
  internal: "INGRESS_TRAFFIC_INTERNAL_ONLY",
  "internal-and-cloud-load-balancing": "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER",
};

export interface CloudRunServiceProps extends CommonProps {
  /**
   * The service name: 1-49 lowercase letters, digits and hyphens, starting with a letter.
   * Changing it replaces the service.
   * @see https://cloud.google.com/run/docs/reference/rest/v2/projects.locations.services
   */
  readonly name: string;

  /** The region, such as `europe-west1`. */
  readonly location: string;

  /**
   * The container image. Prefer a digest (`…@sha256:…`): a tag can be moved to other content.
   * See {@link ArtifactRepository.imageUri}.
   */
  readonly image: string;

  /**
   * Refuse an image that is not pinned by digest. Production environments set this.
   * @default false
   */
  readonly requireImageDigest?: boolean;

  /**
   * The port the container listens on; Cloud Run sends requests there and sets `PORT` to it.
   * @default 8080
   */
  readonly containerPort?: number;

  /**
   * Plain environment variables. Never put secrets here: use `secretEnv`.
   * @default - none
   */
  readonly env?: Readonly<Record<string, string>>;

  /**
   * Environment variables read from Secret Manager, each with a pinned version. The runtime
   * service account is granted `roles/secretmanager.secretAccessor` on each secret.
   * @default - none
   */
  readonly secretEnv?: Readonly<Record<string, SecretEnvVar>>;

  /**
   * CPU limit: "1", "2", "4", "6", "8", or a fraction from "0.08" to "1". Below 1 CPU, Cloud Run
   * needs concurrency 1, `cpuIdle` true and the gen1 execution environment.
   * @see https://cloud.google.com/run/docs/configuring/services/cpu
   * @default "1"
   */
  readonly cpu?: string;

  /**
   * Memory limit, such as "512Mi" or "2Gi"; checked against `cpu`.
   * @see https://cloud.google.com/run/docs/configuring/services/memory-limits
   * @default "512Mi"
   */
  readonly memory?: string;

  /**
   * Allocate CPU only while a request is being handled (request-based billing). Always written:
   * once limits are set, leaving it out gives a permanent diff.
   * @default true
   */
  readonly cpuIdle?: boolean;

  /**
   * Give the container more CPU while it starts, which shortens cold starts of model servers.
   * @default true
   */
  readonly startupCpuBoost?: boolean;

  /**
   * Instances kept warm. Above 0 avoids cold starts and costs money while idle.
   * @default 0
   */
  readonly minInstances?: number;

  /**
   * The most instances Cloud Run may start. Always written, so a traffic spike or a loop cannot
   * scale cost without bound (Cloud Run's own default is 100).
   * @default 10
   */
  readonly maxInstances?: number;

  /**
   * Concurrent requests per instance, 1-1000.
   * @see https://cloud.google.com/run/docs/about-concurrency
   * @default 80
   */
  readonly concurrency?: number;

  /**
   * Request timeout in seconds, 1-3600.
   * @default 300
   */
  readonly timeoutSeconds?: number;

  /**
   * Where requests may come from. Every request still needs `roles/run.invoker` (see
   * {@link CloudRunService.grantInvoker}).
   * @default "all"
   */
  readonly ingress?: Ingress;

  /**
   * The execution environment. gen2 has full Linux compatibility and faster CPU; gen1 starts
   * faster and is required below 1 CPU.
   * @default "gen2"
   */
  readonly executionEnvironment?: "gen1" | "gen2";

  /**
   * An HTTP startup probe; until it passes, no request is sent.
   * @default - Cloud Run's default TCP startup check on the container port
   */
  readonly startupProbe?: HttpProbe;

  /**
   * An HTTP liveness probe; a container failing it is restarted.
   * @default - none
   */
  readonly livenessProbe?: HttpProbe;

  /**
   * Labels on the service.
   * @default - none
   */
  readonly labels?: Readonly<Record<string, string>>;

  /**
   * Make `terraform destroy` (and a replacing plan) fail for this service. Always written, so a
   * stack's snapshot shows it.
   * @default true
   */
  readonly deletionProtection?: boolean;

  /**
   * How requests are split between revisions. Percents must total 100; tags must be unique.
   * @default - 100% to the latest ready revision
   */
  readonly traffic?: readonly TrafficTarget[];

  /**
   * Names the revision this template creates `NAME-SUFFIX`, so traffic can refer to it.
   * @default - Cloud Run generates revision names
   */
  readonly revisionSuffix?: string;

  /**
   * An existing service account to run as, instead of the one this construct creates. Never the
   * default compute or App Engine account.
   * @default - a dedicated account is created, with log and metric writing only
   */
  readonly serviceAccountEmail?: string;

  /**
   * The account id of the runtime service account this construct creates.
   * @default - derived from `name` (see {@link runtimeServiceAccountId})
   */
  readonly serviceAccountId?: string;

  /**
   * Principals allowed to call the service (`roles/run.invoker`), as with
   * {@link CloudRunService.grantInvoker}.
   * @default - none
   */
  readonly invokers?: readonly string[];

  /**
   * Allow `allUsers` or `allAuthenticatedUsers` among the invokers: anyone on the internet may
   * call the service.
   * @default false
   */
  readonly allowPublic?: boolean;

  /**
   * Leave the image, the revision name and the deploying client to a pipeline that deploys
   * outside Terraform (`gcloud run deploy`); without this, every apply would roll the image
   * back (provider issue 13410).
   * @default false
   */
  readonly ignoreImageChanges?: boolean;

  /**
   * A description of the service.
   * @default - none
   */
  readonly description?: string;
}

const DEFAULTS = {
  containerPort: 8080,
  cpu: "1",
  memory: "512Mi",
  cpuIdle: true,
  startupCpuBoost: true,
  minInstances: 0,
  maxInstances: 10,
  concurrency: 80,
  timeoutSeconds: 300,
  ingress: "all" as Ingress,
  executionEnvironment: "gen2" as const,
  deletionProtection: true,
};

/**
 * The account id of a service's runtime service account: `NAME-run`, lengthened to
 * `NAME-runtime` when that is under 6 characters, or shortened with a hash of the full name when
 * over 30. Always valid for {@link rules.serviceAccountId} when `name` is a valid service name.
 */
export function runtimeServiceAccountId(serviceName: string): string {
  const id = `${serviceName}-run`;
  if (id.length < 6) return `${serviceName}-runtime`;
  if (id.length <= 30) return id;
  return `${serviceName.slice(0, 21).replace(/-+$/, "")}-${shortHash(serviceName)}`;
}

/** Checks {@link CloudRunServiceProps}; returns every problem, with prop paths. */
export function validateCloudRunServiceProps(props: CloudRunServiceProps): Problem[] {
  const p = new Problems();
  checkCommonProps(p, props);
  p.check("name", props.name, rules.cloudRunServiceName);
  p.check("location", props.location, rules.region);
  p.check("image", props.image, rules.imageReference);
  if (props.requireImageDigest && rules.imageReference(props.image) === undefined) {
    p.check("image", props.image, rules.imagePinnedByDigest);
  }
  p.check("containerPort", props.containerPort, rules.containerPort);
  checkLabels(p, "labels", props.labels);
  if (props.description !== undefined && props.description.length > 512) {
    p.add("description", props.description, "must be at most 512 characters");
  }

  // Resources: each alone, then together (only when each alone is well formed).
  const gen = props.executionEnvironment ?? DEFAULTS.executionEnvironment;
  if (gen !== "gen1" && gen !== "gen2") p.add("executionEnvironment", gen, 'must be "gen1" or "gen2"');
  const cpu = props.cpu ?? DEFAULTS.cpu;
  const memory = props.memory ?? DEFAULTS.memory;
  p.check("cpu", props.cpu, rules.cpu);
  p.check("memory", props.memory, rules.memory(gen === "gen1" ? "gen1" : "gen2"));
  const concurrency = props.concurrency ?? DEFAULTS.concurrency;
  p.check("concurrency", props.concurrency, rules.concurrency);
  p.check("timeoutSeconds", props.timeoutSeconds, rules.timeoutSeconds);
  if (!Token.isUnresolved(cpu) && !Token.isUnresolved(memory) && rules.cpu(cpu) === undefined) {
    const cpus = rules.parseCpu(cpu) as number;
    const mi = rules.parseMemoryMi(memory);
    if (mi !== undefined) {
      const combo = rules.cpuMemoryCombination(cpus, mi);
      if (combo !== undefined) p.add("memory", memory, `${combo} (cpu is "${cpu}")`);
    }
    if (cpus < 1) {
      const why = `below 1 CPU (cpu is "${cpu}") Cloud Run requires`;
      if (concurrency !== 1) p.add("concurrency", concurrency, `${why} concurrency 1`);
      if (gen !== "gen1") p.add("executionEnvironment", gen, `${why} "gen1"`);
      if (props.cpuIdle === false) p.add("cpuIdle", false, `${why} cpuIdle true (request-based billing)`);
    }
  }

  // Scaling.
  p.check("minInstances", props.minInstances, rules.minInstances);
  p.check("maxInstances", props.maxInstances, rules.maxInstances);
  const min = props.minInstances ?? DEFAULTS.minInstances;
  const max = props.maxInstances ?? DEFAULTS.maxInstances;
  if (!Token.isUnresolved(min) && !Token.isUnresolved(max) && min > max) {
    p.add("minInstances", min, `must not exceed maxInstances (${max})`);
  }

  p.check("ingress", props.ingress, (v) =>
    v in INGRESS
      ? undefined
      : `must be one of ${Object.keys(INGRESS)
          .map((k) => `"${k}"`)
          .join(", ")}`,
  );

  checkEnv(p, props);
  checkProbe(p, "startupProbe", props.startupProbe, 240);
  checkProbe(p, "livenessProbe", props.livenessProbe, 3600);
  checkTraffic(p, props);

  // Identity and access.
  if (props.serviceAccountEmail !== undefined) {
    p.check("serviceAccountEmail", props.serviceAccountEmail, rules.serviceAccountEmail);
    p.check("serviceAccountEmail", props.serviceAccountEmail, rules.notDefaultServiceAccount);
    if (props.serviceAccountId !== undefined) {
      p.add("serviceAccountId", props.serviceAccountId, "must not be set together with serviceAccountEmail");
    }
  } else {
    p.check("serviceAccountId", props.serviceAccountId, rules.serviceAccountId);
    if (props.serviceAccountId === undefined && Token.isUnresolved(props.name)) {
      p.add("serviceAccountId", undefined, "is required when name is a token: the account id is derived from the name");
    }
  }
  (props.invokers ?? []).forEach((m, i) => checkInvoker(p, `invokers[${i}]`, m, props.allowPublic ?? false));
  return [...p.list];
}

function checkEnv(p: Problems, props: CloudRunServiceProps): void {
  const names = new Set<string>();
  for (const [name, value] of Object.entries(props.env ?? {})) {
    p.check(`env.${name}`, name, rules.envName);
    if (typeof value !== "string") p.add(`env.${name}`, value, "must be a string");
    names.add(name);
  }
  for (const [name, ref] of Object.entries(props.secretEnv ?? {})) {
    p.check(`secretEnv.${name}`, name, rules.envName);
    if (names.has(name)) p.add(`secretEnv.${name}`, name, "is also set in env; a variable comes from one place");
    p.check(`secretEnv.${name}.secret`, ref.secret, rules.secretName);
    p.check(`secretEnv.${name}.version`, ref.version, rules.secretVersion);
  }
}

function checkProbe(p: Problems, path: string, probe: HttpProbe | undefined, maxPeriod: number): void {
  if (probe === undefined) return;
  p.check(`${path}.path`, probe.path, rules.probePath);
  p.check(`${path}.port`, probe.port, rules.containerPort);
  const range = (lo: number): Rule<number> =>
    rules.intRange(lo, maxPeriod, `must be a whole number of seconds from ${lo} to ${maxPeriod}`);
  p.check(`${path}.initialDelaySeconds`, probe.initialDelaySeconds, range(0));
  p.check(`${path}.periodSeconds`, probe.periodSeconds, range(1));
  p.check(`${path}.timeoutSeconds`, probe.timeoutSeconds, range(1));
  p.check(
    `${path}.failureThreshold`,
    probe.failureThreshold,
    rules.intRange(1, 100, "must be a whole number from 1 to 100"),
  );
  const period = probe.periodSeconds ?? 10;
  const timeout = probe.timeoutSeconds ?? 1;
  if (!Token.isUnresolved(period) && !Token.isUnresolved(timeout) && timeout > period) {
    p.add(`${path}.timeoutSeconds`, timeout, `must not exceed periodSeconds (${period})`);
  }
}

function checkTraffic(p: Problems, props: CloudRunServiceProps): void {
  if (props.revisionSuffix !== undefined) {
    p.check("revisionSuffix", props.revisionSuffix, (s) =>
      /^[a-z0-9](?:[-a-z0-9]*[a-z0-9])?$/.test(s) && `${props.name}-${s}`.length <= 63
        ? undefined
        : "must be lowercase letters, digits and hyphens, not starting or ending with a hyphen, and NAME-SUFFIX at most 63 characters",
    );
  }
  const traffic = props.traffic;
  if (traffic === undefined) return;
  if (traffic.length === 0) {
    p.add("traffic", traffic, "must have at least one target, or be left out for 100% to the latest revision");
    return;
  }
  let total = 0;
  let resolvedTotal = true;
  const tags = new Map<string, number>();
  const targets = new Map<string, number>();
  traffic.forEach((t, i) => {
    const at = `traffic[${i}]`;
    p.check(`${at}.percent`, t.percent, rules.percent);
    if (Token.isUnresolved(t.percent)) resolvedTotal = false;
    else total += t.percent;
    const target = t.revision ?? "(latest)";
    if (targets.has(target)) {
      p.add(`${at}.revision`, t.revision, `targets the same revision as traffic[${targets.get(target)}]; merge them`);
    }
    targets.set(target, i);
    if (t.revision !== undefined && !Token.isUnresolved(t.revision) && !Token.isUnresolved(props.name)) {
      if (!t.revision.startsWith(`${props.name}-`)) {
        p.add(`${at}.revision`, t.revision, `must be a revision of this service, named "${props.name}-SUFFIX"`);
      }
    }
    if (t.tag !== undefined && !Token.isUnresolved(t.tag)) {
      p.check(`${at}.tag`, t.tag, rules.trafficTag);
      if (tags.has(t.tag))
        p.add(`${at}.tag`, t.tag, `is already used by traffic[${tags.get(t.tag)}]; tags must be unique`);
      tags.set(t.tag, i);
      if (!Token.isUnresolved(props.name) && t.tag.length + props.name.length > rules.MAX_TAG_AND_SERVICE_NAME) {
        p.add(
          `${at}.tag`,
          t.tag,
          `tag and service name together must be at most ${rules.MAX_TAG_AND_SERVICE_NAME} characters (got ${t.tag.length + props.name.length})`,
        );
      }
    }
  });
  if (resolvedTotal && total !== 100) {
    p.add(
      "traffic",
      traffic.map((t) => t.percent),
      `percents must total 100 (they total ${total})`,
    );
  }
}

function checkInvoker(p: Problems, path: string, member: string, allowPublic: boolean): void {
  p.check(path, member, rules.iamMember);
  if (!Token.isUnresolved(member) && rules.isPublicMember(member) && !allowPublic) {
    p.add(
      path,
      member,
      "makes the service callable by anyone on the internet; set allowPublic: true if that is intended (checkov CKV_GCP_102)",
    );
  }
}

/** Options of {@link CloudRunService.grantInvoker}. */
export interface InvokerOptions {
  /**
   * Allow `allUsers` or `allAuthenticatedUsers`.
   * @default - the service's `allowPublic` prop
   */
  readonly allowPublic?: boolean;
}

/**
 * A Cloud Run service (v2 API) running as its own least-privilege service account, with scaling
 * capped, resources validated together, and deletion protection on by default.
 *
 * Construct ids inside (`service`, `service-account`, `log-writer`, `metric-writer`,
 * `secret-access-…`, `invoker-…`) become Terraform addresses; they never change between versions.
 */
export class CloudRunService extends Construct {
  /** The `google_cloud_run_v2_service` resource. */
  readonly service: CloudRunV2Service;
  /** The service name. */
  readonly serviceName: string;
  /** The service's main URL (`https://…run.app`), known after apply. */
  readonly uri: string;
  /** The email of the service account the service runs as. */
  readonly serviceAccountEmail: string;
  /** The runtime service account this construct created, unless an existing one was passed. */
  readonly serviceAccount?: ServiceAccount;

  private readonly props: CloudRunServiceProps;

  constructor(scope: Construct, id: string, props: CloudRunServiceProps) {
    super(scope, id);
    throwIfInvalid(this, "CloudRunService", validateCloudRunServiceProps(props));
    this.props = props;
    this.serviceName = props.name;
    const dependsOn = resolveDependencies(props.dependsOn);
    const depends = (extra: ITerraformDependable[] = []): ITerraformDependable[] | undefined =>
      dependsOn.length + extra.length > 0 ? [...dependsOn, ...extra] : undefined;

    let member: string;
    if (props.serviceAccountEmail !== undefined) {
      this.serviceAccountEmail = props.serviceAccountEmail;
      member = `serviceAccount:${props.serviceAccountEmail}`;
    } else {
      const sa = new ServiceAccount(this, "service-account", {
        project: props.project,
        accountId: props.serviceAccountId ?? runtimeServiceAccountId(props.name),
        displayName: `Cloud Run runtime: ${props.name}`,
        description: `Runs the Cloud Run service ${props.name}; managed by cdktf-cloud-run`,
        dependsOn: depends(),
      });
      this.serviceAccount = sa;
      this.serviceAccountEmail = sa.email;
      member = sa.member;
      const project = props.project ?? sa.project;
      for (const [roleId, role] of [
        ["log-writer", "roles/logging.logWriter"],
        ["metric-writer", "roles/monitoring.metricWriter"],
      ] as const) {
        new ProjectIamMember(this, roleId, { project, role, member });
      }
    }

    const secretGrants: ITerraformDependable[] = [];
    const secrets = [...new Set(Object.values(props.secretEnv ?? {}).map((s) => s.secret))].sort();
    for (const secret of secrets) {
      secretGrants.push(
        new SecretManagerSecretIamMember(this, grantId(this, "secret-access", secret), {
          project: secret.startsWith("projects/") ? undefined : props.project,
          secretId: secret,
          role: "roles/secretmanager.secretAccessor",
          member,
          dependsOn: depends(),
        }),
      );
    }

    const port = props.containerPort ?? DEFAULTS.containerPort;
    const gen = props.executionEnvironment ?? DEFAULTS.executionEnvironment;
    this.service = new CloudRunV2Service(this, "service", {
      project: props.project,
      location: props.location,
      name: props.name,
      description: props.description,
      labels: sortedRecord(props.labels),
      ingress: INGRESS[props.ingress ?? DEFAULTS.ingress],
      deletionProtection: props.deletionProtection ?? DEFAULTS.deletionProtection,
      template: {
        revision: props.revisionSuffix === undefined ? undefined : `${props.name}-${props.revisionSuffix}`,
        serviceAccount: this.serviceAccountEmail,
        executionEnvironment: gen === "gen1" ? "EXECUTION_ENVIRONMENT_GEN1" : "EXECUTION_ENVIRONMENT_GEN2",
        maxInstanceRequestConcurrency: props.concurrency ?? DEFAULTS.concurrency,
        timeout: `${props.timeoutSeconds ?? DEFAULTS.timeoutSeconds}s`,
        labels: sortedRecord(props.labels),
        scaling: {
          minInstanceCount: props.minInstances ?? DEFAULTS.minInstances,
          maxInstanceCount: props.maxInstances ?? DEFAULTS.maxInstances,
        },
        containers: [
          {
            image: props.image,
            ports: { containerPort: port },
            env: environment(props),
            resources: {
              limits: { cpu: props.cpu ?? DEFAULTS.cpu, memory: props.memory ?? DEFAULTS.memory },
              cpuIdle: props.cpuIdle ?? DEFAULTS.cpuIdle,
              startupCpuBoost: props.startupCpuBoost ?? DEFAULTS.startupCpuBoost,
            },
            startupProbe: probe(props.startupProbe, port),
            livenessProbe: probe(props.livenessProbe, port),
          },
        ],
      },
      traffic: traffic(props.traffic),
      lifecycle: props.ignoreImageChanges
        ? { ignoreChanges: ["client", "client_version", "template[0].revision", "template[0].containers[0].image"] }
        : undefined,
      dependsOn: depends(secretGrants),
    });
    this.uri = this.service.uri;

    (props.invokers ?? []).forEach((m) => this.grantInvoker(m));
  }

  /**
   * Lets `member` call the service (`roles/run.invoker`), additively: other grants on the
   * service are left alone. `allUsers` and `allAuthenticatedUsers` need `allowPublic`.
   * Returns the IAM member; granting the same member twice returns the first.
   */
  grantInvoker(member: string, options: InvokerOptions = {}): CloudRunV2ServiceIamMember {
    const p = new Problems();
    checkInvoker(p, "member", member, options.allowPublic ?? this.props.allowPublic ?? false);
    p.throwIfAny(`CloudRunService "${this.node.path}".grantInvoker()`);
    const id = grantId(this, "invoker", member);
    const existing = this.node.tryFindChild(id);
    if (existing instanceof CloudRunV2ServiceIamMember) return existing;
    return new CloudRunV2ServiceIamMember(this, id, {
      project: this.props.project,
      location: this.props.location,
      name: this.service.name,
      role: "roles/run.invoker",
      member,
    });
  }
}

function environment(props: CloudRunServiceProps): CloudRunV2ServiceTemplateContainersEnv[] | undefined {
  const plain = Object.entries(sortedRecord(props.env) ?? {}).map(([name, value]) => ({ name, value }));
  const secret = Object.entries(sortedRecord(props.secretEnv) ?? {}).map(([name, ref]) => ({
    name,
    valueSource: { secretKeyRef: { secret: ref.secret, version: ref.version } },
  }));
  const all = [...plain, ...secret];
  return all.length > 0 ? all : undefined;
}

function probe(p: HttpProbe | undefined, port: number) {
  if (p === undefined) return undefined;
  return {
    initialDelaySeconds: p.initialDelaySeconds ?? 0,
    periodSeconds: p.periodSeconds ?? 10,
    timeoutSeconds: p.timeoutSeconds ?? 1,
    failureThreshold: p.failureThreshold ?? 3,
    httpGet: { path: p.path, port: p.port ?? port },
  };
}

function traffic(targets: readonly TrafficTarget[] | undefined): CloudRunV2ServiceTraffic[] {
  return (targets ?? [{ percent: 100 }]).map((t) => ({
    type:
      t.revision === undefined ? "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST" : "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION",
    revision: t.revision,
    percent: t.percent,
    tag: t.tag,
  }));
}
