import { Fn, Token } from "cdktf";
import { Construct } from "constructs";
import { serviceAccountMember } from "../../gcp/iam";
import * as mon from "../../gcp/monitoring";
import { Problem, Problems, throwIfInvalid } from "../../gcp/validation";
import {
  CloudRunV2ServiceIamMember,
  MonitoringAlertPolicy,
  MonitoringAlertPolicyConditions,
  MonitoringCustomService,
  MonitoringSlo,
  MonitoringUptimeCheckConfig,
} from "../../providers";
import type { CloudRunService } from "../cloud-run-service";
import { CommonProps, MANAGED_BY_LABEL, checkCommonProps, projectNumberOf } from "../common";
import { AlertPolicySpec, alertPolicy, checkChannels } from "./alerts";

/** The uptime check of a service. */
export interface UptimeCheckOptions {
  /**
   * The path to GET.
   * @default - the service's startup (or liveness) probe path, else "/"
   */
  readonly path?: string;
  /**
   * The host to call, such as the load balancer's domain of a service whose ingress is not
   * "all" (uptime checkers call from the internet).
   * @default - the service's run.app host
   */
  readonly host?: string;
  /**
   * Seconds between checks: 60, 300, 600 or 900.
   * @default 60
   */
  readonly periodSeconds?: number;
  /**
   * Seconds before a check fails, 1-60.
   * @default 10
   */
  readonly timeoutSeconds?: number;
}

/** The SLOs of a service and the burn-rate alerts on them. */
export interface SloOptions {
  /**
   * The share of requests that must not fail with a 5xx.
   * @default 0.995
   */
  readonly availabilityGoal?: number;
  /**
   * The share of requests that must be served within `latencyThresholdMs`.
   * @default 0.99
   */
  readonly latencyGoal?: number;
  /**
   * The latency a request must be served within to count as good, in milliseconds.
   * @default - the latency alert's threshold (1000)
   */
  readonly latencyThresholdMs?: number;
  /**
   * The SLO's rolling window, 1-30 days.
   * @default 28
   */
  readonly rollingPeriodDays?: number;
}

export interface ServiceMonitoringProps extends CommonProps {
  /** The service to watch. */
  readonly service: CloudRunService;

  /**
   * Where alerts go: notification channel ids (`projects/P/notificationChannels/ID`), such as
   * {@link NotificationChannels.ids}.
   * @default - none: alerts open incidents in the console only
   */
  readonly notificationChannels?: readonly string[];

  /**
   * Refuse to be created without a notification channel. Set it for production: an alert nobody
   * receives is an outage nobody hears about.
   * @default false
   */
  readonly requireNotificationChannel?: boolean;

  /**
   * The uptime check on the service's URL, authenticated with an OIDC token of the Monitoring
   * service agent (which is granted `roles/run.invoker` on this service only), and an alert when
   * it fails from more than one location. `false`: none.
   * @default - a check of the health path every 60 s
   */
  readonly uptimeCheck?: UptimeCheckOptions | false;

  /**
   * Alert when the share of 5xx responses is above `threshold` for `durationSeconds`.
   * @default - 0.02 (2%) for 300 s
   */
  readonly errorRatio?: { readonly threshold?: number; readonly durationSeconds?: number };

  /**
   * Alert when the 99th percentile of request latency is above `thresholdMs` for
   * `durationSeconds`.
   * @default - 1000 ms for 300 s
   */
  readonly latency?: { readonly thresholdMs?: number; readonly durationSeconds?: number };

  /**
   * Alert when the service runs at its maximum instances (it can scale no further) for
   * `durationSeconds`. `false`: no alert.
   * @default - 300 s
   */
  readonly instancesAtMax?: { readonly durationSeconds?: number } | false;

  /**
   * An availability SLO and a latency SLO (request-based), each with multi-window burn-rate
   * alerts: fast (1 h and 5 min above 14.4) and slow (6 h and 30 min above 6). `false`: none.
   * @default - the defaults of {@link SloOptions}
   */
  readonly slo?: SloOptions | false;

  /**
   * The project's number, which names the Monitoring service agent.
   * @default - read with a `google_project` data source
   */
  readonly projectNumber?: string;
}

export const MONITORING_DEFAULTS = {
  uptimePeriodSeconds: 60,
  uptimeTimeoutSeconds: 10,
  errorRatio: 0.02,
  errorDurationSeconds: 300,
  latencyThresholdMs: 1000,
  latencyDurationSeconds: 300,
  instancesDurationSeconds: 300,
  availabilityGoal: 0.995,
  latencyGoal: 0.99,
  rollingPeriodDays: 28,
} as const;

