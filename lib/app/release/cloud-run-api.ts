import { ApiCall, ApiOptions, GoogleApiError, callGoogleApi, guarded, unexpectedAnswer } from "./google-api";

/*
 * A Cloud Run service's traffic, read and set through the Cloud Run Admin API v2: what a rollback
 * needs when a canary must stop taking requests now, before Terraform next applies the release
 * file that says the same.
 *
 * Setting traffic reads the service, replaces its `traffic` and writes the whole resource back
 * with the etag it was read with, then reads the service until it has reconciled (`reconciling`
 * false, its `terminalCondition` not failed) and its traffic is what was written. The operation
 * the write returns is read only when it is already done (a failure at once); it is not polled,
 * since operations.get needs run.operations.get on the project, and the rollback identity holds
 * its roles on its services only.
 * Writing the resource as read (rather than a hand-made one) keeps every other field as it is;
 * the etag lets the API refuse the write (409 ABORTED) if the service changed between the read
 * and the write, instead of quietly undoing someone else's change.
 *
 * Relied on (read 2026-12 in the stored copies of these pages):
 * - projects.locations.services.patch, https://docs.cloud.google.com/run/docs/reference/rest/v2/projects.locations.services/patch:
 *   `PATCH https://run.googleapis.com/v2/{service.name}`, the body a Service, the answer an
 *   Operation; scope cloud-platform.
 * - Service (v2), `reconciling` ("true while the Service is working toward its desired state")
 *   and `terminalCondition` (`state` CONDITION_SUCCEEDED, CONDITION_FAILED or
 *   CONDITION_RECONCILING, with a `message`): the REST reference's Service resource.
 * - google.longrunning.Operation, https://cloud.google.com/ruby/docs/reference/google-cloud-run-v2/latest/Google-Longrunning-Operation:
 *   `done` false while in progress; when true, either `error` (a google.rpc.Status: code,
 *   message) or `response`.
 * - TrafficTarget, https://cloud.google.com/python/docs/reference/run/latest/google.cloud.run_v2.types.TrafficTarget:
 *   `type` (TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION or _LATEST), `revision`, `percent` ("defaults
 *   to zero if unspecified": proto3 JSON leaves a zero out), `tag`.
 * - Service.etag: "A system-generated fingerprint for this version of the resource. May be used to
 *   detect modification conflict during updates" (e.g.
 *   https://pub.dev/documentation/pulumi_google_native/latest/run/GetServiceRunV2Result/etag.html;
 *   some revisions of the reference call it output only, in which case the API may ignore it and
 *   a change made in the second between the read and the write is overwritten).
 *
 * Setting traffic needs run.services.update (`roles/run.developer` on the service) and, since the
 * write carries the revision template, `roles/iam.serviceAccountUser` on its runtime account.
 */

/** A Cloud Run service by name. */
export interface ServiceName {
  readonly project: string;
  /** Its region: `europe-west1`. */
  readonly location: string;
  /** The service's name (not the release file's key when they differ). */
  readonly service: string;
}

/** One entry of a service's traffic, as the v2 API spells it. */
export interface LiveTarget {
  /** `TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION` (with `revision`) or `TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST`. */
  readonly type: string;
  readonly revision?: string;
  readonly percent: number;
  readonly tag?: string;
}

/** What {@link setTraffic} takes besides {@link ApiOptions}. */
export interface SetTrafficOptions extends ApiOptions {
  /**
   * How often to ask whether the change is done, in milliseconds.
   * @default 2000
   */
  readonly pollMs?: number;
  /**
   * How long to wait for the change to be done, in milliseconds (each request still has
   * `timeoutMs`).
   * @default 120000
   */
  readonly waitMs?: number;
  /**
   * The service as the caller read it and checked it: written back with its etag, so that a
   * change made since that read is refused (409) rather than written over.
   * @default - read here
   */
  readonly read?: { readonly raw: Record<string, unknown> };
}

const DEFAULT_POLL_MS = 2_000;
const DEFAULT_WAIT_MS = 120_000;

/** The resource path of a service: `projects/P/locations/L/services/S`. */
export function serviceResource(name: ServiceName): string {
  return `projects/${name.project}/locations/${name.location}/services/${name.service}`;
}

/** The service as the API holds it: its traffic, its etag, and the whole resource. */
export async function getService(
  name: ServiceName,
  options?: ApiOptions,
): Promise<{ traffic: LiveTarget[]; etag?: string; raw: Record<string, unknown> }> {
  return guarded("run", async () => {
    const raw = await callGoogleApi<Record<string, unknown>>({ ...runCall(name, options), method: "GET" });
    if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
      throw unexpectedAnswer("run", `${serviceResource(name)} is not a Service`);
    }
    const etag = raw.etag;
    if (etag !== undefined && typeof etag !== "string")
      throw unexpectedAnswer("run", "the service's etag is not a string");
    return { traffic: trafficOf(raw.traffic, name), ...(etag !== undefined ? { etag } : {}), raw };
  });
}

