import { isDefaultServiceAccount, mentionsDefaultServiceAccount } from "../../../gcp/iam";
import { ALL_STAGES, PolicyRule, compliant, nonCompliant, notApplicable } from "../../rule";
import { ResourceView, get, isExpression } from "../../view";

/** The job a `…/jobs/NAME:run` URI names, as written (a name or an expression). */
function jobNameIn(uri: string): string | undefined {
  return /\/jobs\/(.+):run$/.exec(uri)?.[1];
}

/** The runtime account of the job of that name (or `${google_cloud_run_v2_job.ID.name}`) in this stack, as written. */
function runtimeAccountOf(r: ResourceView, job: string): unknown {
  const ref = /^\$\{google_cloud_run_v2_job\.([\w-]+)\.name\}$/.exec(job)?.[1];
  const target = r.stack.resources.find(
    (x) => x.type === "google_cloud_run_v2_job" && (ref === undefined ? x.attrs.name === job : x.name === ref),
  );
  return target === undefined ? undefined : get(target.attrs, "template", "template", "service_account");
}

export const SCHED_001: PolicyRule = {
  id: "SCHED-001",
  what: "A Cloud Scheduler job that calls Cloud Run does so with a token of a dedicated account, not the default one and not the runtime account of the job it starts",
  why: "Without a token Cloud Run refuses the call, or the target has to be public; the default compute account holds Editor; and a runtime account that may start its own job lets the code it runs start more of them.",
  fix: "Give the schedule its own service account with roles/run.invoker on the one job (CloudRunJob's schedule does), as an oauth_token for run.googleapis.com or an oidc_token for a run.app URL.",
  severity: "error",
  stages: ALL_STAGES,
  resourceTypes: ["google_cloud_scheduler_job"],
  check: (r) => {
    const uri = get(r.attrs, "http_target", "uri");
    if (typeof uri !== "string") return notApplicable;
    const admin = /^https:\/\/([a-z0-9-]+-)?run\.googleapis\.com\//.test(uri);
    const service = /^https:\/\/[^/]+\.run\.app(\/|$)/.test(uri);
    const oauth = get(r.attrs, "http_target", "oauth_token", "service_account_email");
    // An OAuth token is a key to every Google API the account may call: only Google's hosts get one.
    if (oauth !== undefined && !isExpression(uri) && !/^https:\/\/[a-z0-9.-]+\.googleapis\.com\//.test(uri)) {
      return nonCompliant(`it sends an OAuth token of ${String(oauth)} to ${uri}, which is not a Google API`);
    }
    if (!admin && !service) return notApplicable;
    const kind = admin ? "oauth_token" : "oidc_token";
    const email = get(r.attrs, "http_target", kind, "service_account_email");
    if (email === undefined) return nonCompliant(`it calls ${uri} without an ${kind}`);
    if (
      typeof email === "string" &&
      (isExpression(email) ? mentionsDefaultServiceAccount(email) : isDefaultServiceAccount(email))
    ) {
      return nonCompliant(`it calls ${uri} as ${email}, a default account`);
    }
    const job = jobNameIn(uri);
    if (job !== undefined && email === runtimeAccountOf(r, job)) {
      return nonCompliant(`it calls the job as ${String(email)}, the job's own runtime account`);
    }
    return compliant;
  },
};