/** The id of the Monitoring service a Cloud Run service's SLOs belong to: `run-LOCATION-NAME`. */
export function sloServiceId(location: string, serviceName: string): string {
  return `run-${location}-${serviceName}`;
}

/**
 * The full name of one of a service's SLOs (`availability` or `latency`), as the Monitoring API
 * names it: for a dashboard that charts it without referring to the resource.
 */
export function sloName(
  project: string,
  location: string,
  serviceName: string,
  slo: "availability" | "latency",
): string {
  return `projects/${project}/services/${sloServiceId(location, serviceName)}/serviceLevelObjectives/${slo}`;
}

/** Checks {@link ServiceMonitoringProps}; returns every problem, with prop paths. */
export function validateServiceMonitoringProps(props: ServiceMonitoringProps): Problem[] {
  const p = new Problems();
  checkCommonProps(p, props);
  checkChannels(p, props.notificationChannels, props.requireNotificationChannel ?? false);
  if (props.uptimeCheck !== false) {
    p.check("uptimeCheck.path", props.uptimeCheck?.path, mon.uptimePath);
    // The default is the service's health path: it must be one the public URL passes on.
    const inherited = props.service?.healthCheckPath;
    if (props.uptimeCheck?.path === undefined && inherited !== undefined && mon.uptimePath(inherited) !== undefined) {
      p.add(
        "uptimeCheck.path",
        inherited,
        `(the service's health path, the default) must not end in "z": Cloud Run reserves some such paths on its public URL; set uptimeCheck.path to one the service also answers, such as "/health"`,
      );
    }
    p.check("uptimeCheck.host", props.uptimeCheck?.host, (h) =>
      /^[a-z0-9.-]+\.[a-z]{2,}$/.test(h)
        ? undefined
        : "must be a host name, such as api.example.com (no scheme or path)",
    );
    const ingress = props.service?.ingress;
    const host = props.uptimeCheck?.host;
    if (ingress === "internal") {
      p.add(
        "uptimeCheck",
        props.uptimeCheck ?? "(the default check)",
        'cannot reach the service: its ingress is "internal", which refuses the internet and external load balancers alike; set uptimeCheck: false (and, in production, acknowledge MON-001 with the reason)',
      );
    } else if (ingress === "internal-and-cloud-load-balancing" && host === undefined) {
      p.add(
        "uptimeCheck.host",
        undefined,
        'is needed: the service\'s ingress is "internal-and-cloud-load-balancing", and uptime checks call from the internet; give the host its external load balancer answers on (per environment)',
      );
    }
    // The check's OIDC token is minted for https://HOST: Cloud Run takes it only if that is the
    // service's URL or one of its custom audiences.
    const audiences = props.service?.customAudiences;
    if (host !== undefined && audiences !== undefined && !audiences.includes(`https://${host}`)) {
      p.add(
        "uptimeCheck.host",
        host,
        `needs the service to accept tokens for it: add "https://${host}" to the service's customAudiences (the check's token is minted for the host it calls)`,
      );
    }
    p.check("uptimeCheck.periodSeconds", props.uptimeCheck?.periodSeconds, mon.uptimePeriod);
    p.check("uptimeCheck.timeoutSeconds", props.uptimeCheck?.timeoutSeconds, mon.uptimeTimeout);
  }
  p.check("errorRatio.threshold", props.errorRatio?.threshold, mon.ratio);
  p.check("errorRatio.durationSeconds", props.errorRatio?.durationSeconds, mon.alertDuration);
  p.check("latency.thresholdMs", props.latency?.thresholdMs, (v) =>
    Number.isInteger(v) && v > 0 ? undefined : "must be a whole number of milliseconds above 0",
  );
  p.check("latency.durationSeconds", props.latency?.durationSeconds, mon.alertDuration);
  if (props.instancesAtMax !== false) {
    p.check("instancesAtMax.durationSeconds", props.instancesAtMax?.durationSeconds, mon.alertDuration);
  }
  if (props.slo !== false) {
    p.check("slo.availabilityGoal", props.slo?.availabilityGoal, mon.sloGoal);
    p.check("slo.latencyGoal", props.slo?.latencyGoal, mon.sloGoal);
    p.check("slo.latencyThresholdMs", props.slo?.latencyThresholdMs, (v) =>
      Number.isInteger(v) && v > 0 ? undefined : "must be a whole number of milliseconds above 0",
    );
    p.check("slo.rollingPeriodDays", props.slo?.rollingPeriodDays, mon.rollingPeriodDays);
  }
  return [...p.list];
}

