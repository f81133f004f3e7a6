import { TerraformResource, dependable } from "cdktf";
import { Construct, IConstruct } from "constructs";
import { ProjectServices } from "../constructs/project-services";

/**
 * The API each Terraform resource type needs enabled. {@link EnvironmentStack} enables exactly
 * the APIs of the resources it creates, and refuses a resource type missing here, so a new kind
 * of resource cannot be created before its API by accident.
 */
export const API_FOR_RESOURCE: Readonly<Record<string, string>> = {
  google_artifact_registry_repository: "artifactregistry.googleapis.com",
  google_artifact_registry_repository_iam_member: "artifactregistry.googleapis.com",
  google_cloud_run_v2_job: "run.googleapis.com",
  google_cloud_run_v2_job_iam_member: "run.googleapis.com",
  google_cloud_run_v2_service: "run.googleapis.com",
  google_cloud_run_v2_service_iam_member: "run.googleapis.com",
  google_cloud_scheduler_job: "cloudscheduler.googleapis.com",
  google_kms_crypto_key_iam_member: "cloudkms.googleapis.com",
  google_monitoring_alert_policy: "monitoring.googleapis.com",
  google_monitoring_custom_service: "monitoring.googleapis.com",
  google_monitoring_dashboard: "monitoring.googleapis.com",
  google_monitoring_notification_channel: "monitoring.googleapis.com",
  google_monitoring_slo: "monitoring.googleapis.com",
  google_monitoring_uptime_check_config: "monitoring.googleapis.com",
  google_project_iam_member: "cloudresourcemanager.googleapis.com",
  google_secret_manager_secret_iam_member: "secretmanager.googleapis.com",
  google_service_account: "iam.googleapis.com",
  google_service_account_iam_member: "iam.googleapis.com",
  google_iam_workload_identity_pool: "iam.googleapis.com",
  google_iam_workload_identity_pool_provider: "iam.googleapis.com",
  google_storage_bucket: "storage.googleapis.com",
  google_storage_bucket_iam_member: "storage.googleapis.com",
};

/**
 * Enables, in `scope`'s stack, the APIs of every resource under `scope` plus `extra`, as a
 * `ProjectServices` with construct id `apis`, and makes each resource wait for its own API: on
 * an empty project, Terraform enables the APIs first.
 */
export function enableApis(scope: Construct, project: string, extra: readonly string[] = []): ProjectServices {
  const resources = resourcesUnder(scope);
  const apis = new ProjectServices(scope, "apis", { project, services: [...resources.map(apiFor), ...extra] });
  for (const resource of resources) {
    const api = apis.resource(apiFor(resource));
    resource.dependsOn = [...(resource.dependsOn ?? []), dependable(api)];
  }
  return apis;
}

/** The Terraform resources under a construct, except API enablement itself, in tree order. */
export function resourcesUnder(scope: IConstruct): TerraformResource[] {
  return scope.node
    .findAll()
    .filter((c): c is TerraformResource => c instanceof TerraformResource)
    .filter((r) => r.terraformResourceType !== "google_project_service");
}

/** The API a resource needs; throws for a resource type with no known API. */
export function apiFor(resource: TerraformResource): string {
  const api = API_FOR_RESOURCE[resource.terraformResourceType];
  if (api === undefined) {
    throw new Error(
      `${resource.node.path}: no API is known for resource type ${resource.terraformResourceType}; add it to API_FOR_RESOURCE in lib/app/apis.ts`,
    );
  }
  return api;
}
