/**
 * What the resources a stack creates need, from the one table of resource-type facts
 * (lib/gcp/resource-types.ts): the API of each resource, and the roles that manage and read each
 * type, which the bootstrap stack grants the pipeline identities.
 */
import { TerraformResource, TerraformStack, Testing } from "cdktf";
import { EnvironmentConfig, apiFor, environmentFiles, parseEnvironmentConfig } from "../../lib/app";
import { BootstrapStack } from "../../lib/app/bootstrap-stack";
import { environmentResourceTypes } from "../../lib/app/environment-stack";
import { rolesFor } from "../../lib/app/resources";
import { RESOURCE_TYPES } from "../../lib/gcp/resource-types";
import { ServiceAccount } from "../../lib/providers";
import { fixtureEnvironment, fixtureService } from "../fixtures/environment";

const configs = environmentFiles().map((f) => parseEnvironmentConfig(f.config));

/** A bootstrap stack synthesized in memory, with the environments it is one of. */
function bootstrap(config: EnvironmentConfig, environments: readonly EnvironmentConfig[] = [config]) {
  const stack = new BootstrapStack(Testing.app(), `bootstrap-${config.name}`, config, { environments });
  return { stack, tf: JSON.parse(Testing.synth(stack)) };
}

describe("APIs from resource types", () => {
  test("a resource type with no known API is refused with the fix", () => {
    const scope = new TerraformStack(Testing.app(), "s");
    const bucket = new TerraformResource(scope, "bucket", { terraformResourceType: "google_pubsub_topic" });
    expect(() => apiFor(bucket)).toThrow(
      "s/bucket: no API is known for resource type google_pubsub_topic; add it to RESOURCE_TYPES in lib/gcp/resource-types.ts",
    );
    expect(apiFor(new ServiceAccount(scope, "sa", { accountId: "someone" }))).toBe("iam.googleapis.com");
  });
});

describe("roles derived from resource types", () => {
  test("every resource type an environment's stack can create has a managing and a reading role", () => {
    // Every feature of a service at once: invokers, secrets, both project roles.
    const full = fixtureEnvironment({
      services: {
        predict: fixtureService({
          invokers: ["serviceAccount:gateway@acme-fx-shared.iam.gserviceaccount.com"],
          secretEnv: { KEY: { secret: "key", version: "1" } },
        }),
      },
    });
    const types = [...new Set([...configs, full].flatMap(environmentResourceTypes))];
    const missing = types.filter((t) => RESOURCE_TYPES[t] === undefined || "ownerOnly" in RESOURCE_TYPES[t].roles);
    expect(missing).toEqual([]);
  });

  test("a type with no mapping stops the bootstrap stack, naming the type", () => {
    // The type keeps its API (the environment's stack is built) but has no roles.
    const saved = RESOURCE_TYPES.google_cloud_run_v2_service_iam_member;
    (RESOURCE_TYPES as Record<string, unknown>).google_cloud_run_v2_service_iam_member = { api: saved.api };
    try {
      expect(() => bootstrap(fixtureEnvironment())).toThrow(
        "no roles are known for resource type google_cloud_run_v2_service_iam_member: add the role that manages and the role that reads each to RESOURCE_TYPES in lib/gcp/resource-types.ts",
      );
    } finally {
      (RESOURCE_TYPES as Record<string, unknown>).google_cloud_run_v2_service_iam_member = saved;
    }
    // The types whose managing roles would let the deploy identity grant itself more have none.
    for (const type of [
      "google_service_account",
      "google_project_iam_member",
      "google_secret_manager_secret_iam_member",
    ]) {
      expect(() => rolesFor([type], "manage")).toThrow(type);
    }
  });

  test("a role implied by a stronger one is not granted beside it", () => {
    expect([...rolesFor(["google_cloud_run_v2_service"], "manage").keys()]).toEqual(["roles/run.developer"]);
    expect(rolesFor(["google_cloud_run_v2_service", "google_cloud_run_v2_service_iam_member"], "manage")).toEqual(
      new Map([["roles/run.admin", ["google_cloud_run_v2_service", "google_cloud_run_v2_service_iam_member"]]]),
    );
  });
});
