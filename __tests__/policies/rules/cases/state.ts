/**
 * The cases of the state rules (STATE-001, STATE-002), one compliant and one non-compliant stack
 * each (lib/policies/rules/state/): rules/state.test.ts runs them, and pack.test.ts checks that
 * every rule of the folder has one.
 */
import { LocalBackend } from "cdktf";
import { StateBucket } from "../../../../lib";
import { Case, generic } from "../../builders";

export const CASES: Case[] = [
  [
    "STATE-001",
    "development",
    // stackWith's GCS backend.
    () => undefined,
    (s) => {
      // A stack has one backend, whose construct id is "backend": the GCS one makes way for a local one.
      s.node.tryRemoveChild("backend");
      new LocalBackend(s, { path: "terraform.tfstate" });
    },
    /the backend is local, not GCS/,
  ],
  [
    "STATE-002",
    "development",
    (s) => new StateBucket(s, "state", { name: "acme-ml-prod-tfstate", location: "europe-west1" }),
    (s) => generic(s, "state", "google_storage_bucket", { name: "acme-ml-prod-tfstate", location: "europe-west1" }),
    /versioning is not enabled; public_access_prevention is "inherited", not "enforced"; uniform_bucket_level_access is not true on the state bucket acme-ml-prod-tfstate/,
  ],
];
