/**
 * The cases of LABEL-001 (the environment and app labels), one compliant and one non-compliant
 * stack each (lib/policies/rules/label/): rules/label.test.ts runs them, and pack.test.ts checks
 * that every rule of the folder has one.
 */
import { Case, repository, workerPool } from "../../builders";

export const CASES: Case[] = [
  [
    "LABEL-001",
    "development",
    (s) => repository(s),
    (s) => repository(s).addOverride("provider", "google.unlabelled"),
    /missing label\(s\) environment, app/,
  ],
  [
    "LABEL-001",
    "development",
    (s) => workerPool(s),
    (s) => workerPool(s, (a) => (a.provider = "google.unlabelled")),
    /missing label\(s\) environment, app/,
  ],
];
