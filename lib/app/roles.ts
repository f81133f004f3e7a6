import { bucketName } from "../gcp/storage";

/**
 * The predefined roles that manage, and that read, each Terraform resource type an environment's
 * stack creates. The bootstrap stack grants its deploy identity the managing roles of exactly the
 * types the environment's stack creates, and its plan identity the reading roles, the way the
 * stack enables exactly the APIs its resources need (apis.ts). A type missing here stops the
 * bootstrap with the type's name, so a new kind of resource cannot ship without a decision about
 * who may manage it.
 *
 * Sources: Google's IAM "Understanding roles" reference (permissions of each predefined role):
 * run.viewer includes run.services.getIamPolicy and run.jobs.getIamPolicy, and run.developer has
 * no setIamPolicy; artifactregistry.viewer (not .reader) includes getIamPolicy;
 * iam.serviceAccountViewer and secretmanager.viewer include getIamPolicy; iam.securityReviewer
 * reads every IAM policy of the project; cloudscheduler.admin and .viewer manage and read
 * scheduler jobs; storage.admin is the predefined role that creates buckets and sets their IAM
 * policies, storage.bucketViewer reads bucket metadata.
 */
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
}

export const ROLES_FOR_RESOURCE: Readonly<Record<string, ResourceRoles>> = {
  google_project_service: {
    manage: "roles/serviceusage.serviceUsageAdmin",
    read: "roles/serviceusage.serviceUsageViewer",
  },
  google_artifact_registry_repository: {
    manage: "roles/artifactregistry.admin",
    read: "roles/artifactregistry.viewer",
  },
  google_artifact_registry_repository_iam_member: {
    manage: "roles/artifactregistry.admin",
    read: "roles/artifactregistry.viewer",
  },
  google_cloud_run_v2_service: { manage: "roles/run.developer", read: "roles/run.viewer" },
  // run.developer cannot set IAM policies; run.admin can.
  google_cloud_run_v2_service_iam_member: { manage: "roles/run.admin", read: "roles/run.viewer" },
  google_cloud_run_v2_job: { manage: "roles/run.developer", read: "roles/run.viewer" },
  google_cloud_run_v2_job_iam_member: { manage: "roles/run.admin", read: "roles/run.viewer" },
  google_cloud_scheduler_job: { manage: "roles/cloudscheduler.admin", read: "roles/cloudscheduler.viewer" },
  google_storage_bucket: { manage: "roles/storage.admin", read: "roles/storage.bucketViewer", onlyOwnBuckets: true },
  google_storage_bucket_iam_member: {
    manage: "roles/storage.admin",
    read: "roles/iam.securityReviewer",
    onlyOwnBuckets: true,
  },
  // Monitoring: one predefined editor role per kind of resource; monitoring.viewer reads them all.
  google_monitoring_alert_policy: { manage: "roles/monitoring.alertPolicyEditor", read: "roles/monitoring.viewer" },
  google_monitoring_uptime_check_config: {
    manage: "roles/monitoring.uptimeCheckConfigEditor",
    read: "roles/monitoring.viewer",
  },
  google_monitoring_notification_channel: {
    manage: "roles/monitoring.notificationChannelEditor",
    read: "roles/monitoring.viewer",
  },
  google_monitoring_custom_service: { manage: "roles/monitoring.servicesEditor", read: "roles/monitoring.viewer" },
  google_monitoring_slo: { manage: "roles/monitoring.servicesEditor", read: "roles/monitoring.viewer" },
  google_monitoring_dashboard: { manage: "roles/monitoring.dashboardEditor", read: "roles/monitoring.viewer" },
  // A data source the stack reads: the project's number (the Monitoring service agent's name).
  "data.google_project": { manage: "roles/browser", read: "roles/browser" },
  // Deliberately absent: service accounts, their IAM policies, project IAM and secrets' IAM. The
  // roles that manage them (iam.serviceAccountAdmin, resourcemanager.projectIamAdmin,
  // secretmanager.admin) would let the deploy identity grant itself anything, or read every
  // secret; the bootstrap stack makes the runtime accounts and their grants instead. An
  // environment stack that creates one of these types stops synthesis here.
};

/** A role that holds every permission of others: those are not granted beside it. */
const IMPLIED: Readonly<Record<string, readonly string[]>> = {
  "roles/run.admin": ["roles/run.developer", "roles/run.viewer"],
  "roles/run.developer": ["roles/run.viewer"],
};

/** Roles, each with the resource types that need it, in role order. */
export type RoleGrants = ReadonlyMap<string, readonly string[]>;

/**
 * The roles that manage (`manage`) or read (`read`) the given resource types, with the types
 * that need each. Throws naming every type with no entry in {@link ROLES_FOR_RESOURCE}.
 */
export function rolesFor(types: readonly string[], kind: "manage" | "read"): RoleGrants {
  const unknown = [...new Set(types.filter((t) => ROLES_FOR_RESOURCE[t] === undefined))].sort();
  if (unknown.length > 0) {
    throw new Error(
      `no roles are known for resource type${unknown.length > 1 ? "s" : ""} ${unknown.join(", ")}: ` +
        "add the role that manages and the role that reads each to ROLES_FOR_RESOURCE in lib/app/roles.ts",
    );
  }
  const byRole = new Map<string, Set<string>>();
  for (const type of types) {
    const role = ROLES_FOR_RESOURCE[type][kind];
    if (!byRole.has(role)) byRole.set(role, new Set());
    byRole.get(role)!.add(type);
  }
  // A role implied by another one granted: its types move to that role.
  for (const [role, implied] of Object.entries(IMPLIED)) {
    if (!byRole.has(role)) continue;
    for (const lesser of implied) {
      const types = byRole.get(lesser);
      if (types === undefined) continue;
      for (const t of types) byRole.get(role)!.add(t);
      byRole.delete(lesser);
    }
  }
  return new Map([...byRole.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([r, t]) => [r, [...t].sort()]));
}

/** The roles (among `roles`) to grant only on the environment's own buckets. */
export function bucketScopedRoles(types: readonly string[]): Set<string> {
  return new Set(types.filter((t) => ROLES_FOR_RESOURCE[t]?.onlyOwnBuckets).map((t) => ROLES_FOR_RESOURCE[t].manage));
}

/**
 * The IAM condition that limits a role to the named buckets and their objects. Source: Cloud
 * Storage "IAM Conditions" (resource.name of a bucket is `projects/_/buckets/NAME`, of an object
 * `projects/_/buckets/NAME/objects/OBJECT`).
 */
export function bucketCondition(buckets: readonly string[], title = "only this environment's buckets") {
  // An empty expression would be refused at apply, or read as no condition at all.
  if (buckets.length === 0) throw new Error("bucketCondition needs at least one bucket");
  for (const b of buckets) {
    if (bucketName(b) !== undefined) throw new Error(`bucketCondition: ${JSON.stringify(b)} is not a bucket name`);
  }
  const terms = [...buckets]
    .sort()
    .map((b) => `resource.name == 'projects/_/buckets/${b}' || resource.name.startsWith('projects/_/buckets/${b}/')`);
  return {
    title,
    description: `Only the buckets ${[...buckets].sort().join(", ")} and their objects`,
    expression: terms.join(" || "),
  };
}
