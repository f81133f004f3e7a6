import { ALL_STAGES, PolicyRule, nonCompliant } from "../../rule";

export const IAM_005: PolicyRule = {
  id: "IAM-005",
  what: "Project IAM is granted member by member, never with an authoritative binding or policy",
  why: "google_project_iam_binding replaces every member of its role on the project, and google_project_iam_policy the whole policy: an apply silently removes grants other teams and Google's service agents rely on (Google's scheduled-job sample binds roles/run.invoker this way).",
  fix: "Use google_project_iam_member, one resource per member and role, or grant on the resource itself.",
  severity: "error",
  stages: ALL_STAGES,
  resourceTypes: ["google_project_iam_binding", "google_project_iam_policy"],
  check: (r) =>
    nonCompliant(
      r.type === "google_project_iam_binding"
        ? `${String(r.attrs.role)} is bound authoritatively: every other member of it on the project is removed`
        : "the project's whole IAM policy is set authoritatively: every grant not in it is removed",
    ),
};
