export { CloudRunService } from "./service";
export type { CloudRunServiceProps, Ingress, InvokerOptions, Sidecar, TrafficTarget } from "./props";
