import { DirectVpcAccess, WORKLOAD_DEFAULTS, WorkloadProps } from "../workload";

/*
 * The props of CloudRunWorkerPool and their defaults: those every workload takes (WorkloadProps,
 * lib/constructs/workload/props.ts) but for what a worker pool has not, and a pool's own. Every
 * default is written to the synthesized JSON explicitly, so a stack's snapshot shows what runs.
 */

/**
 * The props of a {@link CloudRunWorkerPool}: an always-on consumer (of a Pub/Sub subscription, a
 * queue) with no port, no URL and no autoscaling. The google provider 6.50 has no probe, no port
 * and no Serverless VPC Access connector for a worker pool, so those props are not offered:
 * `vpcAccess` is direct VPC egress only. It has a GPU (`node_selector`), which is not offered yet:
 * the regions that give worker pools GPUs are not in this library's table of GPU facts.
 */
export interface CloudRunWorkerPoolProps extends Omit<
  WorkloadProps,
  "gpu" | "startupProbe" | "containerPort" | "vpcAccess"
> {
  /**
   * Instances running, always (manual scaling; each is billed as active, busy or not). 0 stops
   * the pool without deleting it. Changing it makes no new revision.
   * @see https://cloud.google.com/run/docs/configuring/workerpools/manual-scaling
   * @default 1
   */
  readonly instanceCount?: number;

  /**
   * Direct VPC egress: the instances get addresses in a subnet.
   * @default - none: the internet only
   */
  readonly vpcAccess?: DirectVpcAccess;

  /**
   * Memory limit per instance, such as "2Gi"; checked against `cpu`. More than a service's
   * default: a consumer holds its batch in memory, and in-memory volumes count against it.
   * @see https://cloud.google.com/run/docs/configuring/services/memory-limits
   * @default "2Gi"
   */
  readonly memory?: string;

  /**
   * A description of the worker pool, at most 512 characters.
   * @default - none
   */
  readonly description?: string;
}

/** The defaults of {@link CloudRunWorkerPoolProps}, in one place. */
export const WORKER_POOL_DEFAULTS = {
  ...WORKLOAD_DEFAULTS,
  memory: "2Gi",
  instanceCount: 1,
};

/**
 * The props with a pool's own defaults where they differ from every workload's (memory): the
 * checks and the rendering a pool shares with services and jobs read WORKLOAD_DEFAULTS for what is
 * not given.
 */
export function withPoolDefaults(
  props: CloudRunWorkerPoolProps,
): CloudRunWorkerPoolProps & { readonly memory: string } {
  return { ...props, memory: props.memory ?? WORKER_POOL_DEFAULTS.memory };
}