/**
 * Monitoring for a {@link CloudRunService}, with every filter written from the metric list
 * (lib/gcp/monitoring.ts): an authenticated uptime check, alert policies on the 5xx error ratio,
 * the p99 latency, instances at the maximum and the uptime check, and an availability and a
 * latency SLO with fast and slow burn-rate alerts, all routed to the notification channels.
 *
 * Construct ids inside (`uptime-check`, `uptime-invoker`, `alert-errors`, `alert-latency`, `alert-max-instances`,
 * `alert-uptime`, `slo-service`, `slo-availability`, `slo-latency`, `alert-availability-burn-fast`,
 * `…-slow`, `alert-latency-burn-fast`, `…-slow`, `project`) become Terraform addresses.
 */
export class ServiceMonitoring extends Construct {
  /** The uptime check, unless turned off. */
  readonly uptimeCheck?: MonitoringUptimeCheckConfig;
  /** The grant that lets the Monitoring service agent call the service for the uptime check. */
  readonly uptimeInvoker?: CloudRunV2ServiceIamMember;
  /** Every alert policy, by construct id. */
  readonly alerts: Readonly<Record<string, MonitoringAlertPolicy>>;
  /** The SLOs, unless turned off. */
  readonly slos: Readonly<Record<string, MonitoringSlo>>;

  private readonly props: ServiceMonitoringProps;
  /** The service's name, in every filter, title and label. */
  private readonly name: string;
  private readonly project?: string;
  private readonly alertsById: Record<string, MonitoringAlertPolicy> = {};
  /** The service's requests, its 5xx responses and its latencies, as metric filters. */
  private readonly filters: { requests: string; errors: string; latencies: string };

  constructor(scope: Construct, id: string, props: ServiceMonitoringProps) {
    super(scope, id);
    throwIfInvalid(this, "ServiceMonitoring", validateServiceMonitoringProps(props));
    this.props = props;
    this.name = props.service.serviceName;
    this.project = props.project ?? props.service.project;
    this.filters = {
      requests: mon.serviceMetricFilter(this.name, mon.RUN_SERVICE_METRICS.requestCount),
      errors: mon.serviceMetricFilter(this.name, mon.RUN_SERVICE_METRICS.requestCount, { response_code_class: "5xx" }),
      latencies: mon.serviceMetricFilter(this.name, mon.RUN_SERVICE_METRICS.requestLatencies),
    };
    if (props.uptimeCheck !== false)
      [this.uptimeInvoker, this.uptimeCheck] = this.addUptimeCheck(props.uptimeCheck ?? {});
    this.addErrorRatioAlert();
    this.addLatencyAlert();
    if (props.instancesAtMax !== false) this.addInstancesAtMaxAlert(props.instancesAtMax ?? {});
    this.slos = props.slo === false ? {} : this.addSlos(props.slo ?? {});
    this.alerts = this.alertsById;
  }

  /** An alert policy of this service (construct id `alertId`), routed to the channels. */
  private alert(alertId: string, config: Omit<AlertPolicySpec, "project" | "notificationChannels" | "labels">): void {
    this.alertsById[alertId] = alertPolicy(this, alertId, {
      ...config,
      project: this.project,
      notificationChannels: [...(this.props.notificationChannels ?? [])],
      labels: { service: this.name },
    });
  }

