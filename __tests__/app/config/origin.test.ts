/**
 * configLocator: a policy finding on an environment's stack names the file and the configuration
 * field it comes from, beside the construct path.
 */
import { TerraformResource, Testing } from "cdktf";
import { EnvironmentStack } from "../../../lib/app";
import { RULES } from "../../../lib/policies";
import { CloudRunV2JobIamMember, CloudRunV2ServiceIamMember } from "../../../lib/providers";
import {
  fixtureEnvironment,
  fixtureRelease,
  fixtureService,
  fixtureTrainingEnvironment,
} from "../../fixtures/environment";

describe("policy findings point at the configuration", () => {
  test("each finding names the file and the field it comes from, beside the construct path", () => {
    const config = fixtureEnvironment({
      name: "live",
      repository: { repositoryId: "images", cleanup: false },
      services: { predict: fixtureService({ startupProbe: undefined }) },
    });
    const stack = new EnvironmentStack(Testing.app(), "live", config, {
      source: "environments/live.ts",
      release: fixtureRelease(config),
    });
    const findings = stack.policyPack.evaluate(stack).findings.map((f) => [f.ruleId, f.path, f.source]);
    expect(findings).toEqual([
      ["AR-001", "live/repository/repository", "environments/live.ts repository.cleanup"],
      ["RUN-008", "live/predict/service", "environments/live.ts services.predict.startupProbe"],
    ]);
  });

  test("without a file, the environment is named; a construct added by hand has no config field", () => {
    const live = fixtureEnvironment({ name: "live" });
    const stack = new EnvironmentStack(Testing.app(), "live", live, { release: fixtureRelease(live) });
    new TerraformResource(stack, "bucket", { terraformResourceType: "google_pubsub_topic" });
    const locate = stack.policyPack.props.locate!;
    // A finding as the pack makes it: with the field its rule points at.
    const located = (ruleId: string, path: string) =>
      locate({
        ruleId,
        path,
        field: RULES.find((r) => r.id === ruleId)!.field,
        severity: "error",
        message: "m",
        fix: "f",
        construct: stack,
      });
    expect(located("RUN-009", "live/predict/service")).toBe("environment live services.predict.ingress");
    expect(located("RUN-005", "live/predict/service")).toBe("environment live deletionProtection");
    expect(located("RUN-002", "live/predict/service")).toBe("environment live services.predict");
    expect(located("LABEL-001", "live")).toBe("environment live labels");
    expect(located("RUN-009", "live/bucket")).toBeUndefined();
  });
});

describe("a rule that reads services and jobs points at each one's own setting", () => {
  test("a public grant on a job is located at its runners, on a service at its invokers", () => {
    const live = fixtureTrainingEnvironment({ name: "live" });
    const stack = new EnvironmentStack(Testing.app(), "live", live, {
      source: "environments/live.ts",
      release: fixtureRelease(live),
    });
    new CloudRunV2JobIamMember(stack.jobs.train, "public", {
      name: "train",
      location: "europe-west1",
      role: "roles/run.invoker",
      member: "allUsers",
    });
    new CloudRunV2ServiceIamMember(stack.services.predict, "public", {
      name: "predict",
      location: "europe-west1",
      role: "roles/run.invoker",
      member: "allUsers",
    });
    const found = stack.policyPack
      .evaluate(stack)
      .findings.filter((f) => f.ruleId === "RUN-001")
      .map((f) => [f.path, f.source]);
    expect(found).toEqual([
      ["live/predict/public", "environments/live.ts services.predict.invokers"],
      ["live/train/public", "environments/live.ts jobs.train.runners"],
    ]);
  });
});
