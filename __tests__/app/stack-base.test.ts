/**
 * The app's stacks apply the policy pack (lib/app/stack-base.ts): at the environment's stage, to
 * every resource, whoever made it, with findings that name the configuration field they come from.
 */
import { Testing } from "cdktf";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { CloudRunService } from "../../lib";
import { EnvironmentStack, synthesize } from "../../lib/app";
import { fixtureEnvironment, fixtureFile, fixtureRelease, fixtureService } from "../fixtures/environment";

describe("EnvironmentStack applies the pack", () => {
  test("a service not deployed yet is checked as it will be: its policy error stops synthesis now", () => {
    const live = fixtureEnvironment({
      name: "live",
      stage: "production",
      services: { predict: fixtureService(), explain: fixtureService({ ingress: "all" }) },
    });
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "cdktf-cloud-run-pending-"));
    const onlyPredict = { services: { predict: fixtureRelease(live).services.predict } };
    const result = synthesize({ files: [fixtureFile(live, onlyPredict)], outdir });
    fs.rmSync(outdir, { recursive: true, force: true });
    expect(result.failure).toBe("policy");
    expect(result.errors[0]).toContain("ERROR RUN-009 live/explain/service (google_cloud_run_v2_service)");
    expect(result.errors[0]).toContain("in live.ts services.explain.ingress");
    // Accepted with a reason, it synthesizes, with explain not deployed until it is released.
    const acknowledged = {
      ...live,
      acknowledgements: [{ rule: "RUN-009", service: "explain", reason: "called by the partner gateway" }],
    };
    const out2 = fs.mkdtempSync(path.join(os.tmpdir(), "cdktf-cloud-run-pending-"));
    const ok = synthesize({ files: [fixtureFile(acknowledged, onlyPredict)], outdir: out2 });
    fs.rmSync(out2, { recursive: true, force: true });
    expect(ok.errors).toEqual([]);
    expect(ok.notices).toEqual([expect.stringMatching(/^live: explain is not deployed/)]);
  });

  test("the stage picks the rules, never the name: a preproduction environment named qa gets production's guardrails", () => {
    const qa = fixtureEnvironment({ name: "qa", stage: "preproduction" });
    const stack = new EnvironmentStack(Testing.app(), "qa", qa, { release: fixtureRelease(qa) });
    new CloudRunService(stack, "extra", {
      location: "europe-west1",
      name: "extra",
      image: "europe-west1-docker.pkg.dev/acme-ml-qa/models/extra:1.0",
      deletionProtection: false,
    });
    expect(stack.policyPack.stage).toBe("preproduction");
    const ids = stack.policyPack.evaluate(stack).findings.map((f) => `${f.ruleId} ${f.path}`);
    // Production adds RUN-007 (a warm instance costs money); development none of these.
    expect(ids.sort()).toEqual([
      "RUN-004 qa/extra/service",
      "RUN-005 qa/extra/service",
      "RUN-008 qa/extra/service",
      "RUN-009 qa/extra/service",
    ]);
  });

  test("a production environment is held to every rule, and a CloudRunService made by hand is checked too", () => {
    const live = fixtureEnvironment({ name: "live", stage: "production" });
    const stack = new EnvironmentStack(Testing.app(), "live", live, { release: fixtureRelease(live) });
    new CloudRunService(stack, "extra", {
      location: "europe-west1",
      name: "extra",
      image: "europe-west1-docker.pkg.dev/acme-ml-live/models/extra:1.0",
    });
    const ids = stack.policyPack.evaluate(stack).findings.map((f) => `${f.ruleId} ${f.path}`);
    expect(ids.sort()).toEqual([
      "MON-001 live/extra/service",
      "RUN-004 live/extra/service",
      "RUN-007 live/extra/service",
      "RUN-008 live/extra/service",
      "RUN-009 live/extra/service",
    ]);
  });
});
