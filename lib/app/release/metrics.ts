import { ApiOptions, GoogleApiError, callGoogleApi, guarded, unexpectedAnswer } from "./google-api";

/*
 * A canary's and its stable revision's metrics, read from Cloud Monitoring: how many requests each
 * revision served over a window, how many of them were 5xx, and its 99th percentile latency.
 *
 * One call of `projects.timeSeries.list` per revision and metric, each aggregated by Monitoring
 * itself, so a window of hours comes back as a handful of points rather than a point a minute:
 *
 * - requests: `run.googleapis.com/request_count` (DELTA, INT64; label `response_code_class`
 *   `2xx`…`5xx`), aligner ALIGN_DELTA over one period as long as the window, reducer REDUCE_SUM
 *   grouped by revision and response code class: one series per class, errors are the `5xx` one.
 * - p99: `run.googleapis.com/request_latencies` (DELTA, DISTRIBUTION, milliseconds), aligner
 *   ALIGN_DELTA, reducer REDUCE_PERCENTILE_99 grouped by revision: a DOUBLE per period; when a
 *   window spans two periods there are two points, and the larger is kept (the conservative one).
 *
 * Relied on (read 2026-12 in the stored copies of these pages):
 * - projects.timeSeries.list, https://docs.cloud.google.com/monitoring/api/ref_v3/rest/v3/projects.timeSeries/list
 *   (and its parameters as the generated clients list them, e.g.
 *   https://pub.dev/documentation/googleapis/latest/monitoring_v3/ProjectsTimeSeriesResource-class.html:
 *   `aggregation_groupByFields` is a list, so the query parameter repeats): `filter`,
 *   `interval.startTime`/`interval.endTime`, `aggregation.alignmentPeriod`, `.perSeriesAligner`,
 *   `.crossSeriesReducer`, `.groupByFields`, `pageToken`; the answer's `timeSeries` and
 *   `nextPageToken` (absent or empty on the last page); an int64Value is a JSON string.
 * - Aggregation, https://docs.cloud.google.com/java/docs/reference/google-cloud-monitoring/3.13.0/com.google.monitoring.v3.AggregationOrBuilder
 *   ("The value must be at least 60 seconds"; an aligner other than ALIGN_NONE needs the period)
 *   and https://hexdocs.pm/google_api_monitoring/0.7.0/GoogleApi.Monitoring.V3.Model.Aggregation.html
 *   (a cross-series reducer needs an aligner and a period); labels not in groupByFields are
 *   aggregated away, so the revision name is among them to come back.
 * - Monitoring filters, https://cloud.google.com/monitoring/api/v3/filters: `metric.type`,
 *   `resource.type`, `resource.labels.KEY` joined with AND. The filter language also has a
 *   one_of() to match several revisions at once, but its syntax section was not in the stored
 *   copy of the page; one query per revision (`resource.labels.revision_name = "r"`) is beyond
 *   doubt and costs two more calls.
 * - The metrics and their labels: Google Cloud metrics list, "run"; ../shared/REFERENCE.md,
 *   "Cloud Monitoring for canary analysis".
 *
 * Reading needs `roles/monitoring.viewer` on the project (monitoring.timeSeries.list).
 */

/** What one revision served over a window. */
export interface RevisionMetrics {
  /** Requests it answered. */
  readonly requests: number;
  /** Of which 5xx. */
  readonly errors: number;
  /** Its 99th percentile latency in milliseconds; undefined when Monitoring has no latency data. */
  readonly p99Ms?: number;
}

/** Which revisions of which service, over which window. */
export interface MetricsQuery {
  readonly project: string;
  /** The service's region: `europe-west1`. */
  readonly location: string;
  /** The Cloud Run service's name. */
  readonly service: string;
  readonly revisions: readonly string[];
  readonly start: Date;
  readonly end: Date;
}

const REQUEST_COUNT = "run.googleapis.com/request_count";
const REQUEST_LATENCIES = "run.googleapis.com/request_latencies";
const REVISION_LABEL = "resource.labels.revision_name";
const CODE_CLASS_LABEL = "metric.labels.response_code_class";

/** How many pages one list may take before the answer is refused as implausible. */
export const MAX_PAGES = 50;

