import { Constraint, intRange, pattern } from "./validation";

/*
 * Cloud Monitoring for Cloud Run: metric and resource types, filters, aligners, windows. Each
 * fact once, with its source. Sources: Google Cloud "Google Cloud metrics" (run section) and
 * Cloud Run "Monitor health and performance"; the Monitoring v3 API's common.proto (aligners and
 * reducers: ALIGN_RATE and ALIGN_DELTA for DELTA numeric metrics, ALIGN_PERCENTILE_xx or
 * ALIGN_DELTA then REDUCE_PERCENTILE_xx for DELTA distributions, ALIGN_NEXT_OLDER and
 * REDUCE_COUNT_FALSE for BOOL gauges); Google's Cloud Run dashboard sample
 * (GoogleCloudPlatform/monitoring-dashboard-samples, dashboards/google-cloud-run); Cloud
 * Monitoring "Time series selectors" (select_slo_burn_rate); provider 6.50 docs of
 * google_monitoring_alert_policy, _uptime_check_config, _slo.
 */

/** Metrics of a Cloud Run service, on the monitored resource `cloud_run_revision`. */
export const RUN_SERVICE_METRICS = {
  resource: "cloud_run_revision",
  /** DELTA INT64: requests served; labels response_code, response_code_class ("2xx" … "5xx"). */
  requestCount: "run.googleapis.com/request_count",
  /** DELTA DISTRIBUTION, milliseconds: time to serve a request. */
  requestLatencies: "run.googleapis.com/request_latencies",
  /** Instances of the service, by state (label state). */
  instanceCount: "run.googleapis.com/container/instance_count",
} as const;

/** Metrics of a Cloud Run job, on the monitored resource `cloud_run_job`. */
export const RUN_JOB_METRICS = {
  resource: "cloud_run_job",
  /** Executions that finished, label result ("succeeded" or "failed"). */
  completedExecutions: "run.googleapis.com/job/completed_execution_count",
} as const;

/** The uptime check metric: GAUGE BOOL per checker location, label check_id. */
export const UPTIME_METRICS = {
  resource: "uptime_url",
  checkPassed: "monitoring.googleapis.com/uptime_check/check_passed",
} as const;

