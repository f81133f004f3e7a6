import { Token } from "cdktf";
import { Construct } from "constructs";
import { notificationChannelId } from "../../gcp/monitoring";
import { Problems } from "../../gcp/validation";
import { MonitoringAlertPolicy, MonitoringAlertPolicyConditions } from "../../providers";
import { MANAGED_BY_LABEL } from "../common";

/** What every alert policy of this library writes. */
export interface AlertPolicySpec {
  readonly displayName: string;
  readonly severity: "CRITICAL" | "ERROR" | "WARNING";
  /** What it means, in Markdown: the incident's text. */
  readonly documentation: string;
  readonly conditions: MonitoringAlertPolicyConditions[];
  /** `AND` for multi-window burn rates; `OR` otherwise. */
  readonly combiner?: "AND" | "OR";
  readonly project?: string;
  readonly notificationChannels: readonly string[];
  readonly labels: Readonly<Record<string, string>>;
}

/**
 * An alert policy with every setting written: enabled, the combiner, severity, documentation as
 * Markdown (the only type the API takes), and incidents closed 30 minutes after the condition
 * stops holding.
 */
export function alertPolicy(scope: Construct, id: string, spec: AlertPolicySpec): MonitoringAlertPolicy {
  return new MonitoringAlertPolicy(scope, id, {
    project: spec.project,
    displayName: spec.displayName,
    enabled: true,
    combiner: spec.combiner ?? "OR",
    severity: spec.severity,
    conditions: spec.conditions,
    notificationChannels: [...spec.notificationChannels],
    documentation: { content: spec.documentation, mimeType: "text/markdown" },
    alertStrategy: { autoClose: "1800s" },
    userLabels: { ...spec.labels, ...MANAGED_BY_LABEL },
  });
}

/** Notification channels: ids, and at least one when required. */
export function checkChannels(p: Problems, channels: readonly string[] | undefined, required: boolean): void {
  (channels ?? []).forEach((c, i) => p.check(`notificationChannels[${i}]`, c, notificationChannelId));
  if (required && (channels ?? []).length === 0) {
    p.add(
      "notificationChannels",
      channels ?? [],
      "must name at least one notification channel: requireNotificationChannel is set, and an alert nobody receives is an outage nobody hears about",
    );
  }
  if (channels !== undefined && !Token.isUnresolved(channels) && new Set(channels).size !== channels.length) {
    p.add("notificationChannels", channels, "must not name a channel twice");
  }
}
