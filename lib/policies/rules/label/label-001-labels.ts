import { ALL_STAGES, PolicyRule, compliant, nonCompliant, unknown } from "../../rule";
import { get, isExpression } from "../../view";

/** Resource types of this library's world that take labels. */
const LABELLED = [
  "google_cloud_run_v2_service",
  "google_cloud_run_v2_job",
  "google_cloud_run_v2_worker_pool",
  "google_artifact_registry_repository",
  "google_secret_manager_secret",
  "google_storage_bucket",
];
const REQUIRED = ["environment", "app"];

export const LABEL_001: PolicyRule = {
  id: "LABEL-001",
  what: "Resources carry the environment and app labels (on the resource or the provider's default_labels)",
  why: "Billing reports, inventories and incident responders find resources by these labels.",
  fix: "Set default_labels on the google provider (EnvironmentStack does) or labels on the resource.",
  severity: "warning",
  stages: ALL_STAGES,
  field: { path: "labels", of: "environment" },
  resourceTypes: LABELLED,
  check: (r) => {
    // The provider block the resource uses: "google", "google-beta", or either with an alias.
    const [name, alias] = typeof r.attrs.provider === "string" ? r.attrs.provider.split(".") : ["google", undefined];
    const provider = (r.stack.providers[name] ?? []).find((p) => p.alias === alias) ?? {};
    // A plan's values hold the labels the provider applies (google provider 5 and later):
    // terraform_labels, the resource's and the provider's default_labels merged.
    const sources = [
      provider.default_labels,
      r.attrs.labels,
      get(r.attrs, "metadata", "labels"),
      r.attrs.terraform_labels,
    ];
    const expression = sources.find(isExpression);
    if (expression !== undefined) return unknown(`labels are ${expression}, which the configuration does not fix`);
    const labels = Object.assign({}, ...sources.filter((l) => typeof l === "object" && l !== null)) as Record<
      string,
      unknown
    >;
    const missing = REQUIRED.filter((k) => !labels[k]);
    return missing.length > 0 ? nonCompliant(`missing label(s) ${missing.join(", ")}`) : compliant;
  },
};