  /**
   * Uptime: the service's URL, with the Monitoring service agent's OIDC token, which may invoke
   * this service only; and an alert when it fails from more than one location.
   */
  private addUptimeCheck(options: UptimeCheckOptions): [CloudRunV2ServiceIamMember, MonitoringUptimeCheckConfig] {
    const { name, project } = this;
    const svc = this.props.service;
    const number = projectNumberOf(this, this.props.projectNumber, project);
    // Its own grant (not the service's grantInvoker): an address that says what it is for.
    const invoker = new CloudRunV2ServiceIamMember(this, "uptime-invoker", {
      project,
      location: svc.location,
      name: svc.service.name,
      role: "roles/run.invoker",
      member: serviceAccountMember(mon.monitoringServiceAgent(number)),
    });
    const path = options.path ?? svc.healthCheckPath ?? "/";
    const check = new MonitoringUptimeCheckConfig(this, "uptime-check", {
      project,
      displayName: `${name} (Cloud Run) ${path}`,
      period: `${options.periodSeconds ?? MONITORING_DEFAULTS.uptimePeriodSeconds}s`,
      timeout: `${options.timeoutSeconds ?? MONITORING_DEFAULTS.uptimeTimeoutSeconds}s`,
      selectedRegions: [...mon.UPTIME_REGIONS],
      userLabels: { service: name, ...MANAGED_BY_LABEL },
      monitoredResource: {
        type: mon.UPTIME_METRICS.resource,
        labels: {
          project_id: project ?? svc.service.project,
          host: options.host ?? Fn.replace(svc.uri, "https://", ""),
        },
      },
      httpCheck: {
        path,
        port: 443,
        useSsl: true,
        validateSsl: true,
        requestMethod: "GET",
        serviceAgentAuthentication: { type: "OIDC_TOKEN" },
      },
      dependsOn: [invoker],
    });
    this.alert("alert-uptime", {
      displayName: `${name}: uptime check failing`,
      severity: "ERROR",
      documentation: `The uptime check of ${name} (GET ${path}) fails from more than one location.`,
      conditions: [
        threshold(`uptime check of ${name} failing`, {
          filter: mon.uptimeFilter(check.uptimeCheckId),
          aggregations: [
            {
              alignmentPeriod: "1200s",
              perSeriesAligner: "ALIGN_NEXT_OLDER",
              crossSeriesReducer: "REDUCE_COUNT_FALSE",
              groupByFields: ["resource.label.project_id", "resource.label.host"],
            },
          ],
          comparison: "COMPARISON_GT",
          thresholdValue: 1,
          duration: "60s",
        }),
      ],
    });
    return [invoker, check];
  }

  /** An alert when the share of 5xx responses stays above the threshold. */
  private addErrorRatioAlert(): void {
    const { name, filters } = this;
    const errorRatio = this.props.errorRatio?.threshold ?? MONITORING_DEFAULTS.errorRatio;
    const rate = (period: string) => ({
      alignmentPeriod: period,
      perSeriesAligner: "ALIGN_RATE",
      crossSeriesReducer: "REDUCE_SUM",
      groupByFields: BY_SERVICE,
    });
    this.alert("alert-errors", {
      displayName: `${name}: 5xx error ratio above ${percent(errorRatio)}`,
      severity: "ERROR",
      documentation: `More than ${percent(errorRatio)} of the requests to ${name} fail with a 5xx response.`,
      conditions: [
        threshold(`5xx ratio of ${name}`, {
          filter: filters.errors,
          denominatorFilter: filters.requests,
          aggregations: [rate("300s")],
          denominatorAggregations: [rate("300s")],
          comparison: "COMPARISON_GT",
          thresholdValue: errorRatio,
          duration: `${this.props.errorRatio?.durationSeconds ?? MONITORING_DEFAULTS.errorDurationSeconds}s`,
        }),
      ],
    });
  }

  /** The latency the alert and (by default) the latency SLO hold the service to, in milliseconds. */
  private get latencyThresholdMs(): number {
    return this.props.latency?.thresholdMs ?? MONITORING_DEFAULTS.latencyThresholdMs;
  }

  /** An alert when the 99th percentile of latency stays above the threshold. */
  private addLatencyAlert(): void {
    const { name, filters } = this;
    const latencyMs = this.latencyThresholdMs;
    this.alert("alert-latency", {
      displayName: `${name}: p99 latency above ${latencyMs} ms`,
      severity: "WARNING",
      documentation: `The 99th percentile of the time ${name} takes to serve a request is above ${latencyMs} ms.`,
      conditions: [
        threshold(`p99 latency of ${name}`, {
          filter: filters.latencies,
          aggregations: [
            {
              alignmentPeriod: "300s",
              perSeriesAligner: "ALIGN_DELTA",
              crossSeriesReducer: "REDUCE_PERCENTILE_99",
              groupByFields: BY_SERVICE,
            },
          ],
          comparison: "COMPARISON_GT",
          thresholdValue: latencyMs,
          duration: `${this.props.latency?.durationSeconds ?? MONITORING_DEFAULTS.latencyDurationSeconds}s`,
        }),
      ],
    });
  }

