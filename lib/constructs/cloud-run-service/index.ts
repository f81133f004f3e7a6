export { CloudRunService } from "./service";
export type { CloudRunServiceProps, Ingress, InvokerOptions, Sidecar, TrafficTarget } from "./props";
export type { EventTrigger, EventTriggerOptions, PubSubEventSource, StorageEventSource } from "./events";
