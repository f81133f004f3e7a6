import { Construct } from "constructs";
import * as mon from "../../gcp/monitoring";
import { Problem, Problems, throwIfInvalid } from "../../gcp/validation";
import { MonitoringDashboard as Dashboard } from "../../providers";
import { CommonProps, checkCommonProps } from "../common";

/*
 * Dashboards from typed widgets, written as the Monitoring API returns them (zero positions left
 * out, int64 fields as the API gives them back), so a plan does not show a permanent diff
 * (provider issues 16173 and 24650).
 */

/** One time series of a chart: a filter and how its points are aligned and combined. */
export interface Series {
  readonly filter: string;
  /** Per-series aligner, such as `ALIGN_RATE`. */
  readonly aligner: string;
  /** Cross-series reducer, such as `REDUCE_SUM`. */
  readonly reducer?: string;
  readonly groupBy?: readonly string[];
  /**
   * Alignment period, in seconds.
   * @default 60
   */
  readonly alignmentSeconds?: number;
  /** The legend, such as `p99`. */
  readonly legend?: string;
}

/** A ratio of two series, such as 5xx responses over all responses. */
export interface RatioSeries {
  readonly numerator: Series;
  readonly denominator: Series;
  readonly legend?: string;
}

/** A dashboard widget. */
export type Widget =
  | {
      readonly kind: "chart";
      readonly title: string;
      readonly series: readonly (Series | RatioSeries)[];
      readonly plot?: "LINE" | "STACKED_BAR" | "STACKED_AREA";
      readonly yLabel?: string;
    }
  | { readonly kind: "text"; readonly title: string; readonly markdown: string };

export interface MonitoringDashboardProps extends CommonProps {
  readonly displayName: string;
  readonly widgets: readonly Widget[];
  /**
   * Widgets per row.
   * @default 2
   */
  readonly perRow?: number;
}

export function validateMonitoringDashboardProps(props: MonitoringDashboardProps): Problem[] {
  const p = new Problems();
  checkCommonProps(p, props);
  if (props.displayName.trim() === "") p.add("displayName", props.displayName, "must not be empty");
  if (props.widgets.length === 0) p.add("widgets", props.widgets, "must hold at least one widget");
  p.check("perRow", props.perRow, (v) => ([1, 2, 3, 4].includes(v) ? undefined : "must be 1, 2, 3 or 4"));
  props.widgets.forEach((w, i) => {
    if (w.kind === "chart" && w.series.length === 0)
      p.add(`widgets[${i}].series`, w.series, "must hold at least one series");
  });
  return [...p.list];
}

/** A `google_monitoring_dashboard` from typed widgets, laid out in rows (construct id `dashboard`). */
export class MonitoringDashboard extends Construct {
  readonly dashboard: Dashboard;
  /** The dashboard's JSON, as written. */
  readonly json: string;

  constructor(scope: Construct, id: string, props: MonitoringDashboardProps) {
    super(scope, id);
    throwIfInvalid(this, "MonitoringDashboard", validateMonitoringDashboardProps(props));
    this.json = dashboardJson(props.displayName, props.widgets, props.perRow ?? 2);
    this.dashboard = new Dashboard(this, "dashboard", { project: props.project, dashboardJson: this.json });
  }
}

/** The mosaic grid's width (Google's Cloud Run dashboard sample uses 48 columns). */
const COLUMNS = 48;
const HEIGHT = 16;

/** The dashboard's JSON: a mosaic layout, `perRow` tiles a row, zero positions left out. */
export function dashboardJson(displayName: string, widgets: readonly Widget[], perRow: number): string {
  const width = COLUMNS / perRow;
  const tiles = widgets.map((w, i) => {
    const x = (i % perRow) * width;
    const y = Math.floor(i / perRow) * HEIGHT;
    return {
      ...(x > 0 ? { xPos: x } : {}),
      ...(y > 0 ? { yPos: y } : {}),
      width,
      height: HEIGHT,
      widget: widgetJson(w),
    };
  });
  return JSON.stringify({ displayName, mosaicLayout: { columns: COLUMNS, tiles } });
}

function aggregation(s: Series) {
  return {
    alignmentPeriod: `${s.alignmentSeconds ?? 60}s`,
    perSeriesAligner: s.aligner,
    ...(s.reducer ? { crossSeriesReducer: s.reducer } : {}),
    ...(s.groupBy ? { groupByFields: [...s.groupBy] } : {}),
  };
}

