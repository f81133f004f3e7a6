import type { ExecutionEnvironment, INGRESS } from "../../gcp/run";
import { Probe, WORKLOAD_DEFAULTS, WorkloadProps } from "../workload";

/*
 * The props of CloudRunService and their defaults: those every workload takes (WorkloadProps,
 * lib/constructs/workload/props.ts) and a service's own. Every default is written to the
 * synthesized JSON explicitly, so a stack's snapshot shows what runs.
 */

/**
 * One traffic target: a share of requests to one revision, by name (never "the latest ready
 * revision", which moves whenever anything deploys), and optionally a tag with its own URL.
 */
export interface TrafficTarget {
  /** Whole percent of requests, 0-100. All targets together must total 100. */
  readonly percent: number;
  /**
   * An existing revision of this service: one this construct named (`SERVICE-<8 hex>`, see
   * {@link CloudRunService.revisionName}) or one Cloud Run named (`SERVICE-00001-abc`).
   * @default - the revision of this template, {@link CloudRunService.revisionName}
   */
  readonly revision?: string;
  /**
   * A tag, which gives this target its own URL (`https://TAG---SERVICE-...run.app`), for testing a
   * canary before it takes traffic. At least 3 characters; with the service name at most 46.
   * @default - no tag
   */
  readonly tag?: string;
}

/** Where requests may come from. */
export type Ingress = keyof typeof INGRESS;

/** A container beside the main one: a metrics collector, a proxy, a model downloader. */
export interface Sidecar {
  /** Its name: a DNS label (lowercase letters, digits, hyphens), unique among the containers. */
  readonly name: string;
  /** Its image; pinned by digest where the service requires it. */
  readonly image: string;
  /**
   * Plain environment variables.
   * @default - none
   */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * CPU limit.
   * @default "0.5"
   */
  readonly cpu?: string;
  /**
   * Memory limit.
   * @default "256Mi"
   */
  readonly memory?: string;
  /**
   * A startup probe (it has no port of its own: give the probe's port).
   * @default - none
   */
  readonly startupProbe?: Probe;
  /**
   * Containers that must have started before this one (by name).
   * @default - none
   */
  readonly startAfter?: readonly string[];
}

export interface CloudRunServiceProps extends WorkloadProps {
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
  readonly executionEnvironment?: ExecutionEnvironment;

  /**
   * A liveness probe (HTTP or gRPC); a container failing it is restarted.
   * @default - none
   */
  readonly livenessProbe?: Probe;

  /**
   * How requests are split between revisions, each by name. Percents must total 100; tags must
   * be unique. A canary: `[{ revision: "predict-1a2b3c4d", percent: 90, tag: "stable" },
   * { percent: 10, tag: "canary" }]`, the second being this template's revision.
   * @default - 100% to this template's revision, by its name
   */
  readonly traffic?: readonly TrafficTarget[];

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
   * Turn Cloud Run's invoker check off: anyone who can reach the service's URL may call it,
   * without IAM (`invoker_iam_disabled`). A public service by another road than `allUsers`: the
   * policy pack refuses it (RUN-002) unless acknowledged with a reason. Refused together with
   * `invokers` or `allowPublic`, which it would make meaningless.
   * @default false
   */
  readonly invokerIamDisabled?: boolean;

  /**
   * Session affinity: Cloud Run sends a client's requests to the same instance, on a best-effort
   * basis (a cookie). Written only when true: writing false into every template would rename every
   * existing revision (a revision's name is its template's hash) for no change.
   * @default false
   */
  readonly sessionAffinity?: boolean;

  /**
   * A description of the service.
   * @default - none
   */
  readonly description?: string;

  /**
   * The working directory of the main container.
   * @default - the image's WORKDIR
   */
  readonly workingDir?: string;

  /**
   * Serve HTTP/2 end to end (cleartext, port name `h2c`): what a gRPC server needs.
   * @default false
   */
  readonly http2?: boolean;

  /**
   * Containers beside the main one. Only the main container has a port.
   * @default - none
   */
  readonly sidecars?: readonly Sidecar[];

  /**
   * The main container's name: written when the service has sidecars (they refer to it).
   * @default "main"
   */
  readonly containerName?: string;

  /**
   * Containers (sidecars, by name) that must have started before the main container.
   * @default - none
   */
  readonly startAfter?: readonly string[];

  /**
   * Audiences, besides the service URL, that tokens may be minted for: a load balancer's or a
   * custom domain's URL.
   * @default - none
   */
  readonly customAudiences?: readonly string[];

  /**
   * Instances kept warm for the whole service, shared by the revisions that take traffic (the
   * service-level `scaling.min_instance_count`). Always written.
   * @default 0
   */
  readonly serviceMinInstances?: number;
}

/** The defaults of {@link CloudRunServiceProps}, in one place. */
export const DEFAULTS = {
  ...WORKLOAD_DEFAULTS,
  containerName: "main",
  sidecarCpu: "0.5",
  serviceMinInstances: 0,
  cpuIdle: true,
  startupCpuBoost: true,
  minInstances: 0,
  maxInstances: 10,
  concurrency: 80,
  timeoutSeconds: 300,
  ingress: "all" as Ingress,
};

/** Options of {@link CloudRunService.grantInvoker}. */
export interface InvokerOptions {
  /**
   * Allow `allUsers` or `allAuthenticatedUsers`.
   * @default - the service's `allowPublic` prop
   */
  readonly allowPublic?: boolean;
}
