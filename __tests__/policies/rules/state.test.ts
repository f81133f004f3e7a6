/**
 * The state rules (lib/policies/rules/state/), cdk-nag style: each rule's compliant and
 * non-compliant cases (cases/state.ts), then a stack with no backend or a local one, and the state
 * bucket's other settings.
 */
import { LocalBackend, TerraformStack, Testing } from "cdktf";
import { PolicyPack } from "../../../lib";
import { developmentFindings as findings, fired, generic, runCases, stackWith } from "../builders";
import { CASES } from "./cases/state";

runCases(CASES);

describe("STATE-001", () => {
  test("compliant: a GCS backend", () => {
    expect(
      fired(
        stackWith(() => undefined),
        "development",
      ),
    ).toEqual([]);
  });

  test("non-compliant: no backend, or a local one", () => {
    const none = new TerraformStack(Testing.app(), "none");
    const report = new PolicyPack({ stage: "development" }).evaluate(none);
    expect(report.findings.map((f) => [f.ruleId, f.path, f.message])).toEqual([
      ["STATE-001", "none", expect.stringMatching(/the stack has no backend \(cdktf would fall back to local state\)/)],
    ]);
    const local = new TerraformStack(Testing.app(), "local");
    new LocalBackend(local, { path: "terraform.tfstate" });
    expect(new PolicyPack({ stage: "development" }).evaluate(local).findings[0].message).toMatch(
      /the backend is local, not GCS/,
    );
  });
});

describe("STATE-002: the gaps a review found", () => {
  test("STATE-002: force_destroy and soft delete turned off are findings on the state bucket", () => {
    expect(
      findings((s) =>
        generic(s, "state", "google_storage_bucket", {
          name: "acme-ml-prod-tfstate",
          location: "europe-west1",
          versioning: { enabled: true },
          public_access_prevention: "enforced",
          uniform_bucket_level_access: true,
          force_destroy: true,
          soft_delete_policy: { retention_duration_seconds: 0 },
        }),
      ),
    ).toEqual([
      expect.stringMatching(/^STATE-002: .*force_destroy is true; soft delete is turned off on the state bucket/),
    ]);
    // Another bucket of the stack is not the state bucket: GCS-001 and GCS-002 hold it to the same
    // privacy and history, and STATE-002 says nothing.
    expect(
      findings((s) => generic(s, "models", "google_storage_bucket", { name: "acme-ml-models", location: "EU" })).map(
        (f) => f.split(":")[0],
      ),
    ).toEqual(["GCS-001", "GCS-002"]);
  });
});
