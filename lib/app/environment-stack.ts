import { hasOwn } from "../gcp/validation";
import { TerraformOutput, TerraformResource, TerraformStack, dependable } from "cdktf";
import { Construct } from "constructs";
import { ArtifactRepository } from "../constructs/artifact-repository";
import { CloudRunJob } from "../constructs/cloud-run-job";
import { CloudRunService } from "../constructs/cloud-run-service";
import { CloudRunWorkerPool } from "../constructs/cloud-run-worker-pool";
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
import { WorkloadKind, workloadApis } from "../constructs/workload";
import { sortedRecord } from "../gcp/terraform";
import { acknowledge } from "../policies";
import { CloudRunV2ServiceIamMember, DataGoogleProject } from "../providers";
import { EnvironmentConfig, parseEnvironmentConfig, repositoryProps, serviceProps } from "./config";
import { BucketResolver, anythingMonitored, bucketProps, jobProps, monitored, workerPoolProps } from "./config/props";
import {
  canaryGuarded,
  eventTriggerAccountEmail,
  identityMember,
  schedulerAccountEmail,
  workloadAccountEmail,
} from "./identities";
import { ParityMetadata } from "./parity";
import {
  JOB_PLACEHOLDER_IMAGE,
  PLACEHOLDER_IMAGE,
  WORKER_POOL_PLACEHOLDER_IMAGE,
  drillEnv,
  imageOf,
  modelEnv,
  notDeployed,
  parseRelease,
  placeholderProps,
  releaseManaged,
  releasedEverywhere,
  templateDigest,
  trafficOf,
} from "./release/deployment";
import { EMPTY_RELEASE, ReleaseFile } from "./release/model";
import { apiFor, enableApis, resourceTypesOf, resourcesUnder } from "./resources";
import { AppStack } from "./stack-base";

/** Options of {@link EnvironmentStack}. */
export interface EnvironmentStackOptions {
  /**
   * The file the configuration comes from (`environments/prod.ts`), named in policy findings with
   * the field they come from.
   * @default - findings name the environment
   */
  readonly source?: string;
  /**
   * The environment's release file (environments/releases/<env>.json): the digest each service
   * runs, and its canary. A service without one runs a public placeholder in development; at a
   * later stage it is not deployed ({@link notDeployed}).
   * @default - no release: every service is new
   */
  readonly release?: unknown;
}

/**
 * One environment's stack, from its configuration, as {@link AppStack} starts every stack (the
 * google provider, labels, a GCS backend, the policy pack):
 *
 * - the Artifact Registry repository its images are pushed to (`repository`), which the deploy
 *   identity manages (a grant on the repository, not the project);
 * - its buckets, such as the one models are trained into (`bucket-<key>`);
 * - each service (`<key>`), running the digest and model its release names, as the runtime
 *   account its bootstrap stack made; where its canaries are analyzed, the canary guard may
 *   change it (`<key>/canary-guard`), to move a failing canary's traffic back at once;
 * - each job (`<key>`), likewise, which the pipeline's job runner may execute;
 * - monitoring of each monitored service and job, routed to the environment's channels
 *   (`alert-channels`), and one dashboard (`dashboard`);
 * - exactly the APIs those resources need, each resource waiting for its own (`apis`);
 * - outputs: the repository's URL, each bucket, service URL, runtime account and job.
 *
 * Construct ids are Terraform addresses and stay fixed. Renaming a service key in the
 * configuration destroys and recreates that service.
 */
export class EnvironmentStack extends AppStack {
  readonly repository: ArtifactRepository;
  /** The services deployed, by their key in the configuration. */
  readonly services: Readonly<Record<string, CloudRunService>>;
  /** The jobs deployed, by their key in the configuration. */
  readonly jobs: Readonly<Record<string, CloudRunJob>>;
  /** The worker pools, by their key in the configuration. */
  readonly workerPools: Readonly<Record<string, CloudRunWorkerPool>>;
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

  private readonly release: ReleaseFile;

