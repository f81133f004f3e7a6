import { Construct } from "constructs";
import * as mon from "../../gcp/monitoring";
import { Problem, Problems, throwIfInvalid } from "../../gcp/validation";
import { MonitoringAlertPolicy } from "../../providers";
import type { CloudRunJob } from "../cloud-run-job";
import { CommonProps, checkCommonProps } from "../common";
import { alertPolicy, checkChannels } from "./alerts";

export interface JobMonitoringProps extends CommonProps {
  /** The job to watch. */
  readonly job: CloudRunJob;
  /**
   * Where the alert goes: notification channel ids.
   * @default - none
   */
  readonly notificationChannels?: readonly string[];
  /**
   * Refuse to be created without a notification channel.
   * @default false
   */
  readonly requireNotificationChannel?: boolean;
}

export function validateJobMonitoringProps(props: JobMonitoringProps): Problem[] {
  const p = new Problems();
  checkCommonProps(p, props);
  checkChannels(p, props.notificationChannels, props.requireNotificationChannel ?? false);
  return [...p.list];
}

/**
 * Monitoring for a {@link CloudRunJob}: an alert (construct id `alert-failed`) when an execution
 * fails, that is when `run.googleapis.com/job/completed_execution_count` counts one with
 * `result = "failed"` (after its retries).
 */
export class JobMonitoring extends Construct {
  readonly alert: MonitoringAlertPolicy;

  constructor(scope: Construct, id: string, props: JobMonitoringProps) {
    super(scope, id);
    throwIfInvalid(this, "JobMonitoring", validateJobMonitoringProps(props));
    const name = props.job.jobName;
    this.alert = alertPolicy(this, "alert-failed", {
      project: props.project ?? props.job.project,
      displayName: `${name}: an execution failed`,
      severity: "ERROR",
      documentation: `An execution of the Cloud Run job ${name} failed (its tasks ran out of retries). \`gcloud run jobs executions list --job ${name} --region ${props.job.location}\``,
      notificationChannels: props.notificationChannels ?? [],
      labels: { job: name },
      conditions: [
        {
          displayName: `failed executions of ${name}`,
          conditionThreshold: {
            filter: mon.jobMetricFilter(name, mon.RUN_JOB_METRICS.completedExecutions, { result: "failed" }),
            aggregations: [
              {
                alignmentPeriod: "300s",
                perSeriesAligner: "ALIGN_DELTA",
                crossSeriesReducer: "REDUCE_SUM",
                groupByFields: ["resource.label.job_name"],
              },
            ],
            comparison: "COMPARISON_GT",
            thresholdValue: 0,
            duration: "0s",
            trigger: { count: 1 },
          },
        },
      ],
    });
  }
}
