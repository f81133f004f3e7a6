import { GaxiosError, GaxiosOptions, request } from "gaxios";
import type { GoogleAuth } from "google-auth-library";

/*
 * One way to call a Google REST API (Cloud Monitoring, the Cloud Run Admin API) from the release
 * commands, and one error for everything that can go wrong on the way.
 *
 * Credentials are Google's application default credentials, found by google-auth-library:
 * `gcloud auth application-default login` on a laptop, the file google-github-actions/auth
 * writes (workload identity federation) in a workflow, the metadata server on Google Cloud.
 * Nothing here reads a token, signs a JWT or refreshes anything by hand.
 *
 * A base URL on this machine (127.0.0.1, ::1, localhost) is a local fake (the tests' one, in
 * __tests__/fixtures/google-apis.ts): it is called with gaxios directly and no credentials are
 * looked up at all, so tests and end-to-end runs need neither a Google account nor a network.
 * Every other base URL must be https on googleapis.com: a bearer token for the cloud-platform
 * scope is never sent anywhere else, whatever an environment variable says.
 *
 * Every failure becomes one GoogleApiError whose message is one line: what the API answered, in
 * its own words, and what to do about it (the role to grant, the API to enable, the command to
 * log in). A release command prints it and exits; nothing retries here, because the commands run
 * on a schedule and the next run is the retry.
 */

/** The Google APIs the release commands call. */
export type GoogleApi = "monitoring" | "run";

/** Where and how long: what a caller (or a test) may change about a call. */
export interface ApiOptions {
  /**
   * The API's base URL, such as `https://monitoring.googleapis.com` or a local fake's
   * `http://127.0.0.1:PORT`.
   * @default - the API's environment variable (CLOUD_MONITORING_ENDPOINT, CLOUD_RUN_ENDPOINT)
   * when set, else Google's public endpoint
   */
  readonly endpoint?: string;
  /**
   * How long to wait for one answer (credentials included), in milliseconds.
   * @default 20000
   */
  readonly timeoutMs?: number;
}

/** How long one call may take, unless the caller says otherwise. */
export const DEFAULT_TIMEOUT_MS = 20_000;

/** What the messages and the base URL need to know about each API: one place per fact. */
interface ApiFacts {
  /** Its name in messages. */
  readonly title: string;
  /** The service to enable (`gcloud services enable`). */
  readonly service: string;
  /** The environment variable that points it elsewhere (a fake, a private endpoint). */
  readonly envVar: string;
  readonly defaultBase: string;
}

export const GOOGLE_APIS: Readonly<Record<GoogleApi, ApiFacts>> = {
  monitoring: {
    title: "Cloud Monitoring",
    service: "monitoring.googleapis.com",
    envVar: "CLOUD_MONITORING_ENDPOINT",
    defaultBase: "https://monitoring.googleapis.com",
  },
  run: {
    title: "Cloud Run Admin API",
    service: "run.googleapis.com",
    envVar: "CLOUD_RUN_ENDPOINT",
    defaultBase: "https://run.googleapis.com",
  },
};

/** The one scope both APIs accept (their REST references, "Authorization scopes"). */
const CLOUD_PLATFORM_SCOPE = "https://www.googleapis.com/auth/cloud-platform";

/**
 * Anything that went wrong calling a Google API, as one line: `<api> answered <status>
 * <apiStatus>: <apiMessage>; <advice>`, or `<api> gave no answer: …` when nothing came back.
 */
export class GoogleApiError extends Error {
  override readonly name = "GoogleApiError";
  readonly api: GoogleApi;
  /** The HTTP status, when the API answered. */
  readonly status?: number;
  /** Google's status name (`PERMISSION_DENIED`, `RESOURCE_EXHAUSTED`), when the answer had one. */
  readonly apiStatus?: string;
  /** What the API said, verbatim; or, when it said nothing usable, what happened instead. */
  readonly apiMessage: string;
  /** What to do about it. */
  readonly advice: string;

