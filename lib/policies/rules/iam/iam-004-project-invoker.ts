import { RUN_CALLER_ROLES, grantedRoles, iamTypes } from "../../iam-grants";
import { ALL_STAGES, PolicyRule, compliant, nonCompliant, unknown } from "../../rule";

export const IAM_004: PolicyRule = {
  id: "IAM-004",
  what: "The roles that call Cloud Run services or start jobs are granted on a service or job, never on the project",
  why: "roles/run.invoker on the project lets its holder call every service and start every job of the project, today's and tomorrow's; Google's scheduled-job sample does this, and a scheduler should run one job.",
  fix: "Grant the role on the service or job (CloudRunService.grantInvoker, CloudRunJob.grantRunner, a job's schedule).",
  severity: "error",
  stages: ALL_STAGES,
  resourceTypes: iamTypes("google_project"),
  check: (r) => {
    const roles = grantedRoles(r);
    if (typeof roles === "string") return unknown(roles);
    const wide = roles.filter((role) => RUN_CALLER_ROLES.includes(role));
    return wide.length === 0
      ? compliant
      : nonCompliant(
          `${wide.join(" and ")} is granted on the whole project ${String(r.attrs.project ?? "(the provider's)")}`,
        );
  },
};
