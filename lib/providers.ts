/**
 * The one module that imports Google provider classes.
 *
 * Every provider class this library uses is imported here, by deep path. The package root
 * (`@cdktf/provider-google`) loads all 1,474 resource modules eagerly: measured on a 2-core
 * machine, 8.5 s and 1.2 GB to synthesize two small stacks, against about 1 s with deep imports
 * (../shared/REFERENCE.md). Keeping the imports in one place also makes a move to the CDK Terrain
 * fork (`@cdktn/provider-google`) a rename in one file. ESLint's `no-restricted-imports` rule
 * forbids provider imports anywhere else.
 */
export { ArtifactRegistryRepository } from "@cdktf/provider-google/lib/artifact-registry-repository";
export type {
  ArtifactRegistryRepositoryCleanupPolicies,
  ArtifactRegistryRepositoryConfig,
} from "@cdktf/provider-google/lib/artifact-registry-repository";
export { ArtifactRegistryRepositoryIamMember } from "@cdktf/provider-google/lib/artifact-registry-repository-iam-member";
export { CloudRunV2Service } from "@cdktf/provider-google/lib/cloud-run-v2-service";
export type {
  CloudRunV2ServiceConfig,
  CloudRunV2ServiceTemplateContainersEnv,
  CloudRunV2ServiceTraffic,
} from "@cdktf/provider-google/lib/cloud-run-v2-service";
export { CloudRunV2Job } from "@cdktf/provider-google/lib/cloud-run-v2-job";
export type {
  CloudRunV2WorkerPool,
  CloudRunV2WorkerPoolConfig,
} from "@cdktf/provider-google/lib/cloud-run-v2-worker-pool";
export type { EventarcTrigger } from "@cdktf/provider-google/lib/eventarc-trigger";
export type { CloudRunV2JobConfig } from "@cdktf/provider-google/lib/cloud-run-v2-job";
export { CloudRunV2JobIamMember } from "@cdktf/provider-google/lib/cloud-run-v2-job-iam-member";
export { CloudSchedulerJob } from "@cdktf/provider-google/lib/cloud-scheduler-job";
export { CloudRunV2ServiceIamMember } from "@cdktf/provider-google/lib/cloud-run-v2-service-iam-member";
export { DataGoogleProject } from "@cdktf/provider-google/lib/data-google-project";
export { GoogleProvider } from "@cdktf/provider-google/lib/provider";
export { KmsCryptoKeyIamMember } from "@cdktf/provider-google/lib/kms-crypto-key-iam-member";
export { MonitoringAlertPolicy } from "@cdktf/provider-google/lib/monitoring-alert-policy";
export type {
  MonitoringAlertPolicyConditions,
  MonitoringAlertPolicyConfig,
} from "@cdktf/provider-google/lib/monitoring-alert-policy";
export { MonitoringCustomService } from "@cdktf/provider-google/lib/monitoring-custom-service";
export { MonitoringDashboard } from "@cdktf/provider-google/lib/monitoring-dashboard";
export { MonitoringNotificationChannel } from "@cdktf/provider-google/lib/monitoring-notification-channel";
export { MonitoringSlo } from "@cdktf/provider-google/lib/monitoring-slo";
export { MonitoringUptimeCheckConfig } from "@cdktf/provider-google/lib/monitoring-uptime-check-config";
export type { GoogleProviderConfig } from "@cdktf/provider-google/lib/provider";
export { ProjectIamMember } from "@cdktf/provider-google/lib/project-iam-member";
export { ProjectService } from "@cdktf/provider-google/lib/project-service";
export { SecretManagerSecretIamMember } from "@cdktf/provider-google/lib/secret-manager-secret-iam-member";
export { IamWorkloadIdentityPool } from "@cdktf/provider-google/lib/iam-workload-identity-pool";
export { IamWorkloadIdentityPoolProvider } from "@cdktf/provider-google/lib/iam-workload-identity-pool-provider";
export { ServiceAccount } from "@cdktf/provider-google/lib/service-account";
export { ServiceAccountIamMember } from "@cdktf/provider-google/lib/service-account-iam-member";
export { StorageBucket } from "@cdktf/provider-google/lib/storage-bucket";
export type { StorageBucketConfig } from "@cdktf/provider-google/lib/storage-bucket";
export { StorageBucketIamMember } from "@cdktf/provider-google/lib/storage-bucket-iam-member";

/*
 * Classes loaded on first use, not when this module loads: those of resources most stacks never
 * make (a worker pool, an event trigger). Each module costs its load on every synthesis that
 * imports the library, used or not (measured here: the worker pool's 15 ms, the trigger's 3 ms).
 */
/* eslint-disable @typescript-eslint/no-require-imports -- loaded when first used, by deep path */
export const lazyProviders = {
  CloudRunV2WorkerPool: (): typeof import("@cdktf/provider-google/lib/cloud-run-v2-worker-pool").CloudRunV2WorkerPool =>
    require("@cdktf/provider-google/lib/cloud-run-v2-worker-pool").CloudRunV2WorkerPool,
  EventarcTrigger: (): typeof import("@cdktf/provider-google/lib/eventarc-trigger").EventarcTrigger =>
    require("@cdktf/provider-google/lib/eventarc-trigger").EventarcTrigger,
};
/* eslint-enable @typescript-eslint/no-require-imports */
