export { CloudRunWorkerPool } from "./worker-pool";
export { WORKER_POOL_DEFAULTS } from "./props";
export type { CloudRunWorkerPoolProps } from "./props";
