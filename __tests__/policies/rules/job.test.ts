/**
 * JOB-001 (lib/policies/rules/job/), cdk-nag style: its compliant and non-compliant cases
 * (cases/job.ts), then grants of other shapes.
 */
import { PolicyPack } from "../../../lib";
import { ServiceAccount } from "../../../lib/providers";
import { IMAGE, generic, runCases, stackWith } from "../builders";
import { CASES } from "./cases/job";

runCases(CASES);

describe("JOB-001, other shapes", () => {
  test("JOB-001 finds a project-wide grant to the job's account too, and follows an account made in the stack", () => {
    const stack = stackWith((s) => {
      const sa = new ServiceAccount(s, "train-sa", { accountId: "train-job" });
      generic(s, "job", "google_cloud_run_v2_job", {
        name: "train",
        location: "europe-west1",
        deletion_protection: true,
        template: { template: { service_account: sa.email, containers: [{ image: IMAGE }] } },
      });
      generic(s, "wide", "google_project_iam_member", {
        project: "acme-ml-prod",
        role: "roles/run.developer",
        member: sa.member,
      });
    });
    const report = new PolicyPack({ stage: "development" }).evaluate(stack);
    expect(report.findings.map((f) => `${f.ruleId}: ${f.message}`)).toEqual([
      expect.stringMatching(
        /^JOB-001: .*its runtime account holds roles\/run.developer \(google_project_iam_member prod\/wide\)/,
      ),
    ]);
  });
});
