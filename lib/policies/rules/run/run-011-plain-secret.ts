import { ALL_STAGES, PolicyRule, compliant, nonCompliant } from "../../rule";
import { CLOUD_RUN_WORKLOADS, envVars } from "../../terraform-json";

/**
 * Names that usually hold a credential, as whole words between underscores: DB_PASSWORD and
 * HF_TOKEN match; TOKENIZERS_PARALLELISM and MAX_NEW_TOKENS (model-server settings) do not.
 */
const SECRET_NAME = /(^|_)(SECRET|PASSWORD|PASSWD|TOKEN|API_?KEY|PRIVATE_?KEY|ACCESS_?KEY)(_|$)/i;

export const RUN_011: PolicyRule = {
  id: "RUN-011",
  what: "No plain environment variable has a name that looks like a secret (SECRET, PASSWORD, TOKEN, API_KEY, PRIVATE_KEY…)",
  why: "A plain value is stored in the Terraform state, the plan output and the revision's configuration, readable by anyone with viewer access.",
  fix: "Store the value in Secret Manager and reference it (CloudRunService's secretEnv).",
  severity: "error",
  stages: ALL_STAGES,
  field: { path: "env", of: "workload" },
  resourceTypes: CLOUD_RUN_WORKLOADS,
  check: (r) => {
    const plain = envVars(r).filter((e) => e.secret === undefined && e.value !== undefined && SECRET_NAME.test(e.name));
    return plain.length > 0 ? nonCompliant(`${plain.map((e) => e.name).join(", ")} set as plain text`) : compliant;
  },
};
