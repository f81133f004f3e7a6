import { ALL_TIERS, PolicyRule, compliant, get, nonCompliant } from "./rule";

/** Resource types of this library's world that take labels. */
const LABELLED = [
  "google_cloud_run_v2_service",
  "google_cloud_run_v2_job",
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
  environments: ALL_TIERS,
  resourceTypes: LABELLED,
  check: (r) => {
    const alias = typeof r.attrs.provider === "string" ? /^google\.(.+)$/.exec(r.attrs.provider)?.[1] : undefined;
    const provider = (r.stack.providers.google ?? []).find((p) => p.alias === alias) ?? {};
    const labels = {
      ...((provider.default_labels as Record<string, string> | undefined) ?? {}),
      ...((r.attrs.labels as Record<string, string> | undefined) ?? {}),
      ...((get(r.attrs, "metadata", "labels") as Record<string, string> | undefined) ?? {}),
    };
    const missing = REQUIRED.filter((k) => !labels[k]);
    return missing.length > 0 ? nonCompliant(`missing label(s) ${missing.join(", ")}`) : compliant;
  },
};
