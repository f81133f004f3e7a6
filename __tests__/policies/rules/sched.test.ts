/**
 * SCHED-001 (lib/policies/rules/sched/), cdk-nag style: its compliant and non-compliant cases
 * (cases/sched.ts), then schedules of other shapes.
 */
import { PolicyPack } from "../../../lib";
import { fired, generic, runCases, schedule, stackWith } from "../builders";
import { CASES } from "./cases/sched";

runCases(CASES);

describe("SCHED-001, other shapes", () => {
  test("a schedule without a token, or as the default compute account, is a finding", () => {
    const none = fired(
      stackWith((s) => schedule(s, undefined)),
      "development",
    );
    expect(none).toEqual(["SCHED-001"]);
    const report = new PolicyPack({ stage: "development" }).evaluate(
      stackWith((s) => schedule(s, "123456789012-compute@developer.gserviceaccount.com")),
    );
    expect(report.findings.map((f) => f.message)).toEqual([
      expect.stringMatching(/as 123456789012-compute@developer.gserviceaccount.com, a default account/),
    ]);
  });

  test("an OAuth token sent to a host that is not a Google API is a finding", () => {
    const leak = stackWith((s) =>
      generic(s, "leak", "google_cloud_scheduler_job", {
        name: "leak",
        http_target: {
          http_method: "POST",
          uri: "https://collector.example.com/in",
          oauth_token: { service_account_email: "train-sched@acme-ml-prod.iam.gserviceaccount.com" },
        },
      }),
    );
    const report = new PolicyPack({ stage: "development" }).evaluate(leak);
    expect(report.findings.map((f) => `${f.ruleId}: ${f.message}`)).toEqual([
      expect.stringMatching(
        /^SCHED-001: .*sends an OAuth token of train-sched@acme-ml-prod.iam.gserviceaccount.com to https:\/\/collector.example.com\/in, which is not a Google API/,
      ),
    ]);
  });

  test("a schedule that calls something else than Cloud Run is not this rule's", () => {
    const other = stackWith((s) =>
      generic(s, "ping", "google_cloud_scheduler_job", {
        name: "ping",
        http_target: { http_method: "GET", uri: "https://example.com/ping" },
      }),
    );
    expect(fired(other, "development")).toEqual([]);
  });
});
