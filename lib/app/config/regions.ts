import { distance } from "fastest-levenshtein";

/**
 * The regions Cloud Run services and jobs run in. Source: Google Cloud, "Cloud Run locations"
 * (https://cloud.google.com/run/docs/locations), Tier 1 and Tier 2 pricing lists, as read on
 * 2026-12-06. A region Google adds later is refused until it is added here: the error says so.
 */
export const CLOUD_RUN_REGIONS: readonly string[] = [
  // Tier 1
  "asia-east1",
  "asia-northeast1",
  "asia-northeast2",
  "europe-north1",
  "europe-southwest1",
  "europe-west1",
  "europe-west4",
  "europe-west8",
  "europe-west9",
  "me-west1",
  "us-central1",
  "us-east1",
  "us-east4",
  "us-east5",
  "us-south1",
  "us-west1",
  // Tier 2
  "africa-south1",
  "asia-east2",
  "asia-northeast3",
  "asia-southeast1",
  "asia-southeast2",
  "asia-south1",
  "asia-south2",
  "australia-southeast1",
  "australia-southeast2",
  "europe-central2",
  "europe-west10",
  "europe-west12",
  "europe-west2",
  "europe-west3",
  "europe-west6",
  "me-central1",
  "me-central2",
  "northamerica-northeast1",
  "northamerica-northeast2",
  "southamerica-east1",
  "southamerica-west1",
  "us-west2",
  "us-west3",
  "us-west4",
];

/** A Cloud Run region, with the nearest one suggested for a typo (`europe-wset1`). */
export function cloudRunRegion(value: string): string | undefined {
  if (CLOUD_RUN_REGIONS.includes(value)) return undefined;
  const near = [...CLOUD_RUN_REGIONS].sort((a, b) => distance(value, a) - distance(value, b))[0];
  const hint = distance(value, near) <= 3 ? `did you mean "${near}"? ` : "";
  return `is not a region Cloud Run runs in; ${hint}see https://cloud.google.com/run/docs/locations (a region added since is added to lib/app/config/regions.ts)`;
}
