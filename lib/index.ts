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
  Ingress,
  InvokerOptions,
  Sidecar,
  TrafficTarget,
} from "./constructs/cloud-run-service";
export type {
  CloudStorageVolume,
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
export { accountIdFor, jobServiceAccountId, runtimeServiceAccountId, schedulerServiceAccountId } from "./gcp/iam";
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
