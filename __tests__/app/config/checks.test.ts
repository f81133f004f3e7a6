/**
 * The configuration's own checks (semanticProblems), beyond its shape: what the stage requires of
 * images, monitoring and the GitHub repository; and the guardrails it leaves to the policy pack,
 * which the pack reports at synthesis with the configuration's file and field.
 */
import { Testing } from "cdktf";
import { ConfigError, EnvironmentStack, parseEnvironmentConfig } from "../../../lib/app";
import { FIXTURE_GITHUB, fixtureEnvironment, fixtureRelease, fixtureService } from "../../fixtures/environment";
import { Json, resources } from "../../helpers";
import { training, variant } from "./configs";

/**
 * The guardrails a policy rule holds are checked once, by the rule, on the synthesized stack:
 * the configuration accepts them, the pack refuses them at the stage, naming the file's field.
 */
describe("guardrails the policy pack holds, named with the configuration's field", () => {
  /** The error findings of a configuration's stack at its stage, as [rule, where in the configuration]. */
  function errorsOf(raw: unknown): [string, string | undefined][] {
    const config = parseEnvironmentConfig(raw);
    const stack = new EnvironmentStack(Testing.app(), config.name, raw, {
      source: "environments/live.ts",
      release: fixtureRelease(config),
    });
    return stack.policyPack
      .evaluate(stack)
      .findings.filter((f) => f.severity === "error")
      .map((f) => [f.ruleId, f.source]);
  }

  test.each([
    [
      "prod without a warm instance",
      variant((c) => (c.services.predict.minInstances = 0)),
      "RUN-007",
      "environments/live.ts services.predict.minInstances",
    ],
    [
      "prod with mutable tags",
      variant((c) => (c.repository.immutableTags = false)),
      "AR-003",
      "environments/live.ts repository.immutableTags",
    ],
    [
      "prod service without deletion protection",
      variant((c) => (c.services.predict.deletionProtection = false)),
      "RUN-005",
      "environments/live.ts services.predict.deletionProtection",
    ],
    [
      "prod job without deletion protection",
      variant((c) => (c.jobs.train.deletionProtection = false), training),
      "RUN-005",
      "environments/live.ts jobs.train.deletionProtection",
    ],
  ])("%s: accepted as configuration, refused by %s at synthesis", (_case, raw, rule, source) => {
    expect(() => parseEnvironmentConfig(raw)).not.toThrow();
    expect(errorsOf(raw)).toContainEqual([rule, source]);
    // The same in development: no finding of the rule.
    const dev = variant((c) => Object.assign(c, { stage: "development" }), parseEnvironmentConfig(raw));
    expect(errorsOf(dev).map(([r]) => r)).not.toContain(rule);
  });

  test("a production service kept warm at the service level (serviceMinInstances), as Google recommends, synthesizes", () => {
    const warm = variant((c) => {
      delete c.services.predict.minInstances;
      c.services.predict.serviceMinInstances = 1;
    });
    expect(() => parseEnvironmentConfig(warm)).not.toThrow();
    expect(errorsOf(warm)).toEqual([]);
    // And the rule still refuses a production service with neither.
    const cold = variant((c) => delete c.services.predict.minInstances);
    expect(errorsOf(cold)).toEqual([["RUN-007", "environments/live.ts services.predict.minInstances"]]);
  });
});

describe("images: a sidecar pinned by digest past development", () => {
  test("a sidecar image by tag: refused with the configuration past development, accepted in it", () => {
    const tagged = "otel/opentelemetry-collector:0.98.0";
    const withTag = (stage: "development" | "preproduction" | "production") =>
      fixtureEnvironment({
        name: "live",
        stage,
        services: { predict: fixtureService({ sidecars: [{ name: "otel", image: tagged }] }) },
      });
    for (const stage of ["preproduction", "production"] as const) {
      let error: unknown;
      try {
        parseEnvironmentConfig(withTag(stage));
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems).toEqual([
        expect.objectContaining({
          path: "services.predict.sidecars[0].image",
          value: tagged,
          allowed: expect.stringMatching(/pinned by digest/),
        }),
      ]);
    }
    // In development the released main image is a digest; the sidecar may follow a tag.
    const dev = parseEnvironmentConfig(withTag("development"));
    const out = JSON.parse(
      Testing.synth(new EnvironmentStack(Testing.app(), "live", dev, { release: fixtureRelease(dev) })),
    );
    const svc = Object.values<Json>(resources(out, "google_cloud_run_v2_service"))[0];
    expect(svc.template.containers.map((c: Json) => c.image)).toEqual([
      expect.stringMatching(/@sha256:[0-9a-f]{64}$/),
      tagged,
    ]);
  });
});

describe("monitoring: channels and each service's options", () => {
  const prod = fixtureEnvironment({ name: "live", stage: "production" });

  test("a production environment with monitoring and no channel is refused with the field and the rule", () => {
    const bad = { ...prod, monitoring: { emails: [] } };
    try {
      parseEnvironmentConfig(bad);
      throw new Error("expected a ConfigError");
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      expect((e as Error).message).toMatch(
        /- monitoring\.emails: got \[\]; must name at least one notification channel .*stage "production" requires every alert to reach someone \(MON-002\)/,
      );
    }
  });

  test("a service's monitoring options are checked with their config path", () => {
    const bad = { ...prod, services: { predict: fixtureService({ monitoring: { errorRatio: { threshold: 2 } } }) } };
    expect(() => parseEnvironmentConfig(bad)).toThrow(
      /services\.predict\.monitoring\.errorRatio\.threshold: got 2; must be a number above 0 and below 1/,
    );
  });
});

describe("the GitHub repository", () => {
  test("the GitHub repository is validated: name and numeric ids", () => {
    expect(() =>
      parseEnvironmentConfig(
        fixtureEnvironment({ github: { ...FIXTURE_GITHUB, repository: "acme", repositoryId: "12a", ownerId: "0" } }),
      ),
    ).toThrow(
      /github\.repository: got "acme"; must be OWNER\/NAME[\s\S]*github\.repositoryId: got "12a"; must be GitHub's numeric id[\s\S]*github\.ownerId: got "0"/,
    );
  });
});
