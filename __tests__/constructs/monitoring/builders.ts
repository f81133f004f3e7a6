/**
 * Builders for the monitoring constructs' tests: a production stack whose provider sets default
 * labels, a CloudRunService "predict" with a health path and a maximum of 20 instances, a
 * ServiceMonitoring of it, and `refusedWith`, which finds a ValidationError's problem by path.
 */
import { TerraformStack, Testing } from "cdktf";
import { Construct } from "constructs";
import { CloudRunService, ServiceMonitoring, ServiceMonitoringProps, ValidationError } from "../../../lib";
import { GoogleProvider } from "../../../lib/providers";
import { DIGEST, Json, Synth } from "../../helpers";

export const PROJECT = "acme-ml-prod";
export const IMAGE = `europe-west1-docker.pkg.dev/${PROJECT}/models/predict-api@${DIGEST}`;
export const CHANNEL = `projects/${PROJECT}/notificationChannels/1234567890`;

export function stackWith(build: (s: Construct) => void): TerraformStack {
  const stack = new TerraformStack(Testing.app(), "prod");
  new GoogleProvider(stack, "google", { project: PROJECT, region: "europe-west1" }).addOverride("default_labels", {
    environment: "prod",
    app: "predict",
  });
  build(stack);
  return stack;
}
export const synthOf = (stack: TerraformStack): Synth => JSON.parse(Testing.synth(stack));

export function service(scope: Construct, extra: Partial<ConstructorParameters<typeof CloudRunService>[2]> = {}) {
  return new CloudRunService(scope, "predict", {
    project: PROJECT,
    location: "europe-west1",
    name: "predict",
    image: IMAGE,
    maxInstances: 20,
    startupProbe: { path: "/health" },
    ...extra,
  });
}

/** The service monitored (to CHANNEL unless `props` say otherwise): its stack, JSON and construct. */
export function monitored(props: Partial<ServiceMonitoringProps> = {}) {
  let m: ServiceMonitoring | undefined;
  const stack = stackWith((s) => {
    const svc = service(s);
    m = new ServiceMonitoring(svc, "monitoring", { service: svc, notificationChannels: [CHANNEL], ...props });
  });
  return { stack, out: synthOf(stack), monitoring: m! };
}

/** `fn` throws a ValidationError with a problem at `path` whose rule matches `rule`. */
export function refusedWith(fn: () => unknown, path: string, rule: RegExp): void {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationError);
    const problem = (e as ValidationError).problems.find((p) => p.path === path);
    expect(problem?.allowed).toMatch(rule);
    return;
  }
  throw new Error("expected a ValidationError");
}

/** The threshold conditions of an alert policy. */
export const conditionsOf = (policy: Json): Json[] => policy.conditions.map((c: Json) => c.condition_threshold);
