/**
 * The monitoring rules (lib/policies/rules/mon/), cdk-nag style: each rule's compliant and
 * non-compliant cases (cases/mon.ts), then services monitored by ServiceMonitoring, or by alerts
 * written by hand.
 */
import { TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { PolicyPack, ServiceMonitoring, ServiceMonitoringProps } from "../../../lib";
import { MonitoringAlertPolicy } from "../../../lib/providers";
import { runCases, stackWith } from "../builders";
import { CASES } from "./cases/mon";
import { service as monitoredService } from "../../constructs/monitoring/builders";

runCases(CASES);

describe("MON-001 and MON-002", () => {
  const PROJECT = "acme-ml-prod";
  const CHANNEL = `projects/${PROJECT}/notificationChannels/1234567890`;

  /** A CloudRunService `predict`, compliant but for its monitoring (the monitoring tests' service). */
  const service = (scope: Construct) => monitoredService(scope);

  /** The service, monitored by ServiceMonitoring. */
  function monitored(props: Partial<ServiceMonitoringProps> = {}) {
    const stack = stackWith((s) => {
      const svc = service(s);
      new ServiceMonitoring(svc, "monitoring", { service: svc, notificationChannels: [CHANNEL], ...props });
    });
    return { stack };
  }

  const findings = (stack: TerraformStack, stage: "production" | "development" = "production") =>
    new PolicyPack({ stage })
      .evaluate(stack)
      .findings.filter((f) => f.ruleId.startsWith("MON-"))
      .map((f) => `${f.ruleId}: ${f.message}`);

  test("a production service with no monitoring is a finding naming both missing pieces", () => {
    const bare = stackWith((s) => service(s));
    expect(findings(bare)).toEqual([
      expect.stringMatching(
        /^MON-001: .*service predict has no an alert on its 5xx error ratio and no an uptime check|^MON-001: .*service predict has no alert on its 5xx error ratio and no uptime check/,
      ),
    ]);
    expect(findings(bare, "development")).toEqual([]);
  });

  test("MON-001 reads filters however they are spaced, and a disabled alert does not count", () => {
    const alert = (s: Construct, filter: string, enabled = true) =>
      new MonitoringAlertPolicy(s, "errors", {
        displayName: "errors",
        combiner: "OR",
        enabled,
        conditions: [
          { displayName: "5xx", conditionThreshold: { filter, comparison: "COMPARISON_GT", duration: "0s" } },
        ],
      });
    const tight =
      'resource.type="cloud_run_revision" AND resource.label.service_name="predict" AND metric.type="run.googleapis.com/request_count" AND metric.label.response_code_class="5xx"';
    const only = (enabled: boolean) =>
      findings(
        stackWith((s) => {
          service(s);
          alert(s, tight, enabled);
        }),
      ).join("\n");
    expect(only(true)).toMatch(/has no uptime check\./);
    expect(only(true)).not.toMatch(/alert on its 5xx/);
    expect(only(false)).toMatch(/has no alert on its 5xx error ratio and no uptime check/);
  });

  test("with ServiceMonitoring: no MON finding; without a channel, MON-002 names each alert", () => {
    expect(findings(monitored().stack)).toEqual([]);
    const silent = monitored({ notificationChannels: [] }).stack;
    const f = findings(silent);
    expect(f).toHaveLength(8);
    expect(f[0]).toMatch(/^MON-002: .*alert policy "predict: .*" has no notification channel/);
  });
});
