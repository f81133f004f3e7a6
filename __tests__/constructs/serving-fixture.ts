/**
 * The production serving setup the serving-option tests share: a gRPC service with a sidecar,
 * VPC egress, a customer-managed key, custom audiences and a service-level minimum, in a stack of
 * its own project and region.
 */
import { TerraformStack, Testing } from "cdktf";
import { Construct } from "constructs";
import { CloudRunServiceProps } from "../../lib";
import { GoogleProvider } from "../../lib/providers";
import { Synth } from "../helpers";

export const PROJECT = "acme-ml-prod";
export const REGION = "europe-west4";
export const digest = (c: string) => `${REGION}-docker.pkg.dev/${PROJECT}/models/predict-grpc@sha256:${c.repeat(64)}`;
export const KEY = `projects/acme-kms/locations/${REGION}/keyRings/ml/cryptoKeys/serving`;

/** A fresh stack of PROJECT in REGION: builds constructs in it and returns the synthesized JSON. */
export function stack(build: (s: Construct) => void): Synth {
  const s = new TerraformStack(Testing.app(), "serving");
  new GoogleProvider(s, "google", { project: PROJECT, region: REGION });
  build(s);
  return JSON.parse(Testing.synth(s));
}

export const grpcProps: CloudRunServiceProps = {
  name: "predict-grpc",
  location: REGION,
  image: digest("e"),
  command: ["python", "-m", "serve"],
  args: ["--model-dir", "/models"],
  workingDir: "/app",
  http2: true,
  startupProbe: { grpc: { service: "grpc.health.v1.Health" }, periodSeconds: 10, failureThreshold: 6 },
  livenessProbe: { grpc: {} },
  sidecars: [{ name: "otel-collector", image: digest("f"), cpu: "1", memory: "256Mi" }],
  vpcAccess: { network: "ml-vpc", subnetwork: "serving-europe-west4", egress: "private-ranges-only" },
  encryptionKey: KEY,
  customAudiences: ["https://predict.acme.example"],
  serviceMinInstances: 2,
};
