/*
 * What Google Cloud asks of each Terraform resource type this project creates, in one table: the
 * API that must be enabled before it, the predefined role that manages it and the one that reads
 * it, and whether the managing role must be limited by a condition. Stacks enable exactly the APIs
 * of the resources they create (lib/app/resources.ts), and a bootstrap stack grants its deploy
 * identity the managing roles of exactly the types its environment's stack creates, and its plan
 * identity the reading roles. A type missing here stops synthesis with its name, so a new kind of
 * resource cannot ship before its API, or without a decision about who may manage it.
 *
 * Sources: the provider's resource docs (the service each resource calls), Google's IAM
 * "Understanding roles" reference (permissions of each predefined role): run.viewer includes
 * run.services.getIamPolicy and run.jobs.getIamPolicy, and run.developer has no setIamPolicy;
 * artifactregistry.viewer (not .reader) includes getIamPolicy; iam.securityReviewer reads every
 * IAM policy of the project; cloudscheduler.admin and .viewer manage and read scheduler jobs;
 * storage.admin is the predefined role that creates buckets and sets their IAM policies,
 * storage.bucketViewer reads bucket metadata; one monitoring editor role per kind of resource,
 * and monitoring.viewer reads them all.
 */

/** Who may manage and read resources of one type, as predefined roles. */
export interface ResourceRoles {
  /** The role that creates, changes and deletes resources of the type. */
  readonly manage: string;
  /** The role that reads them, all `terraform plan` needs. */
  readonly read: string;
  /**
   * Limit the managing role to the environment's own buckets by an IAM condition on the bucket's
   * name: `roles/storage.admin` on the whole project would let the deploy identity change the
   * state bucket's IAM policy, and with it grant itself the bootstrap stack's state.
   */
  readonly onlyOwnBuckets?: boolean;
  /**
   * Grant the managing role on the environment's Artifact Registry repository, not on the
   * project: the environment's stack grants it there, beside the repository it creates (whose
   * first apply is the project owner's). Artifact Registry does not read the resource attributes of
   * IAM Conditions, so on the project the role would reach every repository there, and create more.
   */
  readonly onlyOwnRepository?: boolean;
}

/** What one resource (or data source) type needs. */
export interface ResourceType {
  /** The API that must be enabled before a resource of the type is created; none for a data source. */
  readonly api?: string;
  /**
   * The roles a pipeline identity needs to manage and read it, or `ownerOnly` with the reason no
   * pipeline identity may manage it: the project owner applies it (in a bootstrap stack).
   */
  readonly roles: ResourceRoles | { readonly ownerOnly: string };
}

/** Managing them would let the deploy identity grant itself anything. */
const GRANTS_ANYTHING = "managing it would let the deploy identity grant itself any role";

/** Every resource and data source type a stack of this project may create or read, by Terraform type. */
export const RESOURCE_TYPES: Readonly<Record<string, ResourceType>> = {
  google_artifact_registry_repository: {
    api: "artifactregistry.googleapis.com",
    roles: { manage: "roles/artifactregistry.admin", read: "roles/artifactregistry.viewer", onlyOwnRepository: true },
  },
  google_artifact_registry_repository_iam_member: {
    api: "artifactregistry.googleapis.com",
    roles: { manage: "roles/artifactregistry.admin", read: "roles/artifactregistry.viewer", onlyOwnRepository: true },
  },
  google_cloud_run_v2_job: {
    api: "run.googleapis.com",
    roles: { manage: "roles/run.developer", read: "roles/run.viewer" },
  },
  // run.developer cannot set IAM policies; run.admin can.
  google_cloud_run_v2_job_iam_member: {
    api: "run.googleapis.com",
    roles: { manage: "roles/run.admin", read: "roles/run.viewer" },
  },
  google_cloud_run_v2_service: {
    api: "run.googleapis.com",
    roles: { manage: "roles/run.developer", read: "roles/run.viewer" },
  },
  google_cloud_run_v2_service_iam_member: {
    api: "run.googleapis.com",
    roles: { manage: "roles/run.admin", read: "roles/run.viewer" },
  },
  google_cloud_run_v2_worker_pool: {
    api: "run.googleapis.com",
    roles: { manage: "roles/run.developer", read: "roles/run.viewer" },
  },
  google_cloud_scheduler_job: {
    api: "cloudscheduler.googleapis.com",
    roles: { manage: "roles/cloudscheduler.admin", read: "roles/cloudscheduler.viewer" },
  },
  // An Eventarc trigger acts as its service account: making one needs actAs on that account too.
  google_eventarc_trigger: {
    api: "eventarc.googleapis.com",
    roles: { manage: "roles/eventarc.admin", read: "roles/eventarc.viewer" },
  },
  google_iam_workload_identity_pool: {
    api: "iam.googleapis.com",
    roles: { ownerOnly: "it decides who may act as the pipeline identities" },
  },
  google_iam_workload_identity_pool_provider: {
    api: "iam.googleapis.com",
    roles: { ownerOnly: "it decides who may act as the pipeline identities" },
  },
  google_kms_crypto_key_iam_member: {
    api: "cloudkms.googleapis.com",
    roles: { ownerOnly: "a key's IAM policy is its owner's" },
  },
  google_monitoring_alert_policy: {
    api: "monitoring.googleapis.com",
    roles: { manage: "roles/monitoring.alertPolicyEditor", read: "roles/monitoring.viewer" },
  },
  google_monitoring_custom_service: {
    api: "monitoring.googleapis.com",
    roles: { manage: "roles/monitoring.servicesEditor", read: "roles/monitoring.viewer" },
  },
  google_monitoring_dashboard: {
    api: "monitoring.googleapis.com",
    roles: { manage: "roles/monitoring.dashboardEditor", read: "roles/monitoring.viewer" },
  },
  google_monitoring_notification_channel: {
    api: "monitoring.googleapis.com",
    roles: { manage: "roles/monitoring.notificationChannelEditor", read: "roles/monitoring.viewer" },
  },
  google_monitoring_slo: {
    api: "monitoring.googleapis.com",
    roles: { manage: "roles/monitoring.servicesEditor", read: "roles/monitoring.viewer" },
  },
  google_monitoring_uptime_check_config: {
    api: "monitoring.googleapis.com",
    roles: { manage: "roles/monitoring.uptimeCheckConfigEditor", read: "roles/monitoring.viewer" },
  },
  google_project_iam_member: {
    api: "cloudresourcemanager.googleapis.com",
    roles: { ownerOnly: GRANTS_ANYTHING },
  },
  // Enabling APIs is every stack's first step: it needs no API of its own.
  google_project_service: {
    roles: { manage: "roles/serviceusage.serviceUsageAdmin", read: "roles/serviceusage.serviceUsageViewer" },
  },
  google_secret_manager_secret_iam_member: {
    api: "secretmanager.googleapis.com",
    roles: { ownerOnly: "the role that manages secrets' IAM policies can read every secret of the project" },
  },
  google_service_account: {
    api: "iam.googleapis.com",
    roles: { ownerOnly: GRANTS_ANYTHING },
  },
  google_service_account_iam_member: {
    api: "iam.googleapis.com",
    roles: { ownerOnly: GRANTS_ANYTHING },
  },
  google_storage_bucket: {
    api: "storage.googleapis.com",
    roles: { manage: "roles/storage.admin", read: "roles/storage.bucketViewer", onlyOwnBuckets: true },
  },
  google_storage_bucket_iam_member: {
    api: "storage.googleapis.com",
    roles: { manage: "roles/storage.admin", read: "roles/iam.securityReviewer", onlyOwnBuckets: true },
  },
  // A data source a stack reads: the project's number (the service agents' names).
  "data.google_project": { roles: { manage: "roles/browser", read: "roles/browser" } },
};