  constructor(fields: {
    api: GoogleApi;
    status?: number;
    apiStatus?: string;
    apiMessage: string;
    advice: string;
    /** Replaces `<api> answered <status> <apiStatus>` at the start of the message. */
    summary?: string;
  }) {
    const title = GOOGLE_APIS[fields.api].title;
    const answered = [fields.status, fields.apiStatus].filter((x) => x !== undefined && x !== "").join(" ");
    const summary = fields.summary ?? (answered ? `${title} answered ${answered}` : `${title} gave no answer`);
    // The API's message often ends in a full stop; "…exist).; the caller needs…" reads badly.
    super(oneLine(`${summary}: ${fields.apiMessage.replace(/\.\s*$/, "")}; ${fields.advice}`));
    this.api = fields.api;
    if (fields.status !== undefined) this.status = fields.status;
    if (fields.apiStatus !== undefined) this.apiStatus = fields.apiStatus;
    this.apiMessage = fields.apiMessage;
    this.advice = fields.advice;
  }
}

/** One request to a Google API. */
export interface ApiCall {
  readonly api: GoogleApi;
  readonly method: "GET" | "PATCH" | "POST";
  /** The path below the base URL, starting with the version: `/v3/projects/p/timeSeries`. */
  readonly path: string;
  /** Query parameters; an array repeats the parameter (`aggregation.groupByFields`). */
  readonly query?: Readonly<Record<string, string | readonly string[] | undefined>>;
  /** A JSON body. */
  readonly body?: unknown;
  /** The project the call is about, named in the advice (`gcloud services enable … --project P`). */
  readonly project: string;
  /** The role the caller needs, named when the API answers 403: `roles/monitoring.viewer on project P`. */
  readonly role: string;
  /** What a 409 or ABORTED means for this call. @default - someone changed it meanwhile; run again */
  readonly conflict?: string;
  /** What a 404 means for this call. @default - not found: check the project, location and name */
  readonly notFound?: string;
  readonly options?: ApiOptions;
}

/**
 * Calls a Google API and returns its JSON answer; throws a {@link GoogleApiError} for every
 * failure (the API's error, no answer, no credentials, an answer that is not JSON), never
 * anything else.
 */
export async function callGoogleApi<T>(call: ApiCall): Promise<T> {
  const timeoutMs = call.options?.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  let base = "(no base URL)";
  try {
    base = baseUrl(call);
    const url = requestUrl(base, call);
    const options: GaxiosOptions = {
      url: url.href,
      method: call.method,
      headers: { accept: "application/json" },
      ...(call.body !== undefined ? { data: call.body } : {}),
      // The text, parsed here: an answer that is not JSON (a proxy's HTML page) is reported as
      // such rather than handed on as a string.
      responseType: "text",
      timeout: timeoutMs,
      // No retries: a scheduled run retries by running again (gaxios retries only when asked).
      retry: false,
    };
    const answer = await withDeadline(isLoopback(url) ? localRequest(options, url) : googleRequest(options), timeoutMs);
    return parseAnswer<T>(call, base, answer.status, answer.data);
  } catch (e) {
    throw asGoogleApiError(e, call, base, timeoutMs);
  }
}

/**
 * Runs `work`, turning anything it throws that is not a GoogleApiError (a TypeError in the
 * reading of an answer, say) into one: what callers of this module catch is one class.
 */
export async function guarded<T>(api: GoogleApi, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    if (e instanceof GoogleApiError) throw e;
    throw unexpectedAnswer(api, `could not read the answer (${describe(e)})`);
  }
}

/** An answer that is not what the API's reference describes: a wrong endpoint, or a changed API. */
export function unexpectedAnswer(api: GoogleApi, what: string, status = 200): GoogleApiError {
  const facts = GOOGLE_APIS[api];
  return new GoogleApiError({
    api,
    status,
    apiMessage: `unexpected answer: ${what}`,
    advice: `is the endpoint ${facts.service}? (${facts.envVar} points elsewhere when set)`,
  });
}

// ---------------------------------------------------------------------------------------------
// Where the request goes, and with which credentials.

