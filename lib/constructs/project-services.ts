import { guardPolicyPlacement } from "./common";
import { Construct } from "constructs";
import { apiName } from "../gcp/projects";
import { Problem, Problems, throwIfInvalid } from "../gcp/validation";
import { ProjectService } from "../providers";
import { CommonProps, checkCommonProps, resolveDependencies } from "./common";

export interface ProjectServicesProps extends CommonProps {
  /**
   * The APIs to enable, such as `run.googleapis.com`. Duplicates are dropped and the resources
   * are created in sorted order, so the synthesized stack does not depend on how the list was
   * written.
   */
  readonly services: readonly string[];
}

/** Checks {@link ProjectServicesProps}; returns every problem, with prop paths. */
function validateProjectServicesProps(props: ProjectServicesProps): Problem[] {
  const problems = new Problems();
  checkCommonProps(problems, props);
  if (!Array.isArray(props.services) || props.services.length === 0) {
    problems.add("services", props.services, "must list at least one API, such as run.googleapis.com");
  } else {
    props.services.forEach((s, i) => problems.check(`services[${i}]`, s, apiName));
  }
  return [...problems.list];
}

/**
 * Enables a list of Google APIs on a project, one `google_project_service` each.
 *
 * Destroying this construct never turns an API off: `disable_on_destroy` and
 * `disable_dependent_services` are always written as `false`. Provider 6.x defaults
 * `disable_on_destroy` to true, which turns the API off for the whole project when one stack is
 * destroyed, taking every other service that uses it down (provider issue 18058).
 *
 * Pass this construct in other constructs' `dependsOn` so that nothing is created before its API.
 *
 * Construct ids are the API names with dots as hyphens (`run-googleapis-com`); they become
 * Terraform addresses, so they never change between versions.
 */
export class ProjectServices extends Construct {
  /** The enabled APIs, sorted and without duplicates. */
  readonly services: readonly string[];

  private readonly resources = new Map<string, ProjectService>();

  constructor(scope: Construct, id: string, props: ProjectServicesProps) {
    super(scope, id);
    guardPolicyPlacement(this);
    throwIfInvalid(this, "ProjectServices", validateProjectServicesProps(props));

    this.services = [...new Set(props.services)].sort();
    const dependsOn = resolveDependencies(props.dependsOn);
    for (const service of this.services) {
      this.resources.set(
        service,
        new ProjectService(this, service.replace(/\./g, "-"), {
          project: props.project,
          service,
          disableOnDestroy: false,
          disableDependentServices: false,
          dependsOn: dependsOn.length > 0 ? dependsOn : undefined,
        }),
      );
    }
  }

  /** The `google_project_service` resource for one API; throws if the API is not in the list. */
  resource(service: string): ProjectService {
    const found = this.resources.get(service);
    if (found === undefined) {
      throw new Error(
        `ProjectServices "${this.node.path}" does not enable ${service}; it enables ${this.services.join(", ")}`,
      );
    }
    return found;
  }
}
