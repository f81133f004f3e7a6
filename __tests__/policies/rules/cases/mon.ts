/**
 * The cases of the monitoring rules (MON-001, MON-002), one compliant and one non-compliant stack
 * each (lib/policies/rules/mon/): rules/mon.test.ts runs them, and pack.test.ts checks that every
 * rule of the folder has one. Both apply in production only.
 */
import { Construct } from "constructs";
import { MonitoringAlertPolicy } from "../../../../lib/providers";
import { Case, generic, service } from "../../builders";

const CHANNEL = "projects/acme-ml-prod/notificationChannels/1234567890";

/** An alert on the 5xx responses of the service `predict`, routed to `channels`. */
function errorAlert(scope: Construct, channels: string[]): MonitoringAlertPolicy {
  return new MonitoringAlertPolicy(scope, "errors", {
    displayName: "predict: 5xx",
    combiner: "OR",
    notificationChannels: channels,
    conditions: [
      {
        displayName: "5xx",
        conditionThreshold: {
          filter:
            'resource.type = "cloud_run_revision" AND resource.labels.service_name = "predict" AND metric.type = "run.googleapis.com/request_count" AND metric.labels.response_code_class = "5xx"',
          comparison: "COMPARISON_GT",
          duration: "0s",
        },
      },
    ],
  });
}

/** An uptime check of the service `predict`, behind a load balancer: its `service` label names it. */
function uptimeCheck(scope: Construct): void {
  generic(scope, "uptime", "google_monitoring_uptime_check_config", {
    display_name: "predict",
    timeout: "10s",
    http_check: { path: "/healthz", use_ssl: true },
    monitored_resource: { type: "uptime_url", labels: { host: "predict.acme.example", project_id: "acme-ml-prod" } },
    user_labels: { service: "predict" },
  });
}

export const CASES: Case[] = [
  [
    "MON-001",
    "production",
    (s) => {
      service(s);
      errorAlert(s, [CHANNEL]);
      uptimeCheck(s);
    },
    (s) => {
      service(s);
      uptimeCheck(s);
    },
    /service predict has no alert on its 5xx error ratio\.$/,
  ],
  [
    "MON-002",
    "production",
    (s) => errorAlert(s, [CHANNEL]),
    (s) => errorAlert(s, []),
    /alert policy "predict: 5xx" has no notification channel/,
  ],
];
