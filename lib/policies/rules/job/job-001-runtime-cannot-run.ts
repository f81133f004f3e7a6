import { RUN_JOB_STARTER_ROLES, grantsOf } from "../../iam-grants";
import { ALL_STAGES, PolicyRule, compliant, nonCompliant, unknown } from "../../rule";
import { get, isExpression } from "../../view";

/** The member strings that name the account `email` (as written): `serviceAccount:EMAIL` and, for an account of this stack, its `member` attribute. */
function membersOf(email: string): string[] {
  const ref = /^\$\{(google_service_account\.[\w-]+)\.email\}$/.exec(email)?.[1];
  return ref === undefined ? [`serviceAccount:${email}`] : [`serviceAccount:${email}`, `\${${ref}.member}`];
}

/**
 * A role or member that Terraform works out (a variable, a local, `each`, a module's output, a
 * function): it may be a starting role, or this account. A reference to a resource (an account
 * the configuration creates, `${google_service_account.x.member}`) names that resource, not this one.
 */
function unsettled(value: string): boolean {
  return isExpression(value) && /\$\{[^}]*(\b(var|local|each|count|module)\.|\()/.test(value);
}

export const JOB_001: PolicyRule = {
  id: "JOB-001",
  what: "A Cloud Run job's runtime account cannot start jobs or call services: no invoker, executor, developer or admin role for it on a job, a service or the project",
  why: "The code a job runs (a trainer with third-party dependencies) would otherwise start more executions, at GPU prices, or call services as itself; the schedule and CI start jobs with accounts of their own.",
  fix: "Run the job as an account of its own (CloudRunJob creates one) and grant runners separately (CloudRunJob.grantRunner, schedule).",
  severity: "error",
  stages: ALL_STAGES,
  resourceTypes: ["google_cloud_run_v2_job"],
  check: (r) => {
    const account = get(r.attrs, "template", "template", "service_account");
    if (typeof account !== "string" || account === "") return compliant; // RUN-003 reports a missing account.
    const members = membersOf(account);
    const found: string[] = [];
    const open: string[] = [];
    for (const other of r.stack.resources) {
      if (
        !/^google_(cloud_run_v2_job|cloud_run_v2_service|cloud_run_service|project)_iam_(member|binding|policy)$/.test(
          other.type,
        )
      ) {
        continue;
      }
      const grants = grantsOf(other);
      if (typeof grants === "string") continue;
      // At synthesis a path is the construct's; read from files, it is the address itself.
      const where = other.path === other.address ? other.address : `${other.type} ${other.path}`;
      for (const g of grants) {
        const mayStart = RUN_JOB_STARTER_ROLES.includes(g.role) || unsettled(g.role);
        const mayName = g.members.some((m) => members.includes(m) || unsettled(m));
        if (RUN_JOB_STARTER_ROLES.includes(g.role) && g.members.some((m) => members.includes(m))) {
          found.push(`${g.role} (${where})`);
        } else if (mayStart && mayName) {
          open.push(`${g.role} to ${g.members.join(", ")} (${where})`);
        }
      }
    }
    if (found.length === 0 && open.length > 0) {
      return unknown(`a grant the configuration does not fix may give it a role that starts jobs: ${open.join("; ")}`);
    }
    if (found.length === 0) return compliant;
    const who = isExpression(account) ? "its runtime account" : account;
    return nonCompliant(`${who} holds ${found.join(", ")}`);
  },
};