/**
 * Sets a service's traffic to `traffic` (whole: what is not listed gets none) and waits until
 * Cloud Run has done it. Throws a {@link GoogleApiError} when it could not: the API's refusal,
 * a change made meanwhile (run again), an operation that failed or did not finish in time.
 */
export async function setTraffic(
  name: ServiceName,
  traffic: readonly LiveTarget[],
  options?: SetTrafficOptions,
): Promise<void> {
  checkTraffic(name, traffic);
  return guarded("run", async () => {
    const current = options?.read ?? (await getService(name, options));
    const body = { ...current.raw, traffic: traffic.map(cleanTarget) };
    const operation = await callGoogleApi<Operation>({
      ...runCall(name, options),
      method: "PATCH",
      body,
      conflict: `${serviceResource(name)} changed between reading and writing it; run again`,
    });
    // A write that failed at once says so in its operation; otherwise the service is read until
    // it has reconciled. Not operations.get: its permission (run.operations.get) is granted on
    // the project, and the identity that moves traffic holds roles on its services only.
    checkOperation(operation);
    if (operation.done === true) failed(operation, name);
    await waitFor(name, traffic, options);
  });
}

/** What every call about one service shares: where, the role it needs, what a 404 means. */
function runCall(name: ServiceName, options: ApiOptions | undefined): Omit<ApiCall, "method"> {
  return {
    api: "run",
    path: `/v2/${serviceResource(name).split("/").map(encodeURIComponent).join("/")}`,
    project: name.project,
    role: "roles/run.developer on the service and roles/iam.serviceAccountUser on its runtime account",
    notFound: `service ${name.service} not found in project ${name.project}, region ${name.location}: check the names, or apply the environment first`,
    ...(options !== undefined ? { options } : {}),
  };
}

/**
 * Traffic the API would refuse, refused here first, before anything is read or written: a
 * percent that is not a whole number from 0 to 100, a total other than 100, a revision target
 * without a revision.
 */
function checkTraffic(name: ServiceName, traffic: readonly LiveTarget[]): void {
  const problems: string[] = [];
  let total = 0;
  for (const [i, t] of traffic.entries()) {
    if (!Number.isInteger(t.percent) || t.percent < 0 || t.percent > 100) {
      problems.push(`traffic[${i}].percent is ${t.percent}, not a whole number from 0 to 100`);
    } else total += t.percent;
    if (t.type === "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION" && !t.revision) {
      problems.push(`traffic[${i}] is a revision target without a revision`);
    }
  }
  if (problems.length === 0 && total !== 100) problems.push(`the percents add up to ${total}, not 100`);
  if (problems.length > 0) {
    throw new GoogleApiError({
      api: "run",
      apiMessage: `traffic for ${serviceResource(name)}: ${problems.join("; ")}`,
      advice: "nothing was changed: give revision targets whose whole percents add up to 100",
      summary: "Cloud Run Admin API was not called",
    });
  }
}

/** A target with only the fields the API takes, none undefined. */
function cleanTarget(t: LiveTarget): LiveTarget {
  return {
    type: t.type,
    ...(t.revision !== undefined ? { revision: t.revision } : {}),
    percent: t.percent,
    ...(t.tag !== undefined ? { tag: t.tag } : {}),
  };
}

/** The `traffic` of a Service, checked; proto3 JSON leaves out an empty list and a zero percent. */
function trafficOf(value: unknown, name: ServiceName): LiveTarget[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw unexpectedAnswer("run", `the traffic of ${serviceResource(name)} is not a list`);
  return value.map((entry: unknown, i) => {
    if (typeof entry !== "object" || entry === null) throw unexpectedAnswer("run", `traffic[${i}] is not an object`);
    const t = entry as Record<string, unknown>;
    const percent = t.percent ?? 0;
    if (typeof percent !== "number") throw unexpectedAnswer("run", `traffic[${i}].percent is not a number`);
    const type = t.type ?? "TRAFFIC_TARGET_ALLOCATION_TYPE_UNSPECIFIED";
    if (typeof type !== "string") throw unexpectedAnswer("run", `traffic[${i}].type is not a string`);
    for (const field of ["revision", "tag"] as const) {
      if (t[field] !== undefined && typeof t[field] !== "string") {
        throw unexpectedAnswer("run", `traffic[${i}].${field} is not a string`);
      }
    }
    return {
      type,
      ...(typeof t.revision === "string" ? { revision: t.revision } : {}),
      percent,
      ...(typeof t.tag === "string" ? { tag: t.tag } : {}),
    };
  });
}

// ---------------------------------------------------------------------------------------------
// The long-running operation a write returns.

