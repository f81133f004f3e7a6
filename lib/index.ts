// The package's public API: the constructs, the policy pack and the validation error. Each name
// is re-exported from the module that defines it. The per-environment app (lib/app/) is not here.
export { ArtifactRepository } from "./constructs/artifact-repository";
export type { ArtifactRepositoryProps, CleanupProps, GrantOptions } from "./constructs/artifact-repository";
export type { RepositoryFormat, Upstream } from "./gcp/artifact-registry";
export { FORMATS, UPSTREAMS } from "./gcp/artifact-registry";
export { INGRESS, VPC_EGRESS } from "./gcp/run";
export { CloudRunJob } from "./constructs/cloud-run-job";
export type { CloudRunJobProps, JobSchedule, RunnerOptions } from "./constructs/cloud-run-job";
export { CloudRunService } from "./constructs/cloud-run-service";
export type {
  CloudRunServiceProps,
  EventTrigger,
  EventTriggerOptions,
  Ingress,
  InvokerOptions,
  PubSubEventSource,
  Sidecar,
  StorageEventSource,
  TrafficTarget,
} from "./constructs/cloud-run-service";
export { CloudRunWorkerPool } from "./constructs/cloud-run-worker-pool";
export type { CloudRunWorkerPoolProps } from "./constructs/cloud-run-worker-pool";
export { STORAGE_EVENT_TYPES } from "./gcp/run";
export type { StorageEventType } from "./gcp/run";
export type {
  BinaryAuthorization,
  CloudSqlVolume,
  CloudStorageVolume,
  InMemoryVolume,
  NfsVolume,
  SecretVolume,
  SecretVolumeFile,
  Volume,
  ConnectorVpcAccess,
  DirectVpcAccess,
  Gpu,
  GrpcProbe,
  HttpProbe,
  Probe,
  ProbeTimings,
  SecretEnvVar,
  TcpProbe,
  VpcEgress,
  WorkloadProps,
} from "./constructs/workload";
export {
  accountIdFor,
  eventTriggerServiceAccountId,
  jobServiceAccountId,
  runtimeServiceAccountId,
  schedulerServiceAccountId,
  workerPoolServiceAccountId,
} from "./gcp/iam";
export type { CommonProps, Dependency } from "./constructs/common";
export type { Grant, Grantee, IGrantee } from "./constructs/grants";
export { GitHubWorkloadIdentity } from "./constructs/github-workload-identity";
export type { GitHubWorkloadIdentityProps } from "./constructs/github-workload-identity";
export type { GitHubWorkflowJobs } from "./gcp/workload-identity";
export { ModelBucket } from "./constructs/model-bucket";
export {
  JobMonitoring,
  MonitoringDashboard,
  NotificationChannels,
  ServiceMonitoring,
  jobWidgets,
  serviceWidgets,
} from "./constructs/monitoring";
export type {
  JobMonitoringProps,
  MonitoringDashboardProps,
  NotificationChannelsProps,
  RatioSeries,
  Series,
  ServiceMonitoringProps,
  SloOptions,
  UptimeCheckOptions,
  Widget,
} from "./constructs/monitoring";
export type { ModelBucketProps } from "./constructs/model-bucket";
export type { ProtectedBucketProps } from "./constructs/bucket";
export { ProjectServices } from "./constructs/project-services";
export type { ProjectServicesProps } from "./constructs/project-services";
export { StateBucket } from "./constructs/state-bucket";
export type { StateBucketProps, StateGrantOptions } from "./constructs/state-bucket";
export { ValidationError } from "./gcp/validation";
export type { Problem } from "./gcp/validation";
export * from "./policies";