/**
 * A role that holds every permission of others: those are not granted beside it. Source: IAM
 * "Understanding roles" (Cloud Run roles).
 */
export const IMPLIED_ROLES: Readonly<Record<string, readonly string[]>> = {
  "roles/run.admin": ["roles/run.developer", "roles/run.viewer"],
  "roles/run.developer": ["roles/run.viewer"],
};

/** A reading role: why it holds on the whole project. */
const READS = "read-only; a plan reads what does not exist yet, which a grant on each resource could not";

/**
 * Why each role a pipeline identity may hold on a whole project is not granted on less. IAM
 * Conditions can limit a role to resources by name or type only in the services Google lists
 * ("Resource attributes for IAM Conditions": Cloud Storage, Secret Manager, Compute Engine and
 * others; not Cloud Run, Artifact Registry, Cloud Monitoring, Cloud Scheduler or Service Usage),
 * and a grant on one resource must wait for it, which the identity itself creates. A bootstrap
 * stack refuses to grant a role on a project without a reason here.
 */
export const PROJECT_ROLE_REASONS: Readonly<Record<string, string>> = {
  "roles/run.admin":
    "no condition can limit a Cloud Run role, and a grant on a service or job must wait for it, which this identity creates. More than run.developer by the IAM policies of services and jobs (their invokers: RUN-001 refuses a public one)",
  "roles/run.developer":
    "no condition can limit a Cloud Run role, and a grant on a service or job must wait for it, which this identity creates",
  "roles/cloudscheduler.admin": "no condition can limit a Cloud Scheduler role; a scheduler job has no IAM policy",
  "roles/eventarc.admin":
    "no condition can limit an Eventarc role, and a trigger has no IAM policy. A trigger acts as an account the deploy identity may act as: the trigger accounts, and also the runtime and scheduler accounts, which it may already deploy code as, so this grants no more than that",
  "roles/eventarc.viewer": READS,
  "roles/monitoring.alertPolicyEditor": "no condition can limit a Monitoring role; alert policies have no IAM policy",
  "roles/monitoring.dashboardEditor": "no condition can limit a Monitoring role; dashboards have no IAM policy",
  "roles/monitoring.notificationChannelEditor": "no condition can limit a Monitoring role; channels have no IAM policy",
  "roles/monitoring.servicesEditor": "no condition can limit a Monitoring role; services and SLOs have no IAM policy",
  "roles/monitoring.uptimeCheckConfigEditor":
    "no condition can limit a Monitoring role; uptime checks have no IAM policy",
  "roles/serviceusage.serviceUsageAdmin": "enabling an API acts on the project itself",
  "roles/browser": "reads the project itself (its number)",
  "roles/artifactregistry.writer":
    "not narrowed yet: no condition can limit an Artifact Registry role, and the environment's stack, which grants the deploy identity its role on the repository, does not know which image identity its environment has; the project holds the one repository",
  "roles/artifactregistry.viewer": READS,
  "roles/cloudscheduler.viewer": READS,
  "roles/iam.securityReviewer": READS,
  // The plan identity's reads, and the canary guard's: a canary's metrics (time series) have no
  // IAM policy of their own, so reading them is granted on the project or not at all.
  "roles/monitoring.viewer": `${READS}; metrics (a canary's analysis) have no IAM policy of their own`,
  "roles/run.viewer": READS,
  "roles/serviceusage.serviceUsageViewer": READS,
  "roles/storage.bucketViewer": READS,
};