/**
 * The requests, 5xx errors and p99 latency of each revision over the window, read from Cloud
 * Monitoring. A revision with no data has `{ requests: 0, errors: 0 }` (a revision that served
 * nothing, or whose metrics have not arrived yet: Monitoring shows Cloud Run's a minute or more
 * late). Throws a {@link GoogleApiError} for anything that went wrong, never another error.
 */
export async function readRevisionMetrics(
  query: MetricsQuery,
  options?: ApiOptions,
): Promise<Record<string, RevisionMetrics>> {
  return guarded("monitoring", async () => {
    checkWindow(query);
    const revisions = [...new Set(query.revisions)];
    const read = await Promise.all(
      revisions.map(async (revision) => {
        const [counts, p99Ms] = await Promise.all([
          requestCounts(query, revision, options),
          p99(query, revision, options),
        ]);
        const metrics: RevisionMetrics = { ...counts, ...(p99Ms === undefined ? {} : { p99Ms }) };
        return [revision, metrics] as const;
      }),
    );
    return Object.fromEntries(read);
  });
}

function checkWindow(query: MetricsQuery): void {
  const start = query.start.getTime();
  const end = query.end.getTime();
  if (Number.isNaN(start) || Number.isNaN(end) || end <= start) {
    throw new GoogleApiError({
      api: "monitoring",
      apiMessage: `the window ${String(query.start)} to ${String(query.end)} is empty`,
      advice: "ask for a window whose end is after its start",
      summary: "Cloud Monitoring was not called",
    });
  }
}

/** Requests and 5xx of one revision: the sum of every point of every response code class. */
async function requestCounts(
  query: MetricsQuery,
  revision: string,
  options: ApiOptions | undefined,
): Promise<{ requests: number; errors: number }> {
  const series = await listTimeSeries(
    query,
    revision,
    REQUEST_COUNT,
    { reducer: "REDUCE_SUM", groupBy: [REVISION_LABEL, CODE_CLASS_LABEL] },
    options,
  );
  let requests = 0;
  let errors = 0;
  for (const s of series) {
    const total = s.points.reduce((sum, point) => sum + pointValue(point, revision), 0);
    requests += total;
    if (s.metric?.labels?.response_code_class === "5xx") errors += total;
  }
  // Each point is a finite count; their sum must be too (points near 1e308 would make it
  // Infinity, and a ratio of Infinity requests 0).
  if (!Number.isSafeInteger(requests) || !Number.isSafeInteger(errors)) {
    throw unexpectedAnswer("monitoring", `request counts of revision ${revision} that add up past 2^53`);
  }
  return { requests, errors };
}

/** The 99th percentile latency of one revision: the largest point, or undefined without data. */
async function p99(
  query: MetricsQuery,
  revision: string,
  options: ApiOptions | undefined,
): Promise<number | undefined> {
  const series = await listTimeSeries(
    query,
    revision,
    REQUEST_LATENCIES,
    { reducer: "REDUCE_PERCENTILE_99", groupBy: [REVISION_LABEL] },
    options,
  );
  const values = series.flatMap((s) => s.points.map((point) => pointValue(point, revision)));
  return values.length === 0 ? undefined : Math.max(...values);
}

// ---------------------------------------------------------------------------------------------
// projects.timeSeries.list

/** A time series as the API answers it, the parts read here. */
interface TimeSeries {
  readonly metric?: { readonly type?: string; readonly labels?: Readonly<Record<string, string>> };
  readonly resource?: { readonly type?: string; readonly labels?: Readonly<Record<string, string>> };
  readonly points: readonly Point[];
}

interface Point {
  readonly value?: { readonly int64Value?: unknown; readonly doubleValue?: unknown };
}

interface ListTimeSeriesResponse {
  readonly timeSeries?: unknown;
  readonly nextPageToken?: unknown;
}

/** The filter of one metric of one revision of one service. */
export function metricsFilter(metricType: string, query: MetricsQuery, revision: string): string {
  return [
    `metric.type = ${quoted(metricType)}`,
    `resource.type = "cloud_run_revision"`,
    `resource.labels.service_name = ${quoted(query.service)}`,
    `resource.labels.location = ${quoted(query.location)}`,
    `${REVISION_LABEL} = ${quoted(revision)}`,
  ].join(" AND ");
}

