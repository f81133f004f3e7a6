import { Construct } from "constructs";
import { emailAddress } from "../../gcp/monitoring";
import { Problem, Problems, throwIfInvalid } from "../../gcp/validation";
import { MonitoringNotificationChannel } from "../../providers";
import { CommonProps, MANAGED_BY_LABEL, checkCommonProps, grantId } from "../common";

export interface NotificationChannelsProps extends CommonProps {
  /** Email addresses, one email channel each. */
  readonly emails?: readonly string[];
  /**
   * Channels that exist already (Slack, PagerDuty, …), by id: `projects/P/notificationChannels/ID`.
   * @default - none
   */
  readonly existing?: readonly string[];
}

/** Checks {@link NotificationChannelsProps}. */
export function validateNotificationChannelsProps(props: NotificationChannelsProps): Problem[] {
  const p = new Problems();
  checkCommonProps(p, props);
  (props.emails ?? []).forEach((e, i) => p.check(`emails[${i}]`, e, emailAddress));
  return [...p.list];
}

/**
 * Notification channels for alert policies: an email channel per address (construct id
 * `email-<address>`), and the ids of channels made elsewhere. {@link ids} lists them all, for
 * `ServiceMonitoring` and `JobMonitoring`.
 */
export class NotificationChannels extends Construct {
  /** Every channel's id, the ones created here first. */
  readonly ids: readonly string[];

  constructor(scope: Construct, id: string, props: NotificationChannelsProps) {
    super(scope, id);
    throwIfInvalid(this, "NotificationChannels", validateNotificationChannelsProps(props));
    const created = [...new Set(props.emails ?? [])].sort().map(
      (email) =>
        new MonitoringNotificationChannel(this, grantId(this, "email", email), {
          project: props.project,
          type: "email",
          displayName: `Email ${email}`,
          labels: { email_address: email },
          enabled: true,
          userLabels: { ...MANAGED_BY_LABEL },
        }).name,
    );
    this.ids = [...created, ...(props.existing ?? [])];
  }
}
