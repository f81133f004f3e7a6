import { Aspects, GcsBackend, TerraformOutput, TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { ArtifactRepository } from "../constructs/artifact-repository";
import { CloudRunJob } from "../constructs/cloud-run-job";
import { CloudRunService, CloudRunServiceProps } from "../constructs/cloud-run-service";
import { ModelBucket } from "../constructs/model-bucket";
import {
  JobMonitoring,
  MonitoringDashboard,
  NotificationChannels,
  ServiceMonitoring,
  Widget,
  jobWidgets,
  serviceWidgets,
  sloName,
} from "../constructs/monitoring";
import { ProjectServices } from "../constructs/project-services";
import { sortedRecord } from "../gcp/terraform";
import { PolicyPack, acknowledge } from "../policies";
import { DataGoogleProject, GoogleProvider } from "../providers";
import { apiFor, enableApis, resourcesUnder } from "./apis";
import { identityEmail, jobAccountEmail, runtimeAccountEmail, schedulerAccountEmail } from "./identities";
import { EnvironmentConfig, configLocator, parseEnvironmentConfig, repositoryProps, serviceProps } from "./config";
import { BucketResolver, bucketProps, jobProps } from "./config/props";
import { ParityMetadata } from "./parity";
import {
  EMPTY_RELEASE,
  JOB_PLACEHOLDER_IMAGE,
  PLACEHOLDER_IMAGE,
  ReleaseError,
  ReleaseFile,
  ServiceRelease,
  asRelease,
  releasables,
  releaseProblems,
} from "./release/model";
import { imageOf, templateDigest, templateModel, trafficOf } from "./release/verbs";

/**
 * What release state decides, so the parity check leaves it to `npm run release -- status`: each
 * service's image, its revision name and its traffic.
 */
function releaseManaged(config: EnvironmentConfig): string[] {
  const variables = [
    ...new Set(
      Object.values(config.services)
        .filter((s) => s.model !== undefined)
        .map((s) => s.model!.variable ?? "MODEL_PATH"),
    ),
  ].sort();
  return [
    "google_cloud_run_v2_service.*.template.containers[*].image",
    "google_cloud_run_v2_service.*.template.revision",
    "google_cloud_run_v2_service.*.traffic",
    ...variables.map((v) => `google_cloud_run_v2_service.*.template.containers[*].env[${v}]`),
    "google_cloud_run_v2_job.*.template.template.containers[*].image",
  ];
}

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
    .filter((key) => release.services[key] === undefined)
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
 * A service's props for Google's placeholder image, which serves HTTP/1 on PORT: the settings
 * that belong to the service's own image (its command, gRPC, probes, sidecars and their start
 * order) would keep the placeholder's revision from ever becoming ready, so they wait for the
 * first release. Everything else (account, scaling, network, volumes, env) is the service's.
 */
function placeholderProps<T extends Omit<CloudRunServiceProps, "image">>(props: T): T {
  const {
    command: _command,
    args: _args,
    workingDir: _workingDir,
    http2: _http2,
    startupProbe: _startupProbe,
    livenessProbe: _livenessProbe,
    sidecars: _sidecars,
    startAfter: _startAfter,
    containerName: _containerName,
    ...rest
  } = props;
  return rest as T;
}

/**
 * The resources a service would create, built apart from any stack that synthesizes (in a
 * detached construct tree, thrown away): what a service not deployed yet will need.
 */
function resourcesOfService(config: EnvironmentConfig, key: string) {
  const scratch = new TerraformStack(new Construct(undefined as never, ""), "scratch");
  if (config.services[key] !== undefined) {
    new CloudRunService(scratch, key, {
      ...serviceProps(config, key),
      image: PLACEHOLDER_IMAGE,
      requireImageDigest: false,
      serviceAccountEmail: runtimeAccountEmail(config, key),
      grantSecretAccess: false,
      grantKeyAccess: false,
    });
  } else {
    new CloudRunJob(scratch, key, { ...environmentJobProps(config, key), image: JOB_PLACEHOLDER_IMAGE });
  }
  return resourcesUnder(scratch);
}

/**
 * A job's props in an environment's stack, but for the image: it runs as its bootstrap-made
 * account, and a schedule calls it as the bootstrap-made scheduler account.
 */
