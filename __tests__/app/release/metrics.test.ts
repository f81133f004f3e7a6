/**
 * The canary metrics client (lib/app/release/metrics.ts) against a local fake of Cloud
 * Monitoring (__tests__/fixtures/google-apis.ts): the query it sends, how it reads the answer,
 * and the one error (GoogleApiError, lib/app/release/google-api.ts) it gives for every failure.
 * Nothing leaves 127.0.0.1: the fake is on a loopback address, which the client calls without
 * looking for credentials; the two tests that take the credentialed path fail before any request.
 */
import * as net from "net";
import { GoogleApiError } from "../../../lib/app/release/google-api";
import { MetricsQuery, alignmentPeriod, metricsFilter, readRevisionMetrics } from "../../../lib/app/release/metrics";
import { FakeScenario, useFakeGoogleApis } from "../../fixtures/google-apis";

const CANARY = "predict-00002-can";
const STABLE = "predict-00001-sta";
const QUERY: MetricsQuery = {
  project: "demo-project",
  location: "europe-west1",
  service: "predict",
  revisions: [CANARY, STABLE],
  start: new Date("2026-12-01T10:00:00Z"),
  end: new Date("2026-12-01T10:10:00Z"),
};

const apis = useFakeGoogleApis();
const { scenario } = apis;

