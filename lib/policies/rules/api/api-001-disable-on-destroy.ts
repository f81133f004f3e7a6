import { ALL_STAGES, PolicyRule, compliant, nonCompliant } from "../../rule";
import { bool } from "../../view";

export const API_001: PolicyRule = {
  id: "API-001",
  what: "Enabling an API never disables it on destroy: disable_on_destroy = false, disable_dependent_services not true",
  why: "Provider 6.x defaults disable_on_destroy to true: destroying one stack turns the API off for the whole project and takes every other service that uses it down.",
  fix: "Write disable_on_destroy = false (ProjectServices does), and leave disable_dependent_services unset or false.",
  severity: "error",
  stages: ALL_STAGES,
  resourceTypes: ["google_project_service"],
  check: (r) => {
    const problems: string[] = [];
    if (bool(r.attrs.disable_on_destroy) !== false) {
      problems.push(
        r.attrs.disable_on_destroy === undefined
          ? "disable_on_destroy is not set (provider 6.x defaults it to true)"
          : `disable_on_destroy is ${JSON.stringify(r.attrs.disable_on_destroy)}`,
      );
    }
    if (bool(r.attrs.disable_dependent_services) === true) problems.push("disable_dependent_services is true");
    return problems.length > 0 ? nonCompliant(`${problems.join("; ")} for ${String(r.attrs.service)}`) : compliant;
  },
};
