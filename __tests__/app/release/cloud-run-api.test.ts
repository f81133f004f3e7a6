/**
 * Setting a Cloud Run service's traffic through the Admin API v2 (lib/app/release/cloud-run-api.ts)
 * against a local fake (__tests__/fixtures/google-apis.ts): read the service, write it back with
 * the new traffic and the etag it was read with, wait for the operation; and the one error
 * (GoogleApiError) for every way that goes wrong. Nothing leaves 127.0.0.1.
 */
import { LiveTarget, ServiceName, getService, setTraffic } from "../../../lib/app/release/cloud-run-api";
import { GoogleApiError } from "../../../lib/app/release/google-api";
import { FakeScenario, LATEST, REVISION, useFakeGoogleApis } from "../../fixtures/google-apis";

const NAME: ServiceName = { project: "demo-project", location: "europe-west1", service: "predict" };
const PATH = "/v2/projects/demo-project/locations/europe-west1/services/predict";
const STABLE = "predict-00001-sta";
const CANARY = "predict-00002-can";

/** A canary taking 10%, as the release's Terraform left it; a template the write must keep. */
const IN_FLIGHT: FakeScenario = {
  services: {
    predict: {
      traffic: [
        { type: REVISION, revision: STABLE, percent: 90 },
        { type: REVISION, revision: CANARY, percent: 10, tag: "canary" },
      ],
      etag: "etag-7",
      extra: { template: { revision: CANARY, containers: [{ image: "europe-docker.pkg.dev/x/y@sha256:ab" }] } },
    },
  },
};

/** Back to the stable revision only; the canary keeps its tag and no traffic. */
const ROLLED_BACK: LiveTarget[] = [
  { type: REVISION, revision: STABLE, percent: 100 },
  { type: REVISION, revision: CANARY, percent: 0, tag: "canary" },
];

const apis = useFakeGoogleApis();
const { scenario } = apis;

async function apiError(work: Promise<unknown>): Promise<GoogleApiError> {
  const e = await work.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(e).toBeInstanceOf(GoogleApiError);
  expect((e as Error).message).not.toMatch(/\n/);
  return e as GoogleApiError;
}

const FAST = { pollMs: 5 };

test("getService reads the traffic as the API holds it, a zero percent left out of the JSON included", async () => {
  scenario({
    services: {
      predict: {
        traffic: [
          { type: LATEST, percent: 100 },
          { type: REVISION, revision: CANARY, percent: 0, tag: "c" },
        ],
      },
    },
  });
  const service = await getService(NAME, { endpoint: apis.fake().url });
  expect(service.traffic).toEqual([
    { type: LATEST, percent: 100 },
    { type: REVISION, revision: CANARY, percent: 0, tag: "c" },
  ]);
  expect(service.etag).toBe("etag-1");
  expect(service.raw.name).toBe("projects/demo-project/locations/europe-west1/services/predict");
  expect(apis.fake().requests).toMatchObject([{ api: "run", method: "GET", path: PATH }]);
});

test("setTraffic writes the service as read with the new traffic and its etag, then reads it until it has reconciled", async () => {
  scenario({ ...IN_FLIGHT, operationPolls: 3 });
  await setTraffic(NAME, ROLLED_BACK, { endpoint: apis.fake().url, ...FAST });

  // The service, not operations.get: that permission is the project's, and the identity that
  // moves traffic holds roles on its services only. Three reads reconciling, then one done.
  expect(apis.fake().requests.map((r) => `${r.method} ${r.path}`)).toEqual([
    `GET ${PATH}`,
    `PATCH ${PATH}`,
    `GET ${PATH}`,
    `GET ${PATH}`,
    `GET ${PATH}`,
    `GET ${PATH}`,
  ]);
  const patch = apis.fake().requests[1].body as Record<string, unknown>;
  expect(patch.traffic).toEqual(ROLLED_BACK);
  expect(patch.etag).toBe("etag-7");
  // Everything else as read: the write changes the traffic only.
  expect(patch.template).toEqual(IN_FLIGHT.services!.predict.extra!.template);
  expect(patch.name).toBe("projects/demo-project/locations/europe-west1/services/predict");
  expect(apis.fake().requests.every((r) => r.authorization === undefined)).toBe(true);
  expect(apis.fake().service("predict")?.traffic).toEqual(ROLLED_BACK);
});

test("CLOUD_RUN_ENDPOINT points it at the fake", async () => {
  scenario(IN_FLIGHT);
  const saved = process.env.CLOUD_RUN_ENDPOINT;
  process.env.CLOUD_RUN_ENDPOINT = apis.fake().url;
  try {
    await setTraffic(NAME, ROLLED_BACK, FAST);
  } finally {
    if (saved === undefined) delete process.env.CLOUD_RUN_ENDPOINT;
    else process.env.CLOUD_RUN_ENDPOINT = saved;
  }
  expect(apis.fake().service("predict")?.traffic).toEqual(ROLLED_BACK);
});