/** A string in a filter: double quotes, with backslashes and quotes escaped. */
function quoted(value: string): string {
  return `"${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

/** One alignment period covering the window: its length in whole seconds, at least 60 (the API's minimum). */
export function alignmentPeriod(start: Date, end: Date): string {
  return `${Math.max(60, Math.ceil((end.getTime() - start.getTime()) / 1000))}s`;
}

/** Every series of a list, page after page (`nextPageToken`), at most {@link MAX_PAGES} pages. */
async function listTimeSeries(
  query: MetricsQuery,
  revision: string,
  metricType: string,
  aggregation: { reducer: string; groupBy: readonly string[] },
  options: ApiOptions | undefined,
): Promise<TimeSeries[]> {
  const series: TimeSeries[] = [];
  let pageToken: string | undefined;
  for (let page = 1; page <= MAX_PAGES; page++) {
    const answer = await callGoogleApi<ListTimeSeriesResponse>({
      api: "monitoring",
      method: "GET",
      path: `/v3/projects/${encodeURIComponent(query.project)}/timeSeries`,
      query: {
        filter: metricsFilter(metricType, query, revision),
        "interval.startTime": query.start.toISOString(),
        "interval.endTime": query.end.toISOString(),
        "aggregation.alignmentPeriod": alignmentPeriod(query.start, query.end),
        "aggregation.perSeriesAligner": "ALIGN_DELTA",
        "aggregation.crossSeriesReducer": aggregation.reducer,
        "aggregation.groupByFields": aggregation.groupBy,
        pageToken,
      },
      project: query.project,
      role: `roles/monitoring.viewer on project ${query.project}`,
      notFound: `not found: check that project ${query.project} exists`,
      options,
    });
    series.push(...seriesOf(answer, revision));
    const next = answer.nextPageToken;
    if (next === undefined || next === "") return series;
    if (typeof next !== "string") throw unexpectedAnswer("monitoring", "nextPageToken is not a string");
    pageToken = next;
  }
  throw new GoogleApiError({
    api: "monitoring",
    status: 200,
    apiMessage: `unexpected answer: more than ${MAX_PAGES} pages of ${metricType} for ${revision}`,
    advice: "ask for a shorter window",
  });
}

/** The series of one page, checked: each an object with points, each of the revision asked for. */
function seriesOf(answer: ListTimeSeriesResponse, revision: string): TimeSeries[] {
  if (typeof answer !== "object" || answer === null || Array.isArray(answer)) {
    throw unexpectedAnswer("monitoring", "not a ListTimeSeriesResponse");
  }
  const list = answer.timeSeries;
  // An empty answer has no timeSeries field at all (proto3 JSON leaves out empty lists).
  if (list === undefined) return [];
  if (!Array.isArray(list)) throw unexpectedAnswer("monitoring", "timeSeries is not a list");
  return list.map((s: unknown) => {
    if (typeof s !== "object" || s === null) throw unexpectedAnswer("monitoring", "a time series is not an object");
    const series = s as Partial<TimeSeries>;
    const points = series.points ?? [];
    if (!Array.isArray(points)) throw unexpectedAnswer("monitoring", `the points of ${revision} are not a list`);
    const named = series.resource?.labels?.revision_name;
    if (named !== undefined && named !== revision) {
      throw unexpectedAnswer("monitoring", `a series of revision ${named} answered a query for ${revision}`);
    }
    return { ...series, points } as TimeSeries;
  });
}

/**
 * A point's value as a number: `int64Value` (a string on the wire, a number accepted too) or
 * `doubleValue`. Anything else, or a negative or non-finite number, is an unexpected answer.
 */
function pointValue(point: Point, revision: string): number {
  const value = point?.value;
  const raw = value?.int64Value ?? value?.doubleValue;
  const n = typeof raw === "string" && raw.trim() !== "" ? Number(raw) : typeof raw === "number" ? raw : NaN;
  if (!Number.isFinite(n) || n < 0) {
    throw unexpectedAnswer("monitoring", `a point of ${revision} has the value ${JSON.stringify(value)}, not a number`);
  }
  return n;
}