interface Operation {
  readonly name?: unknown;
  readonly done?: unknown;
  readonly error?: { readonly code?: unknown; readonly message?: unknown };
}

/** google.rpc.Code names, for an operation's error (its `code` is the number). */
const RPC_CODES: Readonly<Record<number, string>> = {
  1: "CANCELLED",
  2: "UNKNOWN",
  3: "INVALID_ARGUMENT",
  4: "DEADLINE_EXCEEDED",
  5: "NOT_FOUND",
  6: "ALREADY_EXISTS",
  7: "PERMISSION_DENIED",
  8: "RESOURCE_EXHAUSTED",
  9: "FAILED_PRECONDITION",
  10: "ABORTED",
  11: "OUT_OF_RANGE",
  12: "UNIMPLEMENTED",
  13: "INTERNAL",
  14: "UNAVAILABLE",
  15: "DATA_LOSS",
  16: "UNAUTHENTICATED",
};

/**
 * Reads the service until it has reconciled the write (`reconciling` false), then checks that
 * its traffic is what was written. Throws when its terminal condition failed, when the traffic is
 * something else (another write came between), or when it has not reconciled in time.
 */
async function waitFor(
  name: ServiceName,
  wanted: readonly LiveTarget[],
  options: SetTrafficOptions | undefined,
): Promise<void> {
  const pollMs = options?.pollMs ?? DEFAULT_POLL_MS;
  const waitMs = options?.waitMs ?? DEFAULT_WAIT_MS;
  const deadline = Date.now() + waitMs;
  const describe = `gcloud run services describe ${name.service} --region ${name.location} --project ${name.project}`;
  for (;;) {
    const { raw, traffic } = await getService(name, options);
    const condition = (raw.terminalCondition ?? {}) as { state?: unknown; message?: unknown };
    if (raw.reconciling !== true) {
      if (condition.state === "CONDITION_FAILED") {
        throw new GoogleApiError({
          api: "run",
          apiStatus: "CONDITION_FAILED",
          apiMessage: typeof condition.message === "string" ? condition.message : "(no message)",
          advice: `the service did not become ready with the new traffic: see ${describe}`,
          summary: `Cloud Run could not apply the traffic of ${serviceResource(name)}`,
        });
      }
      if (sameTraffic(traffic, wanted)) return;
      throw new GoogleApiError({
        api: "run",
        apiMessage: `its traffic is ${JSON.stringify(traffic)}, not what was written`,
        advice: `another change came between: see ${describe}, then run again`,
        summary: `Cloud Run reconciled ${serviceResource(name)} to other traffic`,
      });
    }
    if (Date.now() + pollMs > deadline) {
      throw new GoogleApiError({
        api: "run",
        apiMessage: `${serviceResource(name)} was still reconciling after ${waitMs / 1000} s`,
        advice: `the change may still happen: see ${describe}, then run again`,
        summary: "Cloud Run Admin API did not finish in time",
      });
    }
    await sleep(pollMs);
  }
}

function checkOperation(operation: Operation): void {
  if (typeof operation !== "object" || operation === null) throw unexpectedAnswer("run", "not an Operation");
  if (operation.done !== true && (typeof operation.name !== "string" || operation.name === "")) {
    throw unexpectedAnswer("run", "an operation in progress without a name to poll");
  }
}

/** A done operation: nothing when it succeeded, its error as a GoogleApiError when it failed. */
function failed(operation: Operation, name: ServiceName): void {
  const error = operation.error;
  if (error === undefined) return;
  const code = typeof error.code === "number" ? error.code : undefined;
  const apiStatus = code === undefined ? undefined : (RPC_CODES[code] ?? `code ${code}`);
  const message = typeof error.message === "string" && error.message !== "" ? error.message : "(no message)";
  const which = typeof operation.name === "string" ? ` ${operation.name}` : "";
  throw new GoogleApiError({
    api: "run",
    ...(apiStatus !== undefined ? { apiStatus } : {}),
    apiMessage: message,
    advice: `the traffic of ${serviceResource(name)} was not changed: fix what the message names, then run again`,
    summary: `Cloud Run Admin API operation${which} failed${apiStatus !== undefined ? ` with ${apiStatus}` : ""}`,
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * True when two traffic lists send the same shares to the same revisions (and, with `byTag`, under
 * the same tags), in any order. A share left out is 0, as the API leaves it out.
 */
export function sameTraffic(
  a: readonly { readonly revision?: string; readonly percent?: number; readonly tag?: string }[],
  b: readonly { readonly revision?: string; readonly percent?: number; readonly tag?: string }[],
  byTag = true,
): boolean {
  return (
    a.length === b.length &&
    b.every((w) =>
      a.some((t) => t.revision === w.revision && (t.percent ?? 0) === (w.percent ?? 0) && (!byTag || t.tag === w.tag)),
    )
  );
}
