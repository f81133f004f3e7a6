export { CloudRunService } from "./service";
export { runtimeServiceAccountId } from "./service-account";
export type {
  CloudRunServiceProps,
  CloudStorageVolume,
  ConnectorVpcAccess,
  DirectVpcAccess,
  Gpu,
  GrpcProbe,
  HttpProbe,
  Probe,
  Sidecar,
  TcpProbe,
  VpcEgress,
  Ingress,
  InvokerOptions,
  SecretEnvVar,
  TrafficTarget,
} from "./props";
