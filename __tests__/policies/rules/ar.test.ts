/**
 * The Artifact Registry rules (lib/policies/rules/ar/), cdk-nag style: each rule's compliant and
 * non-compliant cases (cases/ar.ts), then repositories written by hand.
 */
import { Construct } from "constructs";
import { findingsOf as findings, repository, runCases } from "../builders";
import { CASES } from "./cases/ar";

runCases(CASES);

describe("hand-written resources, read as Terraform reads them", () => {
  test("AR-001 and AR-003 read the format in any case; package repositories are not theirs", () => {
    const lower = (s: Construct) =>
      repository(s, (c) => {
        c.format = "docker";
        c.dockerConfig.immutableTags = false;
        delete c.cleanupPolicies;
      });
    expect(findings(lower)).toEqual([
      expect.stringMatching(/^warning AR-001: .*no cleanup policies/),
      expect.stringMatching(/^error AR-003: .*tags are mutable/),
    ]);
    const python = (s: Construct) =>
      repository(s, (c) => {
        c.format = "PYTHON";
        delete c.dockerConfig;
        delete c.cleanupPolicies;
      });
    expect(findings(python)).toEqual([]);
  });
});