function widgetJson(w: Widget) {
  if (w.kind === "text") return { title: w.title, text: { content: w.markdown, format: "MARKDOWN" } };
  return {
    title: w.title,
    xyChart: {
      dataSets: w.series.map((s) => ({
        timeSeriesQuery:
          "numerator" in s
            ? {
                timeSeriesFilterRatio: {
                  numerator: { filter: s.numerator.filter, aggregation: aggregation(s.numerator) },
                  denominator: { filter: s.denominator.filter, aggregation: aggregation(s.denominator) },
                },
              }
            : { timeSeriesFilter: { filter: s.filter, aggregation: aggregation(s) } },
        plotType: w.plot ?? "LINE",
        targetAxis: "Y1",
        ...(s.legend ? { legendTemplate: s.legend } : {}),
      })),
      ...(w.yLabel ? { yAxis: { label: w.yLabel, scale: "LINEAR" } } : {}),
      chartOptions: { mode: "COLOR" },
    },
  };
}

/**
 * The widgets of one Cloud Run service: request rate by response class, 5xx ratio, p50 and p99
 * latency, instances by state, and, with its SLOs' names, the error budget left of each.
 */
export function serviceWidgets(serviceName: string, sloNames: Readonly<Record<string, string>> = {}): Widget[] {
  const m = mon.RUN_SERVICE_METRICS;
  const requests = mon.serviceMetricFilter(serviceName, m.requestCount);
  const rate = (filter: string, legend?: string): Series => ({
    filter,
    aligner: "ALIGN_RATE",
    reducer: "REDUCE_SUM",
    groupBy: ["resource.label.service_name"],
    legend,
  });
  const latency = (p: "50" | "99"): Series => ({
    filter: mon.serviceMetricFilter(serviceName, m.requestLatencies),
    aligner: "ALIGN_DELTA",
    reducer: `REDUCE_PERCENTILE_${p}`,
    groupBy: ["resource.label.service_name"],
    legend: `p${p}`,
  });
  const widgets: Widget[] = [
    {
      kind: "chart",
      title: `${serviceName}: requests per second, by response class`,
      plot: "STACKED_BAR",
      series: [{ ...rate(requests), groupBy: ["metric.label.response_code_class"] }],
    },
    {
      kind: "chart",
      title: `${serviceName}: 5xx error ratio`,
      series: [
        {
          numerator: rate(mon.serviceMetricFilter(serviceName, m.requestCount, { response_code_class: "5xx" })),
          denominator: rate(requests),
          legend: "5xx / all",
        },
      ],
    },
    {
      kind: "chart",
      title: `${serviceName}: latency (ms), p50 and p99`,
      yLabel: "ms",
      series: [latency("50"), latency("99")],
    },
    {
      kind: "chart",
      title: `${serviceName}: instances, by state`,
      plot: "STACKED_AREA",
      series: [
        {
          filter: mon.serviceMetricFilter(serviceName, m.instanceCount),
          aligner: "ALIGN_MAX",
          reducer: "REDUCE_SUM",
          groupBy: ["metric.label.state"],
        },
      ],
    },
  ];
  const slos = Object.entries(sloNames);
  if (slos.length > 0) {
    widgets.push({
      kind: "chart",
      title: `${serviceName}: error budget left, per SLO`,
      series: slos.map(([kind, name]) => ({
        filter: `select_slo_budget_fraction("${name}")`,
        aligner: "ALIGN_NEXT_OLDER",
        alignmentSeconds: 3600,
        legend: kind,
      })),
    });
  }
  return widgets;
}

/** The widget of one Cloud Run job: executions per hour, by result. */
export function jobWidgets(jobName: string): Widget[] {
  return [
    {
      kind: "chart",
      title: `${jobName}: executions per hour, by result`,
      plot: "STACKED_BAR",
      series: [
        {
          filter: mon.jobMetricFilter(jobName, mon.RUN_JOB_METRICS.completedExecutions),
          aligner: "ALIGN_DELTA",
          reducer: "REDUCE_SUM",
          groupBy: ["metric.label.result"],
          alignmentSeconds: 3600,
        },
      ],
    },
  ];
}