/** The base URL: the caller's, the environment variable's, or Google's; without a final slash. */
function baseUrl(call: ApiCall): string {
  const facts = GOOGLE_APIS[call.api];
  const fromEnv = process.env[facts.envVar];
  const base = call.options?.endpoint ?? (fromEnv !== undefined && fromEnv.trim() !== "" ? fromEnv.trim() : undefined);
  const chosen = (base ?? facts.defaultBase).replace(/\/+$/, "");
  let url: URL;
  try {
    url = new URL(chosen);
  } catch {
    throw new GoogleApiError({
      api: call.api,
      apiMessage: `${JSON.stringify(chosen)} is not a URL`,
      advice: `set ${facts.envVar} to a base URL such as ${facts.defaultBase}, or unset it`,
      summary: `${facts.title} was not called`,
    });
  }
  if (!isLoopback(url) && !(url.protocol === "https:" && /(^|\.)googleapis\.com$/.test(url.hostname))) {
    throw new GoogleApiError({
      api: call.api,
      apiMessage: `refusing to send Google credentials to ${url.origin}`,
      advice: `an endpoint is https://…googleapis.com, or a loopback address for a local fake; check ${facts.envVar}`,
      summary: `${facts.title} was not called`,
    });
  }
  return chosen;
}

function requestUrl(base: string, call: ApiCall): URL {
  const url = new URL(`${base}${call.path}`);
  for (const [key, value] of Object.entries(call.query ?? {})) {
    if (value === undefined) continue;
    for (const v of typeof value === "string" ? [value] : value) url.searchParams.append(key, v);
  }
  return url;
}

/** True for this machine: 127.0.0.0/8, ::1, localhost. */
export function isLoopback(url: URL): boolean {
  const host = url.hostname.replace(/^\[|\]$/g, "").toLowerCase();
  return host === "localhost" || host === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

interface RawAnswer {
  readonly status: number;
  readonly data: unknown;
}

/**
 * A request to a local fake: gaxios with Node's own fetch, no credentials. Node's fetch because
 * gaxios otherwise loads node-fetch with a dynamic import(), which jest's module sandbox refuses,
 * and because a loopback address must not go through a proxy (noProxy: gaxios would otherwise
 * load a proxy agent when HTTPS_PROXY is set).
 */
async function localRequest(options: GaxiosOptions, url: URL): Promise<RawAnswer> {
  const res = await request<unknown>({ ...options, fetchImplementation: fetch, noProxy: [url.origin] });
  return { status: res.status, data: res.data };
}

let auth: GoogleAuth | undefined;

/**
 * A request with application default credentials. google-auth-library is loaded, and its
 * GoogleAuth made, on the first such request only: a command that never calls Google (or calls
 * only a fake) never looks for credentials. The GoogleAuth is kept, so its token is reused.
 */
async function googleRequest(options: GaxiosOptions): Promise<RawAnswer> {
  if (auth === undefined) {
    const { GoogleAuth } = await import("google-auth-library");
    auth = new GoogleAuth({ scopes: [CLOUD_PLATFORM_SCOPE] });
  }
  let client: Awaited<ReturnType<GoogleAuth["getClient"]>>;
  try {
    client = await auth.getClient();
  } catch (e) {
    throw new NoCredentials(e);
  }
  const res = await client.request<unknown>(options);
  return { status: res.status, data: res.data };
}

/** The promise's result, or a NoAnswer after `ms` (the credential lookup has no timeout of its own). */
async function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new NoAnswer(`no answer within ${seconds(ms)}`)), ms);
    timer.unref();
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

class NoAnswer extends Error {}

/** google-auth-library found no credentials, or could not read them: nothing was sent. */
class NoCredentials extends Error {
  constructor(readonly reason: unknown) {
    super(describe(reason));
  }
}

// ---------------------------------------------------------------------------------------------
// Reading what came back.