/** One term of a Monitoring filter: `key = "value"` (or `!=`). Values are quoted and escaped. */
function term(key: string, value: string, op: "=" | "!=" = "="): string {
  return `${key} ${op} "${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

/**
 * A Monitoring filter on one metric of one monitored resource: its type, the resource labels that
 * name it, the metric type and metric labels, joined by AND. Source: Cloud Monitoring "Monitoring
 * filters".
 */
function metricFilter(
  resource: Readonly<Record<string, string>>,
  metric: string,
  labels: Readonly<Record<string, string>>,
): string {
  return [
    ...Object.entries(resource).map(([k, v]) => term(k, v)),
    term("metric.type", metric),
    ...Object.entries(labels).map(([k, v]) => term(`metric.labels.${k}`, v)),
  ].join(" AND ");
}

/** A filter on one metric of one Cloud Run service (resource `cloud_run_revision`). */
export function serviceMetricFilter(
  serviceName: string,
  metric: string,
  labels: Readonly<Record<string, string>> = {},
): string {
  const resource = { "resource.type": RUN_SERVICE_METRICS.resource, "resource.labels.service_name": serviceName };
  return metricFilter(resource, metric, labels);
}

/** A filter on one metric of one Cloud Run job (resource `cloud_run_job`). */
export function jobMetricFilter(
  jobName: string,
  metric: string,
  labels: Readonly<Record<string, string>> = {},
): string {
  return metricFilter(
    { "resource.type": RUN_JOB_METRICS.resource, "resource.labels.job_name": jobName },
    metric,
    labels,
  );
}

/** The filter of one uptime check's results. */
export function uptimeFilter(checkId: string): string {
  return [
    term("metric.type", UPTIME_METRICS.checkPassed),
    term("resource.type", UPTIME_METRICS.resource),
    term("metric.labels.check_id", checkId),
  ].join(" AND ");
}

/**
 * The time series of an SLO's burn rate over a lookback window. Source: Cloud Monitoring "Time
 * series selectors": `select_slo_burn_rate("projects/P/services/S/serviceLevelObjectives/O",
 * "3600s")`; a condition on it uses the filter only (no aggregations).
 */
export function burnRateFilter(sloName: string, lookbackSeconds: number): string {
  return `select_slo_burn_rate("${sloName}", "${lookbackSeconds}s")`;
}

/**
 * Multi-window, multi-burn-rate alerting. Source: Google SRE workbook, "Alerting on SLOs"
 * (for a 30-day budget: fast, 2% of it in 1 hour, burn rate 14.4, confirmed over 5 minutes; slow,
 * 5% in 6 hours, burn rate 6, confirmed over 30 minutes). The SLOs here are over 28 days, so the
 * same burn rates spend slightly more of the budget (2.1% and 5.4%). Each pair fires when both
 * windows burn.
 */
export const BURN_RATE_WINDOWS = {
  fast: { longSeconds: 3600, shortSeconds: 300, burnRate: 14.4 },
  slow: { longSeconds: 21600, shortSeconds: 1800, burnRate: 6 },
} as const;

/**
 * The Monitoring service agent, which authenticates uptime checks with an OIDC token. Source:
 * Monitoring API UptimeCheckConfig.ServiceAgentAuthentication ("generated for the Monitoring
 * service agent"); its address is `service-PROJECT_NUMBER@gcp-sa-monitoring-notification`.
 */
export function monitoringServiceAgent(projectNumber: string): string {
  return `service-${projectNumber}@gcp-sa-monitoring-notification.iam.gserviceaccount.com`;
}

/** Uptime check periods. Source: provider 6.50 google_monitoring_uptime_check_config (60s, 300s, 600s, 900s). */
export const UPTIME_PERIODS = [60, 300, 600, 900] as const;

export const uptimePeriod: Constraint<number> = (v) =>
  (UPTIME_PERIODS as readonly number[]).includes(v) ? undefined : "must be 60, 300, 600 or 900 seconds";

/** Uptime check timeout. Source: provider 6.50 (1 to 60 seconds). */
export const uptimeTimeout = intRange(1, 60, "must be a whole number of seconds from 1 to 60");

/**
 * Regions uptime checks run from: at least three locations. Source: provider 6.50 ("enough
 * regions to include a minimum of 3 locations").
 */
export const UPTIME_REGIONS = ["ASIA_PACIFIC", "EUROPE", "USA"] as const;

/** An alert condition's duration: a multiple of 60 s. Source: Monitoring API MetricThreshold.duration. */
export const alertDuration: Constraint<number> = (v) =>
  Number.isInteger(v) && v >= 0 && v % 60 === 0 && v <= 86_400
    ? undefined
    : "must be a whole number of seconds, a multiple of 60, at most 86400";

/** A ratio threshold, such as an error ratio: above 0, below 1. */
export const ratio: Constraint<number> = (v) =>
  typeof v === "number" && v > 0 && v < 1 ? undefined : "must be a number above 0 and below 1, such as 0.02 for 2%";

/** An SLO goal. Source: provider 6.50 google_monitoring_slo (goal at most 0.999). */
export const sloGoal: Constraint<number> = (v) =>
  typeof v === "number" && v > 0 && v <= 0.999 ? undefined : "must be above 0 and at most 0.999, such as 0.995";

/** An SLO's rolling period. Source: provider 6.50 (1 to 30 days). */
export const rollingPeriodDays = intRange(1, 30, "must be a whole number of days from 1 to 30");

/** A notification channel by id. Source: Monitoring API (projects/PROJECT/notificationChannels/ID). */
export const notificationChannelId = pattern(
  /^projects\/[a-z0-9-]+\/notificationChannels\/[0-9A-Za-z_-]+$/,
  "must be a notification channel id: projects/PROJECT/notificationChannels/ID",
);

/** An email address for an email channel (a plain, conservative check). */
export const emailAddress = pattern(
  /^[^\s@]+@[^\s@]+\.[^\s@]+$/,
  "must be an email address such as oncall@example.com",
);

/**
 * A path for an uptime check, which calls the service's public URL. Source: Cloud Run "Known
 * issues", reserved URL paths: some paths ending in `z` (such as `/healthz`) are answered by
 * Google's front end, not the container, so avoid every one of them.
 */
export const uptimePath: Constraint<string> = (v) => {
  if (!/^\/\S*$/.test(v)) return "must be a path starting with /";
  return /z$/.test(v.replace(/\/+$/, ""))
    ? 'must not end in "z": Cloud Run reserves some such paths on its public URL (Known issues: reserved URL paths), so the check would never reach the container; serve the health check on another path, such as /health'
    : undefined;
};