function environmentJobProps(config: EnvironmentConfig, key: string, resolve?: BucketResolver) {
  const props = jobProps(config, key, resolve);
  return {
    ...props,
    serviceAccountEmail: jobAccountEmail(config, key),
    grantSecretAccess: false,
    schedule:
      props.schedule === undefined
        ? undefined
        : { ...props.schedule, serviceAccountEmail: schedulerAccountEmail(config, key) },
  };
}

/** The environment variable that tells a service which model version to load, when it has one. */
function modelEnv(config: EnvironmentConfig, key: string, released: ServiceRelease | undefined) {
  const model = config.services[key].model;
  const version = released === undefined ? undefined : templateModel(released);
  if (model === undefined || version === undefined) return {};
  return { [model.variable ?? "MODEL_PATH"]: `${model.mountPath.replace(/\/+$/, "")}/${version}` };
}

/**
 * One environment's stack, from its configuration: the google provider, a GCS backend, the APIs
 * its resources need, the Artifact Registry repository, each Cloud Run service (whose runtime
 * account can pull from the repository), and outputs.
 *
 * Construct ids are Terraform addresses and stay fixed: `apis`, `repository`, one per service
 * key. Renaming a service key in the configuration destroys and recreates that service.
 */
export class EnvironmentStack extends TerraformStack {
  /** The configuration, validated. */
  readonly config: EnvironmentConfig;
  readonly repository: ArtifactRepository;
  /** The services deployed, by their key in the configuration. */
  readonly services: Readonly<Record<string, CloudRunService>>;
  /** The jobs deployed, by their key in the configuration. */
  readonly jobs: Readonly<Record<string, CloudRunJob>>;
  /** The buckets, by their key in the configuration. */
  readonly buckets: Readonly<Record<string, ModelBucket>>;
  /** The keys of the services declared but not deployed yet: no release at this stage. */
  readonly notDeployed: readonly string[];
  /** Each monitored service's monitoring, by the service's key. */
  readonly monitoring: Readonly<Record<string, ServiceMonitoring>>;
  /** The environment's dashboard. */
  readonly dashboard: MonitoringDashboard;
  /** The APIs enabled, derived from the resources the stack creates. */
  readonly apis: ProjectServices;
  /** The policy pack applied to this stack, at the environment's stage. */
  readonly policyPack: PolicyPack;

