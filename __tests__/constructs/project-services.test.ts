/** ProjectServices (lib/constructs/project-services.ts): the APIs it enables and how. */
import { TerraformDataSource, Testing } from "cdktf";
import { ProjectServices, ValidationError } from "../../lib";
import { ServiceAccount } from "../../lib/providers";
import { errorOf, newStack, resources, synth } from "../helpers";

describe("ProjectServices", () => {
  test("writes disable_on_destroy and disable_dependent_services as false on every API", () => {
    const out = synth(
      (s) => new ProjectServices(s, "apis", { services: ["run.googleapis.com", "iam.googleapis.com"] }),
    );
    const apis = Object.values(resources(out, "google_project_service"));
    expect(apis).toHaveLength(2);
    for (const api of apis) {
      expect(api.disable_on_destroy).toBe(false);
      expect(api.disable_dependent_services).toBe(false);
    }
  });

  test("de-duplicates and sorts, so the order written does not change the output", () => {
    const a = synth(
      (s) =>
        new ProjectServices(s, "apis", {
          services: ["run.googleapis.com", "iam.googleapis.com", "run.googleapis.com"],
        }),
    );
    const b = synth((s) => new ProjectServices(s, "apis", { services: ["iam.googleapis.com", "run.googleapis.com"] }));
    expect(a).toEqual(b);
    expect(Object.values(resources(a, "google_project_service")).map((r) => r.service)).toEqual([
      "iam.googleapis.com",
      "run.googleapis.com",
    ]);
  });

  test("construct ids are the API names, so addresses stay stable", () => {
    const out = synth((s) => new ProjectServices(s, "apis", { services: ["run.googleapis.com"] }));
    expect(Object.keys(resources(out, "google_project_service"))).toEqual([
      expect.stringMatching(/^apis_run-googleapis-com_[0-9A-F]{8}$/),
    ]);
  });

  test("passes project through, and leaves it to the provider when absent", () => {
    const withProject = synth(
      (s) => new ProjectServices(s, "apis", { project: "acme-ml-prod", services: ["run.googleapis.com"] }),
    );
    expect(Object.values(resources(withProject, "google_project_service"))[0].project).toBe("acme-ml-prod");
    const without = synth((s) => new ProjectServices(s, "apis", { services: ["run.googleapis.com"] }));
    expect(Object.values(resources(without, "google_project_service"))[0]).not.toHaveProperty("project");
  });

  test("dependsOn is written on every API resource", () => {
    const out = synth((s) => {
      const sa = new ServiceAccount(s, "first", { accountId: "first-account" });
      new ProjectServices(s, "apis", { services: ["run.googleapis.com"], dependsOn: [sa] });
    });
    expect(Object.values(resources(out, "google_project_service"))[0].depends_on).toEqual([
      expect.stringMatching(/^google_service_account\.first/),
    ]);
  });

  test("resource() returns one API's resource and names the list when asked for another", () => {
    const stack = newStack();
    const apis = new ProjectServices(stack, "apis", { services: ["run.googleapis.com"] });
    expect(apis.resource("run.googleapis.com").serviceInput).toBe("run.googleapis.com");
    expect(() => apis.resource("iam.googleapis.com")).toThrow(
      /does not enable iam.googleapis.com; it enables run.googleapis.com/,
    );
  });

  test("refuses an empty list and malformed names, all at once", () => {
    expect(() => new ProjectServices(newStack(), "apis", { services: [] })).toThrow(ValidationError);
    const msg = errorOf(
      () =>
        new ProjectServices(newStack(), "apis", {
          project: "Bad_Project",
          services: ["run.googleapis.com", "Run API"],
        }),
    );
    expect(msg).toMatch(/ProjectServices "test\/apis" has 2 invalid props/);
    expect(msg).toMatch(/project: got "Bad_Project"; must be 6-30 characters/);
    expect(msg).toMatch(/services\[1\]: got "Run API"; must be a service name/);
  });

  test("a valid stack synthesizes without annotations", () => {
    const stack = newStack();
    new ProjectServices(stack, "apis", { services: ["run.googleapis.com"] });
    expect(Testing.synth(stack, true)).toBeTruthy();
  });
});

test("dependsOn passes a data source (or module) through instead of looking inside it", () => {
  const out = synth((s) => {
    const ds = new TerraformDataSource(s, "project", { terraformResourceType: "google_project" });
    new ProjectServices(s, "apis", { services: ["run.googleapis.com"], dependsOn: [ds] });
  });
  expect(Object.values(resources(out, "google_project_service"))[0].depends_on).toEqual([
    expect.stringMatching(/^data\.google_project\.project/),
  ]);
});
