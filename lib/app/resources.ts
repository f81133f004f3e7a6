import { TerraformDataSource, TerraformResource, TerraformStack, dependable } from "cdktf";
import { Construct, IConstruct } from "constructs";
import { ProjectServices } from "../constructs/project-services";
import { IMPLIED_ROLES, RESOURCE_TYPES, ResourceRoles } from "../gcp/resource-types";

/*
 * What the resources a stack creates need, read from the one table of resource-type facts
 * (lib/gcp/resource-types.ts): the APIs to enable before them, and the roles that manage and read
 * them.
 */

/** Where the table of resource-type facts is, for messages that ask for a new entry. */
const TABLE = "RESOURCE_TYPES in lib/gcp/resource-types.ts";

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
  const api = RESOURCE_TYPES[resource.terraformResourceType]?.api;
  if (api === undefined) {
    throw new Error(
      `${resource.node.path}: no API is known for resource type ${resource.terraformResourceType}; add it to ${TABLE}`,
    );
  }
  return api;
}

/**
 * The resource and data source types a stack manages and reads (data sources as
 * `data.TYPE`), API enablement included: what its deploy identity must manage, and its plan
 * identity read.
 */
export function resourceTypesOf(stack: TerraformStack): string[] {
  const dataSources = stack.node
    .findAll()
    .filter((c): c is TerraformDataSource => c instanceof TerraformDataSource)
    .map((d) => `data.${d.terraformResourceType}`);
  return [
    ...new Set([
      "google_project_service",
      ...resourcesUnder(stack).map((r) => r.terraformResourceType),
      ...dataSources,
    ]),
  ].sort();
}

/** Roles, each with the resource types that need it, in role order. */
export type RoleGrants = ReadonlyMap<string, readonly string[]>;

/** The roles of a type that pipeline identities may manage; throws naming the type otherwise. */
function rolesOf(type: string): ResourceRoles {
  const roles = RESOURCE_TYPES[type]?.roles;
  if (roles === undefined) throw new Error(`no roles are known for resource type ${type}: add them to ${TABLE}`);
  if ("ownerOnly" in roles) {
    throw new Error(
      `resource type ${type} is managed by the project owner only (${roles.ownerOnly}): an environment's stack must not create it`,
    );
  }
  return roles as ResourceRoles;
}

/**
 * The roles that manage (`manage`) or read (`read`) the given resource types, with the types
 * that need each. Throws naming every type with no entry in the table, and a type that no
 * pipeline identity may manage.
 */
export function rolesFor(types: readonly string[], kind: "manage" | "read"): RoleGrants {
  const unknown = [...new Set(types.filter((t) => RESOURCE_TYPES[t]?.roles === undefined))].sort();
  if (unknown.length > 0) {
    throw new Error(
      `no roles are known for resource type${unknown.length > 1 ? "s" : ""} ${unknown.join(", ")}: ` +
        `add the role that manages and the role that reads each to ${TABLE}`,
    );
  }
  const byRole = new Map<string, Set<string>>();
  for (const type of types) {
    const role = rolesOf(type)[kind];
    if (!byRole.has(role)) byRole.set(role, new Set());
    byRole.get(role)!.add(type);
  }
  // A role implied by another one granted: its types move to that role.
  for (const [role, implied] of Object.entries(IMPLIED_ROLES)) {
    if (!byRole.has(role)) continue;
    for (const lesser of implied) {
      const moved = byRole.get(lesser);
      if (moved === undefined) continue;
      for (const t of moved) byRole.get(role)!.add(t);
      byRole.delete(lesser);
    }
  }
  return new Map([...byRole.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([r, t]) => [r, [...t].sort()]));
}

/**
 * The managing roles (of `types`) to grant only on the environment's own repository, by its
 * stack: those every type that needs them limits so.
 */
export function repositoryScopedRoles(types: readonly string[]): Set<string> {
  const scoped = new Set(types.filter((t) => rolesOf(t).onlyOwnRepository).map((t) => rolesOf(t).manage));
  for (const t of types) if (!rolesOf(t).onlyOwnRepository) scoped.delete(rolesOf(t).manage);
  return scoped;
}

/** The managing roles (of `types`) to grant only on the environment's own buckets. */
export function bucketScopedRoles(types: readonly string[]): Set<string> {
  return new Set(types.filter((t) => rolesOf(t).onlyOwnBuckets).map((t) => rolesOf(t).manage));
}
