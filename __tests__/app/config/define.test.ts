/**
 * extendEnvironment and statedByEnvironment: what an environment file states itself, as opposed to
 * what it inherits from the shared configuration, for the messages that name a field.
 */
import { SharedConfig, extendEnvironment } from "../../../lib/app";
import { statedByEnvironment } from "../../../lib/app/config/define";
import { valid } from "./configs";

describe("what an environment file states itself, for messages", () => {
  const { name: _n, stage: _s, project: _p, stateBucket: _b, ...shared } = valid;
  const differences = {
    "google_cloud_run_v2_service.predict_service.template.scaling": "prod keeps two warm",
    "google_cloud_run_v2_service.predict_service.template.containers[0].env[LOG_LEVEL]": "prod logs less",
  };
  const prod = extendEnvironment(shared as SharedConfig, {
    name: "prod",
    stage: "production",
    project: "acme-fx-prod",
    stateBucket: "acme-fx-prod-tfstate",
    services: { predict: { sidecars: [{ name: "otel", image: "otel/opentelemetry-collector:0.98.0" }] } },
    differences,
  });
  test.each([
    ["services.predict.sidecars[0].image", true], // an array is stated whole
    ["services.predict.memory", false], // inherited
    ["project", true],
    [`differences.${Object.keys(differences)[0]}`, true], // a key with dots in it
    [`differences.${Object.keys(differences)[1]}`, true], // and brackets
    ["services.predict.sidecars", true],
    ["services.predict", true], // the environment states part of it
    // The shared configuration has no differences: under them, everything is the environment's.
    ["differences.google_cloud_run_v2_service.other.template", true],
    ["services.predcit.image", false], // not in either: no environment states a service by that key
  ])("%s: stated %s", (path, stated) => {
    expect(statedByEnvironment(prod, path)).toBe(stated);
  });
  test("a configuration not made by extendEnvironment: unknown", () => {
    expect(statedByEnvironment(valid, ["project"])).toBeUndefined();
  });
});
