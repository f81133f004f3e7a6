import { BASIC_ROLES, IAM_RESOURCE_TYPES, grantedRoles } from "../../iam-grants";
import { ALL_STAGES, PolicyRule, compliant, nonCompliant, unknown } from "../../rule";

export const IAM_001: PolicyRule = {
  id: "IAM-001",
  what: "No basic role (roles/owner, roles/editor, roles/viewer) is granted to anyone",
  why: "Basic roles span every service of the project: a CI identity with Owner or Editor can do anything a leaked token asks, and Viewer reads every secret's metadata and all data the project exposes.",
  fix: "Grant the predefined roles of the resources the principal works with (the bootstrap stack derives them from the resource types).",
  severity: "error",
  stages: ALL_STAGES,
  equivalent: "CKV_GCP_41, CKV_GCP_42, CKV_GCP_117 (checkov)",
  resourceTypes: IAM_RESOURCE_TYPES,
  check: (r) => {
    const roles = grantedRoles(r);
    if (typeof roles === "string") return unknown(roles);
    const basic = roles.filter((role) => BASIC_ROLES.includes(role));
    return basic.length === 0 ? compliant : nonCompliant(`${basic.join(" and ")} is granted`);
  },
};