/** Runs `work` with environment variables set (undefined: unset), restoring them after. */
async function withEnv<T>(vars: Record<string, string | undefined>, work: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  const apply = (values: Record<string, string | undefined>) => {
    for (const [k, v] of Object.entries(values)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
  apply(vars);
  try {
    return await work();
  } finally {
    apply(saved);
  }
}

/** The error `work` throws, which must be a GoogleApiError. */
async function apiError(work: Promise<unknown>): Promise<GoogleApiError> {
  const e = await work.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(e).toBeInstanceOf(GoogleApiError);
  const error = e as GoogleApiError;
  expect(error.message).not.toMatch(/\n/);
  return error;
}

const TYPICAL: FakeScenario = {
  revisions: {
    [CANARY]: { requests: { "2xx": 951, "4xx": 20, "5xx": 29 }, p99Ms: [120, 180.5] },
    [STABLE]: { requests: { "2xx": 9000, "5xx": 9 }, p99Ms: 95 },
  },
};

describe("the query", () => {
  test("one list per revision and metric, with the filter, interval and aggregation the reference describes", async () => {
    scenario({ ...TYPICAL, pageSize: 100 });
    await readRevisionMetrics(QUERY, { endpoint: apis.fake().url });
    expect(apis.fake().requests).toHaveLength(4);
    for (const r of apis.fake().requests) {
      expect(r).toMatchObject({ api: "monitoring", method: "GET", path: "/v3/projects/demo-project/timeSeries" });
      expect(r.authorization).toBeUndefined();
    }
    const counts = apis
      .fake()
      .requests.find((r) => r.query.filter[0].includes("request_count") && r.query.filter[0].includes(CANARY))!;
    expect(counts.query).toEqual({
      filter: [
        `metric.type = "run.googleapis.com/request_count" AND resource.type = "cloud_run_revision" AND resource.labels.service_name = "predict" AND resource.labels.location = "europe-west1" AND resource.labels.revision_name = "${CANARY}"`,
      ],
      "interval.startTime": ["2026-12-01T10:00:00.000Z"],
      "interval.endTime": ["2026-12-01T10:10:00.000Z"],
      "aggregation.alignmentPeriod": ["600s"],
      "aggregation.perSeriesAligner": ["ALIGN_DELTA"],
      "aggregation.crossSeriesReducer": ["REDUCE_SUM"],
      // Repeated, not joined: the parameter is a list in the API.
      "aggregation.groupByFields": ["resource.labels.revision_name", "metric.labels.response_code_class"],
    });
    const latency = apis
      .fake()
      .requests.find((r) => r.query.filter[0].includes("request_latencies") && r.query.filter[0].includes(STABLE))!;
    expect(latency.query).toMatchObject({
      filter: [metricsFilter("run.googleapis.com/request_latencies", QUERY, STABLE)],
      "aggregation.perSeriesAligner": ["ALIGN_DELTA"],
      "aggregation.crossSeriesReducer": ["REDUCE_PERCENTILE_99"],
      "aggregation.groupByFields": ["resource.labels.revision_name"],
    });
  });

  test("the alignment period covers the window in whole seconds, never under the API's 60s", () => {
    const at = (s: number) => new Date(Date.parse("2026-12-01T10:00:00Z") + s * 1000);
    expect(alignmentPeriod(at(0), at(30))).toBe("60s");
    expect(alignmentPeriod(at(0), at(90.2))).toBe("91s");
    expect(alignmentPeriod(at(0), at(3600))).toBe("3600s");
  });

  test("quotes in names are escaped in the filter", () => {
    expect(metricsFilter("m", { ...QUERY, service: 'a"b\\c' }, "r")).toContain(
      'resource.labels.service_name = "a\\"b\\\\c"',
    );
  });
});

describe("the answer", () => {
  test("requests and 5xx summed over every point and page; p99 the largest point", async () => {
    scenario({ ...TYPICAL, pageSize: 1 });
    expect(await readRevisionMetrics(QUERY, { endpoint: apis.fake().url })).toEqual({
      [CANARY]: { requests: 1000, errors: 29, p99Ms: 180.5 },
      [STABLE]: { requests: 9009, errors: 9, p99Ms: 95 },
    });
    // The canary's three response code classes came one series a page: pages 2 and 3 asked for.
    const canaryCounts = apis
      .fake()
      .requests.filter((r) => r.query.filter[0].includes("request_count") && r.query.filter[0].includes(CANARY));
    expect(canaryCounts.map((r) => r.query.pageToken)).toEqual([undefined, ["1"], ["2"]]);
  });

  test("a revision without data served nothing and has no p99", async () => {
    scenario({ revisions: { [STABLE]: { requests: { "2xx": 10 } } } });
    expect(await readRevisionMetrics(QUERY, { endpoint: apis.fake().url })).toEqual({
      [CANARY]: { requests: 0, errors: 0 },
      [STABLE]: { requests: 10, errors: 0 },
    });
  });

  test("a value that is not a number is an unexpected answer, not a TypeError", async () => {
    scenario({ ...TYPICAL, fail: { monitoring: "bad-value" } });
    const e = await apiError(readRevisionMetrics(QUERY, { endpoint: apis.fake().url }));
    expect(e.message).toMatch(
      /^Cloud Monitoring answered 200: unexpected answer: a point of predict-00002-can has the value \{"int64Value":"lots"\}, not a number; /,
    );
  });

  test("an empty window is refused before any call", async () => {
    scenario(TYPICAL);
    const e = await apiError(readRevisionMetrics({ ...QUERY, end: QUERY.start }, { endpoint: apis.fake().url }));
    expect(e.message).toMatch(/^Cloud Monitoring was not called: the window .* is empty/);
    expect(apis.fake().requests).toEqual([]);
  });
});

describe("where the client goes, and with which credentials", () => {
  test("CLOUD_MONITORING_ENDPOINT points it at the fake", async () => {
    scenario(TYPICAL);
    const read = await withEnv({ CLOUD_MONITORING_ENDPOINT: apis.fake().url }, () => readRevisionMetrics(QUERY));
    expect(read[CANARY].requests).toBe(1000);
    expect(apis.fake().requests.length).toBeGreaterThan(0);
  });

  test("on a loopback address no credentials are looked up: a missing credentials file does not matter", async () => {
    scenario(TYPICAL);
    const read = await withEnv({ GOOGLE_APPLICATION_CREDENTIALS: "/nonexistent/credentials.json" }, () =>
      readRevisionMetrics(QUERY, { endpoint: apis.fake().url }),
    );
    expect(read[STABLE].requests).toBe(9009);
    expect(apis.fake().requests.every((r) => r.authorization === undefined)).toBe(true);
  });

  test("on Google's endpoint, credentials that cannot be read say how to log in (and nothing is sent)", async () => {
    const e = await withEnv(
      { CLOUD_MONITORING_ENDPOINT: undefined, GOOGLE_APPLICATION_CREDENTIALS: "/nonexistent/credentials.json" },
      () => apiError(readRevisionMetrics(QUERY)),
    );
    expect(e.status).toBeUndefined();
    expect(e.apiMessage).toMatch(/\/nonexistent/);
    expect(e.message).toMatch(/^Cloud Monitoring was not called: /);
    expect(e.advice).toMatch(/gcloud auth application-default login.*google-github-actions\/auth/);
  });

  test("credentials are never sent to a host that is neither Google's nor this machine", async () => {
    const e = await apiError(readRevisionMetrics(QUERY, { endpoint: "http://metrics.example.invalid" }));
    expect(e.apiMessage).toBe("refusing to send Google credentials to http://metrics.example.invalid");
    expect(e.advice).toMatch(/CLOUD_MONITORING_ENDPOINT/);
  });
});

describe("every failure is one GoogleApiError with the API's words and what to do", () => {
  test.each([
    {
      failure: "permission-denied",
      status: 403,
      apiStatus: "PERMISSION_DENIED",
      apiMessage: /^Permission 'monitoring.timeSeries.list' denied on resource 'projects\/demo-project\/timeSeries'/,
      advice: /^the caller needs roles\/monitoring.viewer on project demo-project$/,
    },
    {
      failure: "api-disabled",
      status: 403,
      apiStatus: "PERMISSION_DENIED",
      apiMessage: /^Cloud Monitoring API has not been used in project 123 before or it is disabled/,
      advice:
        /^enable monitoring.googleapis.com \(gcloud services enable monitoring.googleapis.com --project demo-project\)/,
    },
    {
      failure: "not-found",
      status: 404,
      apiStatus: "NOT_FOUND",
      apiMessage: /was not found/,
      advice: /^not found: check that project demo-project exists$/,
    },
    {
      failure: "unauthenticated",
      status: 401,
      apiStatus: "UNAUTHENTICATED",
      apiMessage: /^Request had invalid authentication credentials/,
      advice: /gcloud auth application-default login/,
    },
    {
      failure: "quota",
      status: 429,
      apiStatus: "RESOURCE_EXHAUSTED",
      apiMessage: /^Quota exceeded for quota metric/,
      advice: /^quota exhausted .*monitoring.googleapis.com in project demo-project.*; the next run retries$/,
    },
    {
      failure: "server-error",
      status: 500,
      apiStatus: "INTERNAL",
      apiMessage: /^Internal error encountered\.$/,
      advice: /^Cloud Monitoring failed; the next run retries$/,
    },
    {
      failure: "unavailable",
      status: 503,
      apiStatus: "UNAVAILABLE",
      apiMessage: /currently unavailable/,
      advice: /the next run retries/,
    },
    {
      failure: "bad-gateway",
      status: 502,
      apiStatus: undefined,
      apiMessage: /^non-JSON answer: <html><head><title>502 Bad Gateway/,
      advice: /the next run retries/,
    },
    {
      failure: "not-json",
      status: 200,
      apiStatus: undefined,
      apiMessage: /^unexpected answer: not JSON \(<!doctype html>/,
      advice: /is http:\/\/127\.0\.0\.1:\d+ an endpoint of monitoring.googleapis.com\?/,
    },
  ] as const)("$failure: $status $apiStatus", async ({ failure, status, apiStatus, apiMessage, advice }) => {
    scenario({ ...TYPICAL, fail: { monitoring: failure } });
    const e = await apiError(readRevisionMetrics(QUERY, { endpoint: apis.fake().url }));
    expect(e).toMatchObject({ api: "monitoring", status });
    expect(e.apiStatus).toBe(apiStatus);
    expect(e.apiMessage).toMatch(apiMessage);
    expect(e.advice).toMatch(advice);
    expect(e.message).toBe(
      `Cloud Monitoring answered ${[status, apiStatus].filter(Boolean).join(" ")}: ${e.apiMessage.replace(/\s+/g, " ").replace(/\.$/, "")}; ${e.advice}`,
    );
  });

  test("an answer slower than the timeout: no answer within the timeout, from the base URL", async () => {
    scenario({ ...TYPICAL, fail: { monitoring: "slow" }, slowMs: 5_000 });
    const started = Date.now();
    const e = await apiError(readRevisionMetrics(QUERY, { endpoint: apis.fake().url, timeoutMs: 150 }));
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(e.status).toBeUndefined();
    expect(e.message).toMatch(/^Cloud Monitoring gave no answer: /);
    expect(e.advice).toBe(`no answer within 0.15 s from ${apis.fake().url}; the next run retries`);
  });

  test("a closed port: no answer, with the system's reason", async () => {
    const port = await closedPort();
    const e = await apiError(readRevisionMetrics(QUERY, { endpoint: `http://127.0.0.1:${port}` }));
    expect(e.status).toBeUndefined();
    expect(e.apiMessage).toMatch(/ECONNREFUSED/);
    expect(e.advice).toMatch(new RegExp(`^no answer from http://127\\.0\\.0\\.1:${port} \\(ECONNREFUSED\\)`));
  });
});

/** A port nothing listens on: one the system gave out and that was closed again. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