  /**
   * @param config the environment's configuration, typed or untyped; it is validated with
   *   {@link parseEnvironmentConfig}, which throws `ConfigError` before anything is created.
   */
  constructor(
    scope: Construct,
    id: string,
    config: EnvironmentConfig | unknown,
    options: EnvironmentStackOptions = {},
  ) {
    const parsed = parseEnvironmentConfig(config);
    const release = parseRelease(parsed, options.release);
    const pending = notDeployed(parsed, release);
    // Services with no release in development run Google's placeholder, without their own
    // image's settings (probes, command): parity leaves their containers out here.
    const placeholders =
      parsed.stage === "development" ? Object.keys(parsed.services).filter((k) => !hasOwn(release.services, k)) : [];
    super(scope, id, parsed, { raw: config, file: options.source, state: parsed.name });
    this.release = release;
    this.notDeployed = pending;
    new ParityMetadata(this, "parity", {
      environment: parsed.name,
      project: parsed.project,
      differences: sortedRecord(parsed.differences) ?? {},
      releaseManaged: releaseManaged(parsed),
      stateBucket: parsed.stateBucket,
      ...(pending.length > 0 ? { notDeployed: pending } : {}),
      ...(placeholders.length > 0 ? { placeholders } : {}),
    });

    this.repository = this.addRepository();
    this.buckets = this.addBuckets();
    const resolve: BucketResolver = (key) => this.buckets[key];
    this.services = this.addServices(resolve);
    this.jobs = this.addJobs(resolve);
    this.workerPools = this.addWorkerPools(resolve);
    this.monitoring = this.addMonitoring();
    this.dashboard = this.addDashboard();
    // Exactly the APIs the resources above need, each resource waiting for its own. Those of a
    // service not deployed yet are enabled too: the first apply of a new environment turns on
    // every API its configuration will use, and parity sees the same APIs everywhere.
    this.apis = enableApis(this, parsed.project, [
      ...pending.flatMap((key) => resourcesOfWorkload(parsed, key)).map(apiFor),
      ...configuredApis(parsed),
    ]);
    this.waitForConfiguredApis();
    this.acceptFindings();
  }

  /**
   * The repository, and its URL as an output. The deploy identity manages it here, on the
   * repository (construct id `repository/admin-deploy`), not on the project: Artifact Registry
   * does not read IAM Conditions' resource attributes, so the project's role would reach every
   * repository there. The grant needs the repository, so it is this stack's; its first apply is
   * the project owner's, who creates the repository.
   */
  private addRepository(): ArtifactRepository {
    const { config } = this;
    const repository = new ArtifactRepository(this, "repository", repositoryProps(config));
    repository.grantAdmin(identityMember(config, "deploy"), { id: "deploy" });
    new TerraformOutput(this, "repository_url", {
      value: repository.repositoryUrl,
      description: `Artifact Registry repository for ${config.app} images in ${config.name}; push to ${repository.repositoryUrl}/IMAGE`,
      staticId: true,
    });
    return repository;
  }

  /** The buckets (models are trained into one), before the workloads that mount them. */
  private addBuckets(): Record<string, ModelBucket> {
    const { config } = this;
    const buckets: Record<string, ModelBucket> = {};
    for (const key of Object.keys(config.buckets ?? {}).sort()) {
      buckets[key] = new ModelBucket(this, `bucket-${key}`, bucketProps(config, key));
      new TerraformOutput(this, `${key}_bucket`, {
        value: buckets[key].bucket.name,
        description: `Cloud Storage bucket ${key} of ${config.name}`,
        staticId: true,
      });
    }
    return buckets;
  }

  /**
   * Each service runs the digest its release names, from this environment's repository: Cloud
   * Run's service agent pulls it, and in its own project it may already (Artifact Registry,
   * "Deploying to Cloud Run"); the runtime account needs no grant to pull.
   */
  private addServices(resolve: BucketResolver): Record<string, CloudRunService> {
    const { config } = this;
    const services: Record<string, CloudRunService> = {};
    const guarded = canaryGuarded(config);
    for (const key of Object.keys(config.services).sort()) {
      if (this.notDeployed.includes(key)) continue;
      const released = this.release.services[key];
      const props = released
        ? serviceProps(config, key, resolve)
        : placeholderProps(serviceProps(config, key, resolve));
      const env = { ...props.env, ...modelEnv(config, key, released), ...drillEnv(released) };
      const service = new CloudRunService(this, key, {
        ...props,
        ...bootstrapMade(config, key, "service"),
        env: Object.keys(env).length > 0 ? env : undefined,
        image: released ? imageOf(config, key, templateDigest(released)) : PLACEHOLDER_IMAGE,
        // The main image is a released digest whenever there is a release; sidecar images are
        // configuration, pinned past development (checked with the configuration).
        requireImageDigest: released !== undefined && config.stage !== "development",
        traffic: trafficOf(released),
      });
      if (guarded.includes(key)) grantCanaryGuard(config, service);
      addEvents(config, key, service, resolve);
      services[key] = service;
      new TerraformOutput(this, `${key}_url`, {
        value: service.uri,
        description: `URL of the Cloud Run service ${service.serviceName} in ${config.name}`,
        staticId: true,
      });
      new TerraformOutput(this, `${key}_service_account`, {
        value: service.serviceAccountEmail,
        description: `Runtime service account of ${service.serviceName} in ${config.name}`,
        staticId: true,
      });
    }
    return services;
  }

