/**
 * ServiceMonitoring (lib/constructs/monitoring/service-monitoring.ts) as a consumer uses it: every
 * filter asserted as written (metric, resource and label names from lib/gcp/monitoring.ts), every
 * validation at its boundary, and what the monitored service's ingress and health path allow.
 */
import { CloudRunService, PolicyPack, ServiceMonitoring, ServiceMonitoringProps } from "../../../lib";
import { Json, resources } from "../../helpers";
import { CHANNEL, PROJECT, conditionsOf, monitored, refusedWith, service, stackWith, synthOf } from "./builders";

describe("ServiceMonitoring: what it writes", () => {
  const { out } = monitored();
  const policies = resources(out, "google_monitoring_alert_policy");
  const byName = (fragment: string) => Object.values<Json>(policies).find((p) => p.display_name.includes(fragment))!;
  const svcFilter = 'resource.type = "cloud_run_revision" AND resource.labels.service_name = "predict"';

  test("an uptime check on the service's host and health path, with the Monitoring agent's OIDC token", () => {
    const [check] = Object.values<Json>(resources(out, "google_monitoring_uptime_check_config"));
    expect(check).toMatchObject({
      period: "60s",
      timeout: "10s",
      selected_regions: ["ASIA_PACIFIC", "EUROPE", "USA"],
      monitored_resource: { type: "uptime_url", labels: { project_id: PROJECT } },
      http_check: {
        path: "/health",
        port: 443,
        use_ssl: true,
        validate_ssl: true,
        request_method: "GET",
        service_agent_authentication: { type: "OIDC_TOKEN" },
      },
    });
    expect(check.monitored_resource.labels.host).toMatch(
      /^\$\{replace\(google_cloud_run_v2_service\.predict_service_[0-9A-F]+\.uri, "https:\/\/", ""\)\}$/,
    );
    // The agent may invoke this service, and only it; the check waits for the grant.
    const invokers = Object.entries<Json>(resources(out, "google_cloud_run_v2_service_iam_member"));
    expect(invokers).toHaveLength(1);
    const [id, grant] = invokers[0];
    expect(grant).toMatchObject({ role: "roles/run.invoker", location: "europe-west1" });
    expect(grant.name).toMatch(/^\$\{google_cloud_run_v2_service\.predict_service_[0-9A-F]+\.name\}$/);
    expect(grant.member).toMatch(
      /^serviceAccount:service-\$\{data\.google_project\.predict_monitoring_project_[0-9A-F]+\.number\}@gcp-sa-monitoring-notification\.iam\.gserviceaccount\.com$/,
    );
    expect(check.depends_on).toEqual([`google_cloud_run_v2_service_iam_member.${id}`]);
    expect(Object.keys(resources(out, "google_project_iam_member")).filter((k) => /monitoring/.test(k))).toEqual([]);
  });

  test("the 5xx ratio alert: 5xx over all requests of this service, rates summed per service, above 2% for 5 min", () => {
    const [c] = conditionsOf(byName("5xx error ratio"));
    expect(c.filter).toBe(
      `${svcFilter} AND metric.type = "run.googleapis.com/request_count" AND metric.labels.response_code_class = "5xx"`,
    );
    expect(c.denominator_filter).toBe(`${svcFilter} AND metric.type = "run.googleapis.com/request_count"`);
    const aggregation = {
      alignment_period: "300s",
      per_series_aligner: "ALIGN_RATE",
      cross_series_reducer: "REDUCE_SUM",
      group_by_fields: ["resource.label.service_name"],
    };
    expect(c.aggregations).toEqual([aggregation]);
    expect(c.denominator_aggregations).toEqual([aggregation]);
    expect(c).toMatchObject({ comparison: "COMPARISON_GT", threshold_value: 0.02, duration: "300s" });
  });

  test("the p99 latency alert: request latencies, delta-aligned, the 99th percentile across revisions, above 1000 ms", () => {
    const [c] = conditionsOf(byName("p99 latency"));
    expect(c.filter).toBe(`${svcFilter} AND metric.type = "run.googleapis.com/request_latencies"`);
    expect(c.aggregations).toEqual([
      {
        alignment_period: "300s",
        per_series_aligner: "ALIGN_DELTA",
        cross_series_reducer: "REDUCE_PERCENTILE_99",
        group_by_fields: ["resource.label.service_name"],
      },
    ]);
    expect(c).toMatchObject({ comparison: "COMPARISON_GT", threshold_value: 1000, duration: "300s" });
  });

  test("the instances alert fires at the service's maximum (20), which it reads from the service", () => {
    const [c] = conditionsOf(byName("maximum of 20 instances"));
    expect(c.filter).toBe(`${svcFilter} AND metric.type = "run.googleapis.com/container/instance_count"`);
    expect(c).toMatchObject({ comparison: "COMPARISON_GT", threshold_value: 19.5, duration: "300s" });
  });

  test("the uptime alert: the check's results, false in more than one location", () => {
    const [c] = conditionsOf(byName("uptime check failing"));
    expect(c.filter).toMatch(
      /^metric\.type = "monitoring\.googleapis\.com\/uptime_check\/check_passed" AND resource\.type = "uptime_url" AND metric\.labels\.check_id = "\$\{google_monitoring_uptime_check_config\.[\w-]+\.uptime_check_id\}"$/,
    );
    expect(c.aggregations[0]).toMatchObject({
      per_series_aligner: "ALIGN_NEXT_OLDER",
      cross_series_reducer: "REDUCE_COUNT_FALSE",
    });
    expect(c).toMatchObject({ comparison: "COMPARISON_GT", threshold_value: 1 });
  });

  test("two request-based SLOs: bad (5xx) over total, and latencies within the threshold", () => {
    const slos = Object.values<Json>(resources(out, "google_monitoring_slo"));
    const availability = slos.find((s) => s.slo_id === "availability")!;
    expect(availability).toMatchObject({ goal: 0.995, rolling_period_days: 28 });
    expect(availability.request_based_sli.good_total_ratio).toEqual({
      bad_service_filter: `${svcFilter} AND metric.type = "run.googleapis.com/request_count" AND metric.labels.response_code_class = "5xx"`,
      total_service_filter: `${svcFilter} AND metric.type = "run.googleapis.com/request_count"`,
    });
    const latency = slos.find((s) => s.slo_id === "latency")!;
    expect(latency).toMatchObject({ goal: 0.99 });
    expect(latency.request_based_sli.distribution_cut).toEqual({
      distribution_filter: `${svcFilter} AND metric.type = "run.googleapis.com/request_latencies"`,
      range: { min: 0, max: 1000 },
    });
    const [service] = Object.values<Json>(resources(out, "google_monitoring_custom_service"));
    expect(service.service_id).toBe("run-europe-west1-predict");
  });

  test("burn-rate alerts per SLO: fast (1 h and 5 min above 14.4) and slow (6 h and 30 min above 6), both windows", () => {
    for (const kind of ["availability", "latency"]) {
      for (const [speed, long, short, rate] of [
        ["fast", 3600, 300, 14.4],
        ["slow", 21600, 1800, 6],
      ] as const) {
        const policy = byName(`${kind} SLO burning ${speed}`);
        expect(policy.combiner).toBe("AND");
        expect(policy.severity).toBe(speed === "fast" ? "CRITICAL" : "WARNING");
        const filters = conditionsOf(policy).map((c) => c.filter);
        expect(filters).toEqual([
          expect.stringMatching(
            new RegExp(`^select_slo_burn_rate\\("\\$\\{google_monitoring_slo\\.[\\w-]+\\.name\\}", "${long}s"\\)$`),
          ),
          expect.stringMatching(new RegExp(`^select_slo_burn_rate\\(".*", "${short}s"\\)$`)),
        ]);
        for (const c of conditionsOf(policy)) {
          expect(c).toMatchObject({ comparison: "COMPARISON_GT", threshold_value: rate, duration: "0s" });
          expect(c.aggregations).toBeUndefined();
        }
      }
    }
  });

  test("every alert: enabled, routed to the channels, documented in Markdown, closed after 30 min", () => {
    expect(Object.keys(policies)).toHaveLength(8);
    for (const p of Object.values<Json>(policies)) {
      expect(p).toMatchObject({
        enabled: true,
        notification_channels: [CHANNEL],
        documentation: { mime_type: "text/markdown" },
        alert_strategy: { auto_close: "1800s" },
        user_labels: { service: "predict", "managed-by": "cdktf-cloud-run" },
      });
    }
  });

  test("the options change what they say: thresholds, durations, the uptime path, no SLOs, no instances alert", () => {
    const { out: custom } = monitored({
      errorRatio: { threshold: 0.05, durationSeconds: 600 },
      latency: { thresholdMs: 2500 },
      uptimeCheck: { path: "/ready", periodSeconds: 300, timeoutSeconds: 30 },
      instancesAtMax: false,
      slo: false,
      projectNumber: "123456789012",
    });
    const ps = Object.values<Json>(resources(custom, "google_monitoring_alert_policy"));
    expect(ps.map((p) => p.display_name).sort()).toEqual([
      "predict: 5xx error ratio above 5%",
      "predict: p99 latency above 2500 ms",
      "predict: uptime check failing",
    ]);
    expect(conditionsOf(ps.find((p) => p.display_name.includes("5xx"))!)[0]).toMatchObject({
      threshold_value: 0.05,
      duration: "600s",
    });
    expect(Object.values<Json>(resources(custom, "google_monitoring_uptime_check_config"))[0]).toMatchObject({
      period: "300s",
      timeout: "30s",
      http_check: { path: "/ready" },
    });
    expect(custom.data?.google_project).toBeUndefined();
    expect(Object.values<Json>(resources(custom, "google_cloud_run_v2_service_iam_member"))[0].member).toBe(
      "serviceAccount:service-123456789012@gcp-sa-monitoring-notification.iam.gserviceaccount.com",
    );
    expect(resources(custom, "google_monitoring_slo")).toEqual({});
  });
});

