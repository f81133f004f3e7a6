/**
 * The one way the release commands call Google (lib/app/release/google-api.ts), in the parts its
 * clients' tests (metrics.test.ts, cloud-run-api.test.ts) do not reach: which hosts count as this
 * machine, the shape of the one error, and base URLs that are refused before anything is sent.
 */
import { GoogleApiError, callGoogleApi, isLoopback } from "../../../lib/app/release/google-api";

test("loopback is 127.0.0.0/8, ::1 and localhost; nothing else skips credentials", () => {
  for (const url of ["http://127.0.0.1:8080", "http://127.1.2.3", "http://[::1]:9000", "http://LOCALHOST:1"]) {
    expect(isLoopback(new URL(url))).toBe(true);
  }
  for (const url of [
    "https://monitoring.googleapis.com",
    "http://128.0.0.1",
    "http://localhost.example.com",
    "http://[::2]",
  ]) {
    expect(isLoopback(new URL(url))).toBe(false);
  }
});

test("the error is one line: the API, its status, its words, and what to do", () => {
  const e = new GoogleApiError({
    api: "run",
    status: 403,
    apiStatus: "PERMISSION_DENIED",
    apiMessage: "Permission denied\non resource",
    advice: "the caller needs roles/run.developer",
  });
  expect(e.message).toBe(
    "Cloud Run Admin API answered 403 PERMISSION_DENIED: Permission denied on resource; the caller needs roles/run.developer",
  );
  // The API's own words are kept verbatim; only the message is flattened.
  expect(e.apiMessage).toBe("Permission denied\non resource");
  expect(e.name).toBe("GoogleApiError");
});

test("a base URL that is not a URL is refused with the variable to fix, before anything is sent", async () => {
  const saved = process.env.CLOUD_RUN_ENDPOINT;
  process.env.CLOUD_RUN_ENDPOINT = "run.googleapis.com";
  try {
    const e = await callGoogleApi({ api: "run", method: "GET", path: "/v2/x", project: "p", role: "r" }).catch(
      (thrown: unknown) => thrown,
    );
    expect(e).toBeInstanceOf(GoogleApiError);
    expect((e as GoogleApiError).message).toBe(
      'Cloud Run Admin API was not called: "run.googleapis.com" is not a URL; set CLOUD_RUN_ENDPOINT to a base URL such as https://run.googleapis.com, or unset it',
    );
  } finally {
    if (saved === undefined) delete process.env.CLOUD_RUN_ENDPOINT;
    else process.env.CLOUD_RUN_ENDPOINT = saved;
  }
});