function parseAnswer<T>(call: ApiCall, base: string, status: number, data: unknown): T {
  if (status === 204 || data === "" || data === undefined) return {} as T;
  const parsed = typeof data === "string" ? parseJson(data) : data;
  if (parsed === undefined || typeof parsed !== "object" || parsed === null) {
    throw new GoogleApiError({
      api: call.api,
      status,
      apiMessage: `unexpected answer: not JSON (${snippet(String(data))})`,
      advice: `is ${base} an endpoint of ${GOOGLE_APIS[call.api].service}? (${GOOGLE_APIS[call.api].envVar} points elsewhere when set)`,
    });
  }
  return parsed as T;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Google's error body (AIP-193): `{"error": {"code", "message", "status", "details"}}`. */
interface GoogleErrorBody {
  readonly code?: number;
  readonly message?: string;
  readonly status?: string;
  readonly details?: readonly unknown[];
}

function errorBody(data: unknown): GoogleErrorBody | undefined {
  const parsed = typeof data === "string" ? parseJson(data) : data;
  if (typeof parsed !== "object" || parsed === null) return undefined;
  const error = (parsed as { error?: unknown }).error;
  if (typeof error !== "object" || error === null) return undefined;
  const e = error as Record<string, unknown>;
  return {
    ...(typeof e.code === "number" ? { code: e.code } : {}),
    ...(typeof e.message === "string" ? { message: e.message } : {}),
    ...(typeof e.status === "string" ? { status: e.status } : {}),
    ...(Array.isArray(e.details) ? { details: e.details } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// Failures, and what to do about each.

function asGoogleApiError(e: unknown, call: ApiCall, base: string, timeoutMs: number): GoogleApiError {
  if (e instanceof GoogleApiError) return e;
  try {
    return classify(e, call, base, timeoutMs);
  } catch (inner) {
    // The classification itself failed: still one GoogleApiError, with what is known.
    return new GoogleApiError({
      api: call.api,
      apiMessage: describe(e),
      advice: `unexpected failure (${describe(inner)})`,
    });
  }
}

function classify(e: unknown, call: ApiCall, base: string, timeoutMs: number): GoogleApiError {
  const facts = GOOGLE_APIS[call.api];
  const response = apiResponse(e, base);
  if (response !== undefined) {
    const status = response.status;
    const body = errorBody(response.data);
    const apiMessage =
      body?.message ??
      (typeof response.data === "string" && response.data.trim() !== ""
        ? `non-JSON answer: ${snippet(response.data)}`
        : `HTTP ${status} ${response.statusText ?? ""}`.trim());
    return new GoogleApiError({
      api: call.api,
      status,
      ...(body?.status !== undefined ? { apiStatus: body.status } : {}),
      apiMessage,
      advice: advice(call, status, body, apiMessage),
    });
  }
  if (e instanceof NoAnswer || codes(e).some((c) => c === "TimeoutError" || c === "AbortError" || c === "ETIMEDOUT")) {
    return new GoogleApiError({
      api: call.api,
      apiMessage: e instanceof NoAnswer ? e.message : describe(e),
      advice: `no answer within ${seconds(timeoutMs)} from ${base}; the next run retries`,
    });
  }
  if (e instanceof NoCredentials || isCredentialsFailure(e)) {
    return new GoogleApiError({
      api: call.api,
      apiMessage: e instanceof NoCredentials ? e.message : describe(e),
      advice:
        "no usable Google credentials: run gcloud auth application-default login, or in a workflow google-github-actions/auth before this step",
      summary: `${facts.title} was not called`,
    });
  }
  const code = codes(e).find((c) => /^E[A-Z_]+$/.test(c));
  return new GoogleApiError({
    api: call.api,
    apiMessage: describe(e),
    advice: `no answer from ${base}${code ? ` (${code})` : ""}: check the network${process.env[facts.envVar] ? ` and ${facts.envVar}` : ""}; the next run retries`,
  });
}

/** The API's own answer in a gaxios error: one from the base URL's host, not from a token endpoint. */
function apiResponse(e: unknown, base: string): { status: number; statusText?: string; data: unknown } | undefined {
  if (!(e instanceof GaxiosError) || e.response === undefined) return undefined;
  if (sameHost(e.config?.url, base) === false) return undefined;
  return e.response;
}

function sameHost(url: unknown, base: string): boolean | undefined {
  if (url === undefined) return undefined;
  try {
    return new URL(String(url)).host === new URL(base).host;
  } catch {
    return undefined;
  }
}

/** What to do about an error the API answered. */
function advice(call: ApiCall, status: number, body: GoogleErrorBody | undefined, message: string): string {
  const facts = GOOGLE_APIS[call.api];
  if ((status === 403 || status === 404) && isServiceDisabled(body, message)) {
    return `enable ${facts.service} (gcloud services enable ${facts.service} --project ${call.project}); it takes a few minutes to apply`;
  }
  if (status === 403 && /quota project/i.test(message)) {
    return `set a quota project for your credentials (gcloud auth application-default set-quota-project ${call.project})`;
  }
  if (status === 401 || body?.status === "UNAUTHENTICATED") {
    return "the credentials were refused: run gcloud auth application-default login, or in a workflow google-github-actions/auth before this step";
  }
  if (status === 403) return `the caller needs ${call.role}`;
  if (status === 404) return call.notFound ?? `not found: check the project, location and name (${call.path})`;
  if (status === 409 || status === 412 || body?.status === "ABORTED") {
    return call.conflict ?? "someone changed it meanwhile; run again";
  }
  if (status === 429 || body?.status === "RESOURCE_EXHAUSTED") {
    return `quota exhausted (requests per minute of ${facts.service} in project ${call.project}); the next run retries`;
  }
  if (status >= 500) return `${facts.title} failed; the next run retries`;
  if (status === 400)
    return "the request was refused as invalid: report it with this message (a bug in the release commands, or a name the API does not accept)";
  return `unexpected answer (HTTP ${status})`;
}

/**
 * The answer Google gives for an API that was never enabled or was turned off: 403
 * PERMISSION_DENIED with a google.rpc.ErrorInfo of reason SERVICE_DISABLED and a message such as
 * "Cloud Monitoring API has not been used in project 123 before or it is disabled".
 */
function isServiceDisabled(body: GoogleErrorBody | undefined, message: string): boolean {
  const reasons = (body?.details ?? []).map((d) =>
    typeof d === "object" && d !== null ? (d as { reason?: unknown }).reason : undefined,
  );
  return (
    reasons.includes("SERVICE_DISABLED") ||
    /SERVICE_DISABLED|has not been used in project|is disabled|API has not been enabled/i.test(message)
  );
}

/**
 * No credentials, unreadable credentials, or a token that could not be had: google-auth-library's
 * errors ("Could not load the default credentials", "Unable to read the credential file specified
 * by the GOOGLE_APPLICATION_CREDENTIALS environment variable"), or an answer from somewhere other
 * than the API (the token endpoint, the metadata server), which {@link apiResponse} left out.
 */
function isCredentialsFailure(e: unknown): boolean {
  if (e instanceof GaxiosError && e.response !== undefined) return true;
  return /default credentials|GOOGLE_APPLICATION_CREDENTIALS|credential file|invalid_grant|invalid_rapt|reauth/i.test(
    describe(e),
  );
}

/** The codes and names along an error's chain of causes: `ECONNREFUSED`, `TimeoutError`. */
function codes(e: unknown): string[] {
  const found: string[] = [];
  let current: unknown = e;
  for (let depth = 0; depth < 5 && typeof current === "object" && current !== null; depth++) {
    const { code, name } = current as { code?: unknown; name?: unknown };
    if (typeof code === "string") found.push(code);
    if (typeof name === "string") found.push(name);
    current = (current as { cause?: unknown }).cause;
  }
  return found;
}

/**
 * An error's message and its causes' ("fetch failed: connect ECONNREFUSED 127.0.0.1:8080").
 * Read by shape, not with instanceof: errors from Node's own fetch and fs are of another realm
 * under jest, and gaxios then wraps them as an "Unexpected Gaxios Error", which says nothing.
 */
function describe(e: unknown): string {
  const messages: string[] = [];
  let current: unknown = e;
  for (let depth = 0; depth < 5 && current !== undefined && current !== null; depth++) {
    const text = typeof current === "object" ? (current as { message?: unknown }).message : String(current);
    if (typeof text === "string" && text !== "" && text !== "Unexpected Gaxios Error" && !messages.includes(text)) {
      messages.push(text);
    }
    current = typeof current === "object" ? (current as { cause?: unknown }).cause : undefined;
  }
  return messages.length > 0 ? messages.join(": ") : String(e);
}

function snippet(text: string): string {
  const flat = oneLine(text);
  return flat.length > 200 ? `${flat.slice(0, 200)}…` : flat;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

function seconds(ms: number): string {
  return `${ms / 1000} s`;
}
