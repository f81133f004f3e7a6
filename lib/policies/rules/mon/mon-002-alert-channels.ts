import { PolicyRule, compliant, nonCompliant } from "../../rule";
import { isExpression, list } from "../../view";

export const MON_002: PolicyRule = {
  id: "MON-002",
  what: "Production alert policies notify someone: at least one notification channel",
  why: "An alert with no channel opens an incident in the console that nobody is told about.",
  fix: "Route the policy to a notification channel (NotificationChannels, or the environment's monitoring.emails).",
  severity: "error",
  stages: ["production"],
  field: { path: "monitoring.emails", of: "environment" },
  resourceTypes: ["google_monitoring_alert_policy"],
  check: (r) => {
    const channels = r.attrs.notification_channels;
    if (isExpression(channels)) return compliant;
    return list(channels).length > 0
      ? compliant
      : nonCompliant(`alert policy "${String(r.attrs.display_name)}" has no notification channel`);
  },
};
