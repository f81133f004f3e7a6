/**
 * The Cloud Run rules (lib/policies/rules/run/), cdk-nag style: each rule's compliant and
 * non-compliant cases (cases/run.ts), then services and grants written by hand, read as Terraform
 * reads them, and every container of a service read.
 */
import { TerraformDataSource, TerraformStack, Testing } from "cdktf";
import { Construct } from "constructs";
import { CloudRunService, PolicyPack } from "../../../lib";
import { CloudRunV2ServiceIamMember, GoogleProvider } from "../../../lib/providers";
import { DIGEST } from "../../helpers";
import { findingsOf as findings, generic, runCases, service } from "../builders";
import { CASES } from "./cases/run";
import { PROJECT, REGION, grpcProps } from "../../constructs/serving-fixture";

runCases(CASES);

describe("hand-written resources, read as Terraform reads them", () => {
  test("RUN-011 matches whole words: model-server settings are not secrets, HF_TOKEN is", () => {
    const env = (names: string[]) => (s: Construct) =>
      service(s, (c) => names.forEach((name) => c.template.containers[0].env.push({ name, value: "x" })));
    expect(findings(env(["TOKENIZERS_PARALLELISM", "MAX_NEW_TOKENS", "GOOGLE_APPLICATION_CREDENTIALS"]))).toEqual([]);
    expect(findings(env(["HF_TOKEN", "AWS_ACCESS_KEY_ID"]))).toEqual([
      expect.stringMatching(/RUN-011: .*HF_TOKEN, AWS_ACCESS_KEY_ID set as plain text/),
    ]);
  });

  test("RUN-003 sees the default compute account written as an expression, and reports an unknown account", () => {
    const account = (sa: string) => (s: Construct) => service(s, (c) => (c.template.serviceAccount = sa));
    expect(findings(account("${data.google_project.p.number}-compute@developer.gserviceaccount.com"))).toEqual([
      expect.stringMatching(/^error RUN-003: .*is a default account/),
    ]);
    expect(findings(account("${var.runtime_account}"))).toEqual([
      expect.stringMatching(/^warning RUN-003: could not be checked/),
    ]);
    expect(findings(account("${google_service_account.runtime.email}"))).toEqual([]);
  });

  test("RUN-006 and RUN-007: manual scaling, a service-level minimum, and a maximum of 0", () => {
    expect(findings((s) => service(s, (c) => (c.scaling = { scalingMode: "MANUAL", manualInstanceCount: 2 })))).toEqual(
      [],
    );
    expect(
      findings((s) =>
        service(s, (c) => {
          c.template.scaling.minInstanceCount = 0;
          c.scaling = { minInstanceCount: 2 };
        }),
      ),
    ).toEqual([]);
    expect(findings((s) => service(s, (c) => (c.template.scaling.maxInstanceCount = 0)), "preproduction")).toEqual([
      expect.stringMatching(/^error RUN-006: .*the maximum instance count is 0, which means unset/),
    ]);
  });

  test("RUN-004 reads the tag or digest, whatever builds the registry path; only an unknown tag is unknown", () => {
    const image = (ref: string) => (s: Construct) => service(s, (c) => (c.template.containers[0].image = ref));
    const registry = "europe-west1-docker.pkg.dev/${google_artifact_registry_repository.r.project}/models";
    expect(findings(image(`${registry}/predict:1.4.2`))).toEqual([
      expect.stringMatching(/^error RUN-004: .*predict:1\.4\.2" is not pinned by digest/),
    ]);
    expect(findings(image(`${registry}/predict@${DIGEST}`))).toEqual([]);
    expect(findings(image(`${registry}/predict:\${var.tag}`))).toEqual([
      expect.stringMatching(/^warning RUN-004: could not be checked/),
    ]);
  });

  test("RUN-010 reports a secret version known only at apply instead of passing it", () => {
    expect(
      findings((s) =>
        service(s, (c) => (c.template.containers[0].env[1].valueSource.secretKeyRef.version = "${var.v}")),
      ),
    ).toEqual([expect.stringMatching(/^warning RUN-010: could not be checked: API_KEY uses version \$\{var.v\}/)]);
  });

  test("RUN-001: a service account's member attribute is never public; data-source members known at apply are unknown", () => {
    expect(
      findings(
        (s) =>
          new CloudRunV2ServiceIamMember(s, "i", {
            name: "predict",
            location: "europe-west1",
            role: "roles/run.invoker",
            member: "${google_service_account.gateway.member}",
          }),
      ),
    ).toEqual([]);
    expect(
      findings((s) => {
        const ds = new TerraformDataSource(s, "invokers", { terraformResourceType: "google_iam_policy" });
        ds.addOverride("binding", [{ role: "roles/run.invoker", members: "${var.invokers}" }]);
        generic(s, "p", "google_cloud_run_v2_service_iam_policy", {
          name: "predict",
          policy_data: `\${${ds.fqn}.policy_data}`,
        });
      }),
    ).toEqual([
      expect.stringMatching(/^warning RUN-001: could not be checked: the members of data.google_iam_policy.invokers/),
    ]);
  });
});

describe("the policy pack reads every container", () => {
  // The production serving setup of the constructs' tests: a gRPC service with a sidecar.
  test("a sidecar image by tag in production is RUN-004's finding, naming the image", () => {
    const s = new TerraformStack(Testing.app(), "serving");
    new GoogleProvider(s, "google", { project: PROJECT, region: REGION });
    new CloudRunService(s, "grpc", {
      ...grpcProps,
      sidecars: [{ name: "otel-collector", image: "otel/opentelemetry-collector:0.98.0" }],
    });
    const findings = new PolicyPack({ stage: "production" })
      .evaluate(s)
      .findings.filter((f) => f.ruleId === "RUN-004")
      .map((f) => f.message);
    expect(findings).toEqual([
      expect.stringMatching(/image "otel\/opentelemetry-collector:0.98.0" is not pinned by digest/),
    ]);
  });
});
