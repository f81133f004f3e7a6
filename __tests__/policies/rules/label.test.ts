/**
 * LABEL-001 (lib/policies/rules/label/), cdk-nag style: its compliant and non-compliant cases
 * (cases/label.ts), then labels as Terraform reads them.
 */
import { findingsOf as findings, repository, runCases } from "../builders";
import { CASES } from "./cases/label";

runCases(CASES);

describe("hand-written resources, read as Terraform reads them", () => {
  test("LABEL-001: labels from an expression are unknown; google-beta resources use google-beta's default labels", () => {
    expect(findings((s) => repository(s, (c) => (c.labels = "${var.labels}")))).toEqual([
      expect.stringMatching(/^warning LABEL-001: could not be checked: labels are \$\{var.labels\}/),
    ]);
    expect(findings((s) => repository(s).addOverride("provider", "google-beta"))).toEqual([
      expect.stringMatching(/^warning LABEL-001: .*missing label\(s\) environment, app/),
    ]);
  });
});
