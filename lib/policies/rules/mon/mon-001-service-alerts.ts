import { RUN_SERVICE_METRICS } from "../../../gcp/monitoring";
import { PolicyRule, compliant, nonCompliant } from "../../rule";
import { ResourceView, get, isExpression, list } from "../../view";

/** The filters of every condition of an enabled alert policy (numerator and denominator). */
function filtersOf(policy: ResourceView): string[] {
  if (policy.attrs.enabled === false) return [];
  return list(policy.attrs.conditions).flatMap((c) => {
    const t = get(c, "condition_threshold") as Record<string, unknown> | undefined;
    return [t?.filter, t?.denominator_filter].filter((f): f is string => typeof f === "string");
  });
}

/** A filter term `key = "value"`, however it is spaced, with `label` or `labels`. */
function hasTerm(filter: string, key: RegExp, value: string): boolean {
  const v = value.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(`${key.source}\\s*=\\s*"${v}"`).test(filter);
}

/** True when `filter` selects the 5xx responses of the service named `name`. */
function isErrorFilter(filter: string, name: string): boolean {
  return (
    hasTerm(filter, /metric\.type/, RUN_SERVICE_METRICS.requestCount) &&
    hasTerm(filter, /metric\.labels?\.response_code_class/, "5xx") &&
    hasTerm(filter, /resource\.labels?\.service_name/, name)
  );
}

/**
 * True when an uptime check is this service's: its host is the service's URL, or (a load
 * balancer's host) its `service` label names the service.
 */
function checksService(check: ResourceView, service: ResourceView): boolean {
  const host = get(check.attrs, "monitored_resource", "labels", "host");
  const id = service.name;
  if (typeof host === "string" && isExpression(host) && host.includes(`google_cloud_run_v2_service.${id}.uri`))
    return true;
  return get(check.attrs, "user_labels", "service") === service.attrs.name;
}

export const MON_001: PolicyRule = {
  id: "MON-001",
  // Alerts and uptime checks may live in another folder of the same root module.
  wholeConfiguration: true,
  what: "Production Cloud Run services have an alert on their 5xx error ratio and an uptime check",
  why: "A model API that nobody watches fails silently: users see the errors before the team does, and a private service's uptime check fails until the Monitoring service agent may invoke it.",
  fix: "Add ServiceMonitoring for the service (the environments app does, in production and preproduction), or acknowledge with a reason.",
  severity: "error",
  stages: ["production"],
  field: { path: "monitoring", of: "workload" },
  resourceTypes: ["google_cloud_run_v2_service"],
  check: (r) => {
    const name = String(r.attrs.name);
    const others = r.stack.resources;
    const alert = others.some(
      (o) => o.type === "google_monitoring_alert_policy" && filtersOf(o).some((f) => isErrorFilter(f, name)),
    );
    const uptime = others.some((o) => o.type === "google_monitoring_uptime_check_config" && checksService(o, r));
    const missing = [alert ? undefined : "alert on its 5xx error ratio", uptime ? undefined : "uptime check"].filter(
      (m): m is string => m !== undefined,
    );
    return missing.length === 0 ? compliant : nonCompliant(`service ${name} has no ${missing.join(" and no ")}`);
  },
};