test("a write whose operation fails at once: its error, by name, and that the traffic was not changed", async () => {
  scenario({
    ...IN_FLIGHT,
    operationError: { code: 9, message: `Revision '${STABLE}' is not ready and cannot serve traffic.` },
  });
  const e = await apiError(setTraffic(NAME, ROLLED_BACK, { endpoint: apis.fake().url, ...FAST }));
  expect(e).toMatchObject({ api: "run", apiStatus: "FAILED_PRECONDITION" });
  expect(e.status).toBeUndefined();
  expect(e.message).toBe(
    `Cloud Run Admin API operation projects/demo-project/locations/europe-west1/operations/op-1 failed with FAILED_PRECONDITION: Revision '${STABLE}' is not ready and cannot serve traffic; the traffic of projects/demo-project/locations/europe-west1/services/predict was not changed: fix what the message names, then run again`,
  );
});

test("a service still reconciling after the wait says where to look", async () => {
  scenario({ ...IN_FLIGHT, operationPolls: 1_000 });
  const e = await apiError(setTraffic(NAME, ROLLED_BACK, { endpoint: apis.fake().url, pollMs: 5, waitMs: 40 }));
  expect(e.message).toMatch(
    /^Cloud Run Admin API did not finish in time: projects\/demo-project\/locations\/europe-west1\/services\/predict was still reconciling after 0.04 s; /,
  );
  expect(e.advice).toMatch(/gcloud run services describe predict --region europe-west1 --project demo-project/);
});

test("403: the roles a rollback needs", async () => {
  scenario({ ...IN_FLIGHT, fail: { run: "permission-denied" } });
  const e = await apiError(setTraffic(NAME, ROLLED_BACK, { endpoint: apis.fake().url, ...FAST }));
  expect(e).toMatchObject({ status: 403, apiStatus: "PERMISSION_DENIED" });
  expect(e.apiMessage).toMatch(/^Permission 'run.services.get' denied/);
  expect(e.advice).toBe(
    "the caller needs roles/run.developer on the service and roles/iam.serviceAccountUser on its runtime account",
  );
});

test("409 ABORTED: the service changed between the read and the write; run again (and nothing was polled)", async () => {
  scenario({ ...IN_FLIGHT, fail: { run: "conflict" } });
  const e = await apiError(setTraffic(NAME, ROLLED_BACK, { endpoint: apis.fake().url, ...FAST }));
  expect(e).toMatchObject({ status: 409, apiStatus: "ABORTED" });
  expect(e.apiMessage).toMatch(/etag "etag-7" does not match/);
  expect(e.advice).toBe(
    "projects/demo-project/locations/europe-west1/services/predict changed between reading and writing it; run again",
  );
  expect(apis.fake().requests.map((r) => r.method)).toEqual(["GET", "PATCH"]);
});

test("the API disabled, a service that does not exist", async () => {
  scenario({ ...IN_FLIGHT, fail: { run: "api-disabled" } });
  const disabled = await apiError(getService(NAME, { endpoint: apis.fake().url }));
  expect(disabled.advice).toMatch(
    /^enable run.googleapis.com \(gcloud services enable run.googleapis.com --project demo-project\)/,
  );

  scenario(IN_FLIGHT);
  const missing = await apiError(getService({ ...NAME, service: "nope" }, { endpoint: apis.fake().url }));
  expect(missing).toMatchObject({ status: 404, apiStatus: "NOT_FOUND" });
  expect(missing.advice).toMatch(/^service nope not found in project demo-project, region europe-west1/);
});

test("traffic that does not add up to 100 is refused before anything is read or written", async () => {
  scenario(IN_FLIGHT);
  const e = await apiError(
    setTraffic(NAME, [{ type: REVISION, revision: STABLE, percent: 90 }], { endpoint: apis.fake().url, ...FAST }),
  );
  expect(e.message).toMatch(/^Cloud Run Admin API was not called: .*the percents add up to 90, not 100/);
  expect(apis.fake().requests).toEqual([]);
});

test("a slow answer is a timeout, not a hang", async () => {
  scenario({ ...IN_FLIGHT, fail: { run: "slow" }, slowMs: 5_000 });
  const e = await apiError(setTraffic(NAME, ROLLED_BACK, { endpoint: apis.fake().url, timeoutMs: 100, ...FAST }));
  expect(e.advice).toBe(`no answer within 0.1 s from ${apis.fake().url}; the next run retries`);
});

test("a service whose reconciliation fails: Cloud Run's condition message, and where to look", async () => {
  scenario({
    ...IN_FLIGHT,
    operationPolls: 2,
    operationError: { code: 9, message: `Revision '${STABLE}' is not ready and cannot serve traffic.` },
  });
  const e = await apiError(setTraffic(NAME, ROLLED_BACK, { endpoint: apis.fake().url, ...FAST }));
  expect(e).toMatchObject({ api: "run", apiStatus: "CONDITION_FAILED" });
  expect(e.message).toMatch(/^Cloud Run could not apply the traffic of .*services\/predict: Revision .* is not ready/);
  expect(e.advice).toMatch(/gcloud run services describe predict/);
});