  /**
   * @param config the environment's configuration, typed or untyped; it is validated with
   *   {@link parseEnvironmentConfig}, which throws `ConfigError` before anything is created.
   * @param options.source the file the configuration comes from (`environments/prod.ts`), named
   *   in policy findings with the field they come from
   * @param options.release the environment's release file (environments/releases/<env>.json):
   *   the digest each service runs, and its canary. A service without one runs a public
   *   placeholder in development; at a later stage it is not deployed ({@link notDeployed}).
   */
  constructor(
    scope: Construct,
    id: string,
    config: EnvironmentConfig | unknown,
    options: {
      readonly source?: string;
      readonly release?: unknown;
    } = {},
  ) {
    const parsed = parseEnvironmentConfig(config);
    const release = parseRelease(parsed, options.release);
    const pending = notDeployed(parsed, release);
    super(scope, id);
    this.config = parsed;
    this.notDeployed = pending;
    const labels = { ...parsed.labels, environment: parsed.name, app: parsed.app, "managed-by": "cdktf-cloud-run" };

    const provider = new GoogleProvider(this, "google", { project: parsed.project, region: parsed.region });
    // Set through an override: cdktf snake-cases every key of a provider block, map keys included,
    // which would turn the label "cost-center" into "cost_center".
    provider.addOverride("default_labels", sortedRecord(labels));
    new GcsBackend(this, { bucket: parsed.stateBucket, prefix: `${parsed.app}/${parsed.name}` });
    new ParityMetadata(this, "parity", {
      environment: parsed.name,
      project: parsed.project,
      differences: sortedRecord(parsed.differences) ?? {},
      releaseManaged: releaseManaged(parsed),
      ...(pending.length > 0 ? { notDeployed: pending } : {}),
    });

    this.repository = new ArtifactRepository(this, "repository", repositoryProps(parsed));
    new TerraformOutput(this, "repository_url", {
      value: this.repository.repositoryUrl,
      description: `Artifact Registry repository for ${parsed.app} images in ${parsed.name}; push to ${this.repository.repositoryUrl}/IMAGE`,
      staticId: true,
    });

    // The buckets (models are trained into one), before the workloads that mount them.
    const buckets: Record<string, ModelBucket> = {};
    for (const key of Object.keys(parsed.buckets ?? {}).sort()) {
      buckets[key] = new ModelBucket(this, `bucket-${key}`, bucketProps(parsed, key));
      new TerraformOutput(this, `${key}_bucket`, {
        value: buckets[key].bucket.name,
        description: `Cloud Storage bucket ${key} of ${parsed.name}`,
        staticId: true,
      });
    }
    this.buckets = buckets;
    const resolve: BucketResolver = (key) => buckets[key];

    // Each service runs the digest its release names, from this environment's repository: Cloud
    // Run's service agent pulls it, and in its own project it may already (Artifact Registry,
    // "Deploying to Cloud Run"); the runtime account needs no grant to pull.
    const services: Record<string, CloudRunService> = {};
    for (const key of Object.keys(parsed.services).sort()) {
      if (pending.includes(key)) continue;
      const released = release.services[key];
      // The runtime account, its project roles and its secret access are the bootstrap stack's:
      // managing accounts and IAM policies would let the deploy identity grant itself more.
      const props = released
        ? serviceProps(parsed, key, resolve)
        : placeholderProps(serviceProps(parsed, key, resolve));
      const env = { ...props.env, ...modelEnv(parsed, key, released) };
      const service = new CloudRunService(this, key, {
        ...props,
        env: Object.keys(env).length > 0 ? env : undefined,
        image: released ? imageOf(parsed, key, templateDigest(released)) : PLACEHOLDER_IMAGE,
        // The main image is a released digest whenever there is a release; sidecar images are
        // configuration, pinned past development (checked with the configuration).
        requireImageDigest: released !== undefined && parsed.stage !== "development",
        traffic: trafficOf(released),
        serviceAccountEmail: runtimeAccountEmail(parsed, key),
        grantSecretAccess: false,
        // A customer-managed key's grant is the bootstrap stack's: a key's IAM policy is the owner's.
        grantKeyAccess: false,
      });
      services[key] = service;
      new TerraformOutput(this, `${key}_url`, {
        value: service.uri,
        description: `URL of the Cloud Run service ${service.serviceName} in ${parsed.name}`,
        staticId: true,
      });
      new TerraformOutput(this, `${key}_service_account`, {
        value: service.serviceAccountEmail,
        description: `Runtime service account of ${service.serviceName} in ${parsed.name}`,
        staticId: true,
      });
    }
    this.services = services;

    // Each job runs the digest its release names, as its own account; a scheduled one is called
    // by its scheduler account (both the bootstrap stack's), which gets invoker on this job only.
    const jobs: Record<string, CloudRunJob> = {};
    for (const key of Object.keys(parsed.jobs ?? {}).sort()) {
      if (pending.includes(key)) continue;
      const released = release.services[key];
      const job = new CloudRunJob(this, key, {
        ...environmentJobProps(parsed, key, resolve),
        image: released ? imageOf(parsed, key, released.digest) : JOB_PLACEHOLDER_IMAGE,
        requireImageDigest: released !== undefined,
      });
      // The Train workflow runs it as the bootstrap stack's runner identity. With arguments of
      // its own (overrides) only in development: an override can change the command line and
      // environment, which is running any code as the job's account, and past development that
      // account writes the bucket whose versions serve.
      job.grantRunner(`serviceAccount:${identityEmail(parsed, "runner")}`, {
        id: "pipeline",
        overrides: parsed.stage === "development",
      });
      jobs[key] = job;
      new TerraformOutput(this, `${key}_job`, {
        value: job.job.name,
        description: `Cloud Run job ${job.jobName} in ${parsed.name}: gcloud run jobs execute ${job.jobName} --region ${parsed.region} --wait`,
        staticId: true,
      });
    }
    this.jobs = jobs;

    // Monitoring (on by default in preproduction and production): an uptime check, alerts and
    // SLOs for each service, a failure alert for each job, all routed to the environment's
    // channels. Each lives under its service or job, so it comes and goes with it.
    const monitored = (own: { enabled?: boolean } | undefined) =>
      own?.enabled ?? parsed.monitoring?.enabled ?? parsed.stage !== "development";
    const monitoredServices = Object.keys(services).filter((k) => monitored(parsed.services[k].monitoring));
    const monitoredJobs = Object.keys(jobs).filter((k) => monitored(parsed.jobs![k].monitoring));
    const monitoring: Record<string, ServiceMonitoring> = {};
    // The channels and the project's number follow the configuration, not what is deployed yet,
    // so environments that deploy different services still compare equal.
    const configured =
      Object.values(parsed.services).some((svc) => monitored(svc.monitoring)) ||
      Object.values(parsed.jobs ?? {}).some((job) => monitored(job.monitoring));
    if (configured) {
      const channels = new NotificationChannels(this, "alert-channels", {
        project: parsed.project,
        emails: parsed.monitoring?.emails,
        existing: parsed.monitoring?.notificationChannels,
      }).ids;
      const required = parsed.stage === "production";
      const projectNumber = new DataGoogleProject(this, "project", { projectId: parsed.project }).number;
      for (const key of monitoredServices) {
        const { enabled: _enabled, ...options } = parsed.services[key].monitoring ?? {};
        monitoring[key] = new ServiceMonitoring(services[key], "monitoring", {
          ...options,
          service: services[key],
          project: parsed.project,
          notificationChannels: channels,
          requireNotificationChannel: required,
          projectNumber,
        });
      }
      for (const key of monitoredJobs) {
        new JobMonitoring(jobs[key], "monitoring", {
          job: jobs[key],
          project: parsed.project,
          notificationChannels: channels,
          requireNotificationChannel: required,
        });
      }
    }
    this.monitoring = monitoring;

    // One dashboard per environment: every configured service and job (deployed or not yet: the
    // dashboard is the same in every environment), and the SLOs of the monitored services, by
    // name (they exist once the service is deployed).
    const serviceName = (k: string) => parsed.services[k].name ?? k;
    const sloNames = (k: string): Record<string, string> => {
      const svc = parsed.services[k];
      if (!monitored(svc.monitoring) || svc.monitoring?.slo === false) return {};
      return Object.fromEntries(
        (["availability", "latency"] as const).map((kind) => [
          kind,
          sloName(parsed.project, parsed.region, serviceName(k), kind),
        ]),
      );
    };
    const widgets: Widget[] = [
      {
        kind: "text",
        title: `${parsed.app} in ${parsed.name}`,
        markdown: `Environment **${parsed.name}**, project \`${parsed.project}\`. Managed by cdktf-cloud-run from the environment's file in environments/.`,
      },
      ...Object.keys(parsed.services)
        .sort()
        .flatMap((k) => serviceWidgets(serviceName(k), sloNames(k))),
      ...Object.keys(parsed.jobs ?? {})
        .sort()
        .flatMap((k) => jobWidgets(parsed.jobs![k].name ?? k)),
    ];
    this.dashboard = new MonitoringDashboard(this, "dashboard", {
      project: parsed.project,
      displayName: `${parsed.app} (${parsed.name})`,
      widgets,
    });

    // Enable exactly the APIs the resources above need, and make each resource wait for its own.
    // Those of a service not deployed yet are enabled too: the first apply of a new environment
    // turns on every API its configuration will use, and parity sees the same APIs everywhere.
    this.apis = enableApis(this, parsed.project, pending.flatMap((key) => resourcesOfService(parsed, key)).map(apiFor));

    // The policy pack, at this environment's stage, and the findings the environment accepts.
    this.policyPack = new PolicyPack({
      stage: parsed.stage,
      environment: parsed.name,
      locate: configLocator(parsed, this.node.path, options.source, config),
    });
    Aspects.of(this).add(this.policyPack);
    for (const ack of parsed.acknowledgements ?? []) {
      if (ack.service !== undefined && pending.includes(ack.service)) continue; // nothing to accept yet
      acknowledge(
        ack.service === undefined ? this : (this.services[ack.service] ?? this.jobs[ack.service]),
        ack.rule,
        ack.reason,
      );
    }
  }
}