  /** An alert when a revision runs at the service's maximum instances: it can scale no further. */
  private addInstancesAtMaxAlert(options: { readonly durationSeconds?: number }): void {
    const { name } = this;
    const max = this.props.service.maxInstances;
    this.alert("alert-max-instances", {
      displayName: `${name}: at its maximum of ${max} instances`,
      severity: "WARNING",
      documentation: `${name} runs ${max} instances, its maximum: it cannot scale further, and requests may wait or fail. Raise maxInstances or find the load.`,
      conditions: [
        threshold(`instances of ${name} at ${max}`, {
          filter: mon.serviceMetricFilter(name, mon.RUN_SERVICE_METRICS.instanceCount),
          aggregations: [
            {
              alignmentPeriod: "60s",
              perSeriesAligner: "ALIGN_MAX",
              crossSeriesReducer: "REDUCE_SUM",
              // Per revision: the maximum is each revision's, and a canary splits instances.
              groupByFields: [...BY_SERVICE, "resource.label.revision_name"],
            },
          ],
          comparison: "COMPARISON_GT",
          // Only GT and LT are supported: above max - 0.5 is "at max" for a whole count.
          thresholdValue: max - 0.5,
          duration: `${options.durationSeconds ?? MONITORING_DEFAULTS.instancesDurationSeconds}s`,
        }),
      ],
    });
  }

  /** The availability and latency SLOs, each with a fast and a slow burn-rate alert. */
  private addSlos(o: SloOptions): Record<string, MonitoringSlo> {
    const { name, project, filters } = this;
    const location = this.props.service.location;
    const service = new MonitoringCustomService(this, "slo-service", {
      project,
      serviceId: sloServiceId(location, name),
      displayName: `${name} (Cloud Run, ${location})`,
    });
    const days = o.rollingPeriodDays ?? MONITORING_DEFAULTS.rollingPeriodDays;
    const sloLatencyMs = o.latencyThresholdMs ?? this.latencyThresholdMs;
    const availabilityGoal = o.availabilityGoal ?? MONITORING_DEFAULTS.availabilityGoal;
    const latencyGoal = o.latencyGoal ?? MONITORING_DEFAULTS.latencyGoal;
    const slos: Record<string, MonitoringSlo> = {
      availability: new MonitoringSlo(this, "slo-availability", {
        project,
        service: service.serviceId,
        sloId: "availability",
        displayName: `${name}: ${percent(availabilityGoal)} of requests without a 5xx, ${days} days`,
        goal: availabilityGoal,
        rollingPeriodDays: days,
        requestBasedSli: { goodTotalRatio: { badServiceFilter: filters.errors, totalServiceFilter: filters.requests } },
      }),
      latency: new MonitoringSlo(this, "slo-latency", {
        project,
        service: service.serviceId,
        sloId: "latency",
        displayName: `${name}: ${percent(latencyGoal)} of requests within ${sloLatencyMs} ms, ${days} days`,
        goal: latencyGoal,
        rollingPeriodDays: days,
        requestBasedSli: {
          distributionCut: { distributionFilter: filters.latencies, range: { min: 0, max: sloLatencyMs } },
        },
      }),
    };
    for (const [kind, slo] of Object.entries(slos)) {
      for (const [speed, w] of Object.entries(mon.BURN_RATE_WINDOWS)) {
        const window = (seconds: number) =>
          threshold(`${kind} SLO burn rate over ${duration(seconds)} above ${w.burnRate}`, {
            filter: mon.burnRateFilter(slo.name, seconds),
            comparison: "COMPARISON_GT",
            thresholdValue: w.burnRate,
            duration: "0s",
          });
        this.alert(`alert-${kind}-burn-${speed}`, {
          displayName: `${name}: ${kind} SLO burning ${speed} (${w.burnRate}× over ${duration(w.longSeconds)})`,
          severity: speed === "fast" ? "CRITICAL" : "WARNING",
          combiner: "AND",
          documentation: `${name} spends its ${kind} error budget ${w.burnRate} times as fast as the SLO allows, over ${duration(w.longSeconds)} and ${duration(w.shortSeconds)} (Google SRE workbook, "Alerting on SLOs").`,
          conditions: [window(w.longSeconds), window(w.shortSeconds)],
        });
      }
    }
    return slos;
  }
}

/** Alerts aggregate per service. */
const BY_SERVICE = ["resource.label.service_name"];

/** A threshold condition. */
function threshold(
  displayName: string,
  c: NonNullable<MonitoringAlertPolicyConditions["conditionThreshold"]>,
): MonitoringAlertPolicyConditions {
  return { displayName, conditionThreshold: { ...c, trigger: { count: 1 } } };
}

function percent(ratio: number): string {
  return Token.isUnresolved(ratio) ? String(ratio) : `${Math.round(ratio * 10000) / 100}%`;
}

function duration(seconds: number): string {
  return seconds % 3600 === 0 ? `${seconds / 3600} h` : `${seconds / 60} min`;
}
