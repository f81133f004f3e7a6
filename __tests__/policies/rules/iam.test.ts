/**
 * The IAM rules (lib/policies/rules/iam/), cdk-nag style: each rule's compliant and non-compliant
 * cases (cases/iam.ts), then the gaps a review found.
 */
import { Construct } from "constructs";
import { SA, developmentFindings as findings, generic, runCases } from "../builders";
import { CASES } from "./cases/iam";

runCases(CASES);

describe("the gaps a review found", () => {
  test("IAM-001 covers the IAM resources of every family, not a list of them", () => {
    for (const type of [
      "google_cloud_run_service_iam_member",
      "google_pubsub_topic_iam_binding",
      "google_billing_account_iam_member",
    ]) {
      expect(
        findings((s) =>
          generic(s, "grant", type, {
            role: "roles/owner",
            member: `serviceAccount:${SA}`,
            members: [`serviceAccount:${SA}`],
          }),
        ),
      ).toEqual([expect.stringMatching(/^IAM-001: .*roles\/owner is granted/)]);
    }
  });

  test("IAM-002 refuses HMAC keys too", () => {
    expect(findings((s) => generic(s, "hmac", "google_storage_hmac_key", { service_account_email: SA }))).toEqual([
      expect.stringMatching(/^IAM-002: .*an HMAC key is made for predict-run@/),
    ]);
  });

  test("IAM-003: an || beside the ids admits anyone; a branch clause joined by && does not", () => {
    const provider = (condition: string) => (s: Construct) =>
      generic(s, "provider", "google_iam_workload_identity_pool_provider", {
        attribute_condition: condition,
        oidc: { issuer_uri: "https://token.actions.githubusercontent.com" },
      });
    expect(findings(provider("assertion.repository_id == '1' || assertion.repository_owner_id == '2'"))).toEqual([
      expect.stringMatching(/^IAM-003: .*does not pin/),
    ]);
    expect(
      findings(provider("(assertion.repository_id == '1' && assertion.repository_owner_id == '2') || true")),
    ).toHaveLength(1);
    expect(
      findings(
        provider(
          "assertion.repository_id == '1' && assertion.repository_owner_id == '2' && (!has(assertion.environment) || assertion.ref == 'refs/heads/main')",
        ),
      ),
    ).toEqual([]);
    expect(findings(provider("${var.condition}"))).toEqual([expect.stringMatching(/^IAM-003: could not be checked/)]);
  });
});
