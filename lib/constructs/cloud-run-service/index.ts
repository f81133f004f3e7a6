export { CloudRunService } from "./service";
export { runtimeServiceAccountId } from "./service-account";
export type {
  CloudRunServiceProps,
  CloudStorageVolume,
  Gpu,
  HttpProbe,
  Ingress,
  InvokerOptions,
  SecretEnvVar,
  TrafficTarget,
} from "./props";