  /**
   * Each job runs the digest its release names, as its own account; a scheduled one is called by
   * its scheduler account (both the bootstrap stack's), which gets invoker on this job only.
   */
  private addJobs(resolve: BucketResolver): Record<string, CloudRunJob> {
    const { config } = this;
    const jobs: Record<string, CloudRunJob> = {};
    for (const key of Object.keys(config.jobs ?? {}).sort()) {
      if (this.notDeployed.includes(key)) continue;
      const released = this.release.services[key];
      const job = new CloudRunJob(this, key, {
        ...environmentJobProps(config, key, resolve),
        image: released ? imageOf(config, key, released.digest) : JOB_PLACEHOLDER_IMAGE,
        requireImageDigest: released !== undefined,
      });
      // The Train workflow runs it as the bootstrap stack's runner identity. With arguments of
      // its own (overrides) only in development: an override can change the command line and
      // environment, which is running any code as the job's account, and past development that
      // account writes the bucket whose versions serve.
      job.grantRunner(identityMember(config, "runner"), { id: "pipeline", overrides: config.stage === "development" });
      jobs[key] = job;
      new TerraformOutput(this, `${key}_job`, {
        value: job.job.name,
        description: `Cloud Run job ${job.jobName} in ${config.name}: gcloud run jobs execute ${job.jobName} --region ${config.region} --wait`,
        staticId: true,
      });
    }
    return jobs;
  }

  /**
   * Each worker pool runs the digest its release names, as its own account (the bootstrap
   * stack's); in development, one with no release yet runs Google's sample worker pool.
   */
  private addWorkerPools(resolve: BucketResolver): Record<string, CloudRunWorkerPool> {
    const { config } = this;
    const pools: Record<string, CloudRunWorkerPool> = {};
    for (const key of Object.keys(config.workerPools ?? {}).sort()) {
      if (this.notDeployed.includes(key)) continue;
      const released = this.release.services[key];
      const pool = new CloudRunWorkerPool(this, key, {
        ...workerPoolProps(config, key, resolve),
        ...bootstrapMade(config, key, "workerPool"),
        image: released ? imageOf(config, key, released.digest) : WORKER_POOL_PLACEHOLDER_IMAGE,
        requireImageDigest: released !== undefined,
      });
      pools[key] = pool;
      new TerraformOutput(this, `${key}_worker_pool`, {
        value: pool.workerPool.name,
        description: `Cloud Run worker pool ${pool.workerPoolName} in ${config.name}: ${pool.instanceCount} instance(s)`,
        staticId: true,
      });
    }
    return pools;
  }

  /**
   * Monitoring (on by default in preproduction and production): an uptime check, alerts and SLOs
   * for each service, a failure alert for each job, all routed to the environment's channels.
   * Each lives under its service or job, so it comes and goes with it. The channels and the
   * project's number follow the configuration, not what is deployed yet, so environments that
   * deploy different services still compare equal.
   */
  private addMonitoring(): Record<string, ServiceMonitoring> {
    const { config } = this;
    const monitoring: Record<string, ServiceMonitoring> = {};
    if (!anythingMonitored(config)) return monitoring;
    const channels = new NotificationChannels(this, "alert-channels", {
      project: config.project,
      emails: config.monitoring?.emails,
      existing: config.monitoring?.notificationChannels,
    }).ids;
    const required = config.stage === "production";
    const projectNumber = new DataGoogleProject(this, "project", { projectId: config.project }).number;
    for (const [key, service] of Object.entries(this.services)) {
      if (!monitored(config, config.services[key].monitoring)) continue;
      const { enabled: _enabled, ...options } = config.services[key].monitoring ?? {};
      monitoring[key] = new ServiceMonitoring(service, "monitoring", {
        ...options,
        service,
        project: config.project,
        notificationChannels: channels,
        requireNotificationChannel: required,
        projectNumber,
      });
    }
    for (const [key, job] of Object.entries(this.jobs)) {
      if (!monitored(config, config.jobs![key].monitoring)) continue;
      new JobMonitoring(job, "monitoring", {
        job,
        project: config.project,
        notificationChannels: channels,
        requireNotificationChannel: required,
      });
    }
    return monitoring;
  }

