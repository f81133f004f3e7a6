/**
 * The cases of API-001 (enabling an API never disables it on destroy), one compliant and one non-
 * compliant stack each (lib/policies/rules/api/): rules/api.test.ts runs them, and pack.test.ts
 * checks that every rule of the folder has one.
 */
import { ProjectService } from "../../../../lib/providers";
import { Case } from "../../builders";

export const CASES: Case[] = [
  [
    "API-001",
    "development",
    (s) => new ProjectService(s, "api", { service: "run.googleapis.com", disableOnDestroy: false }),
    (s) => new ProjectService(s, "api", { service: "run.googleapis.com" }),
    /disable_on_destroy is not set \(provider 6.x defaults it to true\) for run.googleapis.com/,
  ],
  [
    "API-001",
    "development",
    (s) =>
      new ProjectService(s, "api", {
        service: "iam.googleapis.com",
        disableOnDestroy: false,
        disableDependentServices: false,
      }),
    (s) =>
      new ProjectService(s, "api", {
        service: "iam.googleapis.com",
        disableOnDestroy: false,
        disableDependentServices: true,
      }),
    /disable_dependent_services is true/,
  ],
];
