import { isDefaultServiceAccount, mentionsDefaultServiceAccount } from "../../../gcp/iam";
import { ALL_STAGES, PolicyRule, compliant, nonCompliant, unknown } from "../../rule";
import { CLOUD_RUN_WORKLOADS, get, isExpression, revisionTemplateOf } from "../../view";

export const RUN_003: PolicyRule = {
  id: "RUN-003",
  what: "Cloud Run services, jobs and worker pools run as a dedicated service account, never the default compute or App Engine one",
  why: "The default compute service account holds Editor on the project: code in the container could change almost anything.",
  fix: "Set the service account to a dedicated one with only the roles the workload needs (CloudRunService, CloudRunJob and CloudRunWorkerPool create one).",
  severity: "error",
  stages: ALL_STAGES,
  equivalent: "none for Cloud Run (checkov CKV_GCP_46/47/48 cover default accounts elsewhere)",
  resourceTypes: CLOUD_RUN_WORKLOADS,
  check: (r) => {
    const account = get(
      revisionTemplateOf(r),
      r.type === "google_cloud_run_service" ? "service_account_name" : "service_account",
    );
    if (account === undefined || account === "") {
      return nonCompliant("no service account is set, so it runs as the default compute service account");
    }
    if (isExpression(account)) {
      if (mentionsDefaultServiceAccount(account)) {
        return nonCompliant(`the service account is a default account (${account})`);
      }
      // The email of an account created in this configuration is never a default account.
      return /^\$\{google_service_account\.[\w-]+\.email\}$/.test(account)
        ? compliant
        : unknown(`the service account is ${account}, known only at apply`);
    }
    return isDefaultServiceAccount(String(account))
      ? nonCompliant(`the service account is ${account}, a default account`)
      : compliant;
  },
};