describe("ServiceMonitoring: validation at the boundaries", () => {
  const make = (props: Partial<ServiceMonitoringProps>) =>
    stackWith((s) => {
      const svc = service(s);
      new ServiceMonitoring(svc, "monitoring", { service: svc, ...props });
    });

  test("thresholds, durations, periods, goals", () => {
    expect(() => make({ errorRatio: { threshold: 0.999 } })).not.toThrow();
    refusedWith(() => make({ errorRatio: { threshold: 1 } }), "errorRatio.threshold", /above 0 and below 1/);
    refusedWith(() => make({ errorRatio: { threshold: 0 } }), "errorRatio.threshold", /above 0 and below 1/);
    expect(() => make({ errorRatio: { durationSeconds: 0 } })).not.toThrow();
    expect(() => make({ latency: { durationSeconds: 86400 } })).not.toThrow();
    refusedWith(() => make({ latency: { durationSeconds: 90 } }), "latency.durationSeconds", /multiple of 60/);
    refusedWith(() => make({ latency: { thresholdMs: 0 } }), "latency.thresholdMs", /above 0/);
    refusedWith(
      () => make({ uptimeCheck: { periodSeconds: 120 } }),
      "uptimeCheck.periodSeconds",
      /60, 300, 600 or 900/,
    );
    refusedWith(() => make({ uptimeCheck: { timeoutSeconds: 61 } }), "uptimeCheck.timeoutSeconds", /from 1 to 60/);
    refusedWith(() => make({ uptimeCheck: { path: "health" } }), "uptimeCheck.path", /starting with \//);
    // Paths ending in "z" may never reach the container through the public URL.
    refusedWith(
      () => make({ uptimeCheck: { path: "/healthz" } }),
      "uptimeCheck.path",
      /must not end in "z".*reserved URL paths/,
    );
    expect(() => make({ uptimeCheck: { path: "/health" } })).not.toThrow();
    expect(() => make({ slo: { availabilityGoal: 0.999 } })).not.toThrow();
    refusedWith(() => make({ slo: { availabilityGoal: 1 } }), "slo.availabilityGoal", /at most 0.999/);
    refusedWith(() => make({ slo: { rollingPeriodDays: 31 } }), "slo.rollingPeriodDays", /from 1 to 30/);
  });

  test("a required channel must be there; a channel must be a channel id", () => {
    refusedWith(
      () => make({ requireNotificationChannel: true }),
      "notificationChannels",
      /must name at least one notification channel: requireNotificationChannel is set/,
    );
    expect(() => make({ requireNotificationChannel: true, notificationChannels: [CHANNEL] })).not.toThrow();
    refusedWith(
      () => make({ notificationChannels: ["oncall@acme.example"] }),
      "notificationChannels[0]",
      /projects\/PROJECT\/notificationChannels\/ID/,
    );
  });
});

describe("ServiceMonitoring: what the service allows", () => {
  const withService = (
    svc: Partial<ConstructorParameters<typeof CloudRunService>[2]>,
    props: Partial<ServiceMonitoringProps> = {},
  ) =>
    stackWith((s) => {
      const service_ = service(s, svc);
      new ServiceMonitoring(service_, "monitoring", { service: service_, notificationChannels: [CHANNEL], ...props });
    });

  test("a service whose health path ends in z needs an uptime path of its own, named in the error", () => {
    refusedWith(
      () => withService({ startupProbe: { path: "/healthz" } }),
      "uptimeCheck.path",
      /the service's health path, the default\) must not end in "z".*set uptimeCheck.path/,
    );
    expect(() =>
      withService({ startupProbe: { path: "/healthz" } }, { uptimeCheck: { path: "/health" } }),
    ).not.toThrow();
  });

  test("behind a load balancer: the host it answers on, which the service accepts tokens for; internal: no check", () => {
    refusedWith(
      () => withService({ ingress: "internal-and-cloud-load-balancing" }),
      "uptimeCheck.host",
      /is needed: the service's ingress is "internal-and-cloud-load-balancing", and uptime checks call from the internet/,
    );
    refusedWith(
      () =>
        withService({ ingress: "internal-and-cloud-load-balancing" }, { uptimeCheck: { host: "api.acme.example" } }),
      "uptimeCheck.host",
      /add "https:\/\/api.acme.example" to the service's customAudiences/,
    );
    const stack = withService(
      { ingress: "internal-and-cloud-load-balancing", customAudiences: ["https://api.acme.example"] },
      { uptimeCheck: { host: "api.acme.example" } },
    );
    const [check] = Object.values<Json>(resources(synthOf(stack), "google_monitoring_uptime_check_config"));
    expect(check.monitored_resource.labels.host).toBe("api.acme.example");
    expect(check.user_labels.service).toBe("predict");
    // MON-001 recognizes the check by its service label.
    expect(
      new PolicyPack({ stage: "production" }).evaluate(stack).findings.filter((f) => f.ruleId === "MON-001"),
    ).toEqual([]);
    refusedWith(
      () =>
        withService(
          { ingress: "internal-and-cloud-load-balancing" },
          { uptimeCheck: { host: "https://api.acme.example/" } },
        ),
      "uptimeCheck.host",
      /must be a host name/,
    );
    refusedWith(
      () => withService({ ingress: "internal" }),
      "uptimeCheck",
      /cannot reach the service: its ingress is "internal"/,
    );
    expect(() => withService({ ingress: "internal" }, { uptimeCheck: false })).not.toThrow();
  });

  test("instances at the maximum are counted per revision: a canary splits them", () => {
    const { out } = monitored();
    const policy = Object.values<Json>(resources(out, "google_monitoring_alert_policy")).find((p) =>
      p.display_name.includes("maximum"),
    )!;
    expect(conditionsOf(policy)[0].aggregations[0].group_by_fields).toEqual([
      "resource.label.service_name",
      "resource.label.revision_name",
    ]);
  });
});