  /**
   * One dashboard per environment: every configured service and job (deployed or not yet: the
   * dashboard is the same in every environment), and the SLOs of the monitored services, by name
   * (they exist once the service is deployed).
   */
  private addDashboard(): MonitoringDashboard {
    const { config } = this;
    const serviceName = (k: string) => config.services[k].name ?? k;
    const sloNames = (k: string): Record<string, string> => {
      const svc = config.services[k];
      if (!monitored(config, svc.monitoring) || svc.monitoring?.slo === false) return {};
      return Object.fromEntries(
        (["availability", "latency"] as const).map((kind) => [
          kind,
          sloName(config.project, config.region, serviceName(k), kind),
        ]),
      );
    };
    const widgets: Widget[] = [
      {
        kind: "text",
        title: `${config.app} in ${config.name}`,
        markdown: `Environment **${config.name}**, project \`${config.project}\`. Managed by cdktf-cloud-run from the environment's file in environments/.`,
      },
      ...Object.keys(config.services)
        .sort()
        .flatMap((k) => serviceWidgets(serviceName(k), sloNames(k))),
      ...Object.keys(config.jobs ?? {})
        .sort()
        .flatMap((k) => jobWidgets(config.jobs![k].name ?? k)),
    ];
    return new MonitoringDashboard(this, "dashboard", {
      project: config.project,
      displayName: `${config.app} (${config.name})`,
      widgets,
    });
  }

  /**
   * Each workload waits for the APIs its settings need beyond its resource's own (enableApis makes
   * it wait for that one): Binary Authorization, the Cloud SQL Admin API; each event trigger for
   * Pub/Sub, which carries its events. On a new project they are enabled first.
   */
  private waitForConfiguredApis(): void {
    const { config } = this;
    const wait = (resource: TerraformResource, apis: readonly string[]) => {
      if (apis.length === 0) return;
      resource.dependsOn = [...(resource.dependsOn ?? []), ...apis.map((api) => dependable(this.apis.resource(api)))];
    };
    for (const [key, service] of Object.entries(this.services)) {
      wait(service.service, workloadApis(serviceProps(config, key)));
      const triggers = service.node
        .findAll()
        .filter(
          (c): c is TerraformResource =>
            c instanceof TerraformResource && c.terraformResourceType === "google_eventarc_trigger",
        );
      for (const trigger of triggers) {
        wait(trigger, ["pubsub.googleapis.com"]);
      }
    }
    for (const [key, job] of Object.entries(this.jobs)) wait(job.job, workloadApis(jobProps(config, key)));
    for (const [key, pool] of Object.entries(this.workerPools)) {
      wait(pool.workerPool, workloadApis(workerPoolProps(config, key)));
    }
  }

  /** The findings the environment accepts, each on the whole stack or on one service or job. */
  private acceptFindings(): void {
    for (const ack of this.config.acknowledgements ?? []) {
      if (ack.service !== undefined && this.notDeployed.includes(ack.service)) continue; // nothing to accept yet
      const scope =
        ack.service === undefined
          ? this
          : (this.services[ack.service] ?? this.jobs[ack.service] ?? this.workerPools[ack.service]);
      acknowledge(scope, ack.rule, ack.reason);
    }
  }
}

/**
 * The canary guard (the bootstrap stack's `canary-guard@`, which only canary.yml on main can
 * sign in as) may change this service: `roles/run.developer` on the service alone (construct id
 * `<key>/canary-guard`), for a service whose canaries are analyzed. `npm run release --
 * revert-traffic` needs it to move a failing canary's traffic back to the stable revision at once;
 * Cloud Run asks for Cloud Run Developer on the service (and Service Account User on its identity,
 * which the bootstrap stack grants) to change its traffic ("Rollbacks, gradual rollouts, and
 * traffic migration"). Cloud Run has no traffic-only permission: the role could also deploy a
 * revision of this service, which canary.yml's code never does (it only moves traffic to the
 * stable revision named in git); Cloud Audit Logs record each change, and the drift check reports
 * a template or traffic that is not this stack's. It cannot change the service's IAM policy.
 * Here, not in the bootstrap stack, because the grant needs the service, as the job runner's
 * grants on its jobs do; the bootstrap stack reports it.
 */
function grantCanaryGuard(config: EnvironmentConfig, service: CloudRunService): CloudRunV2ServiceIamMember {
  return new CloudRunV2ServiceIamMember(service, "canary-guard", {
    project: service.project,
    location: service.location,
    name: service.service.name,
    role: "roles/run.developer",
    member: identityMember(config, "canary"),
  });
}

/**
 * A service's event triggers (`<key>/events-<id>`): each calls the service as its account from the
 * bootstrap stack, which also grants that account the receiver role and the Cloud Storage service
 * agent its role; here, the trigger and its invoker grant on this service.
 */
function addEvents(config: EnvironmentConfig, key: string, service: CloudRunService, resolve: BucketResolver): void {
  const events = Object.entries(config.services[key].events ?? {}).sort(([a], [b]) => a.localeCompare(b));
  for (const [id, event] of events) {
    service.addEventTrigger(id, {
      source:
        "bucket" in event.source
          ? { storageBucket: resolve(event.source.bucket), eventType: event.source.eventType }
          : { pubsubTopic: event.source.pubsubTopic },
      path: event.path,
      serviceAccountEmail: eventTriggerAccountEmail(config, key, id),
      grantServiceAgents: false,
    });
  }
}

/**
 * The APIs the environment's workloads need beyond their resources' (Binary Authorization, the
 * Cloud SQL Admin API), deployed or not: see {@link workloadApis}.
 */
function configuredApis(config: EnvironmentConfig): string[] {
  return [
    ...Object.keys(config.services).map((key) => serviceProps(config, key)),
    ...Object.keys(config.jobs ?? {}).map((key) => jobProps(config, key)),
    ...Object.keys(config.workerPools ?? {}).map((key) => workerPoolProps(config, key)),
  ]
    .flatMap(workloadApis)
    .concat(
      // Eventarc carries events through Pub/Sub: both, for a trigger deployed or not.
      Object.values(config.services).some((s) => Object.keys(s.events ?? {}).length > 0)
        ? ["eventarc.googleapis.com", "pubsub.googleapis.com"]
        : [],
    );
}

/**
 * What a workload of an environment's stack takes from its bootstrap stack instead of creating:
 * its runtime account (with its project roles and secret access), and for a service the grant of
 * a customer-managed key (a key's IAM policy is its owner's). Managing accounts and IAM policies
 * would let the deploy identity grant itself more.
 */
function bootstrapMade(config: EnvironmentConfig, key: string, kind: WorkloadKind) {
  return {
    serviceAccountEmail: workloadAccountEmail(config, key, kind),
    grantSecretAccess: false,
    grantKeyAccess: false,
    grantCloudSqlAccess: false,
  };
}

/**
 * A job's props in an environment's stack, but for the image: it runs as its bootstrap-made
 * account, and a schedule calls it as the bootstrap-made scheduler account.
 */
function environmentJobProps(config: EnvironmentConfig, key: string, resolve?: BucketResolver) {
  const props = jobProps(config, key, resolve);
  return {
    ...props,
    ...bootstrapMade(config, key, "job"),
    schedule:
      props.schedule === undefined
        ? undefined
        : { ...props.schedule, serviceAccountEmail: schedulerAccountEmail(config, key) },
  };
}

/**
 * The resources a service or job would create, built apart from any stack that synthesizes (in a
 * detached construct tree, thrown away): what one not deployed yet will need.
 */
function resourcesOfWorkload(config: EnvironmentConfig, key: string) {
  const scratch = new TerraformStack(new Construct(undefined as never, ""), "scratch");
  if (config.services[key] !== undefined) {
    new CloudRunService(scratch, key, {
      ...serviceProps(config, key),
      ...bootstrapMade(config, key, "service"),
      image: PLACEHOLDER_IMAGE,
      requireImageDigest: false,
    });
  } else if (config.jobs?.[key] !== undefined) {
    new CloudRunJob(scratch, key, { ...environmentJobProps(config, key), image: JOB_PLACEHOLDER_IMAGE });
  } else {
    new CloudRunWorkerPool(scratch, key, {
      ...workerPoolProps(config, key),
      ...bootstrapMade(config, key, "workerPool"),
      image: WORKER_POOL_PLACEHOLDER_IMAGE,
    });
  }
  return resourcesUnder(scratch);
}

/**
 * The resource types an environment's stack creates, every service counted as deployed (those
 * without a release yet too), built apart in a detached construct tree: what its deploy identity
 * must manage, and its plan identity read.
 */
export function environmentResourceTypes(config: EnvironmentConfig): string[] {
  return resourceTypesOf(
    new EnvironmentStack(new Construct(undefined as never, ""), config.name, config, {
      release: releasedEverywhere(config, EMPTY_RELEASE),
    }),
  );
}
