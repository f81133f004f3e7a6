/**
 * The day-one stack of an environment (`bootstrap-<env>`), on the tests' own configurations: the
 * image identity each gets by its place in the promotion order, and a first apply on an empty
 * project (every resource waits for its API and its account). What it writes for the example's
 * environments: __tests__/integ/bootstrap.test.ts.
 */
import { fixtureEnvironment } from "../fixtures/environment";
import { Json } from "../helpers";
import { all, bootstrap } from "../fixtures/bootstrap";

describe("image identities follow the promotion order", () => {
  const dev = fixtureEnvironment({ name: "alpha", stage: "development" });
  const qa = fixtureEnvironment({ name: "beta", stage: "preproduction" });
  const uat = fixtureEnvironment({ name: "beta-2", stage: "preproduction" });
  const live = fixtureEnvironment({ name: "gamma", stage: "production" });
  const environments = [live, uat, dev, qa];

  test("the first environment gets the builder, with write on its own repository", () => {
    const { stack } = bootstrap(dev, environments);
    expect(Object.keys(stack.identities).sort()).toEqual(["builder", "deploy", "plan"]);
    expect([...stack.identities.builder!.roles.keys()]).toEqual(["roles/artifactregistry.writer"]);
  });

  test("every later one gets a promoter that reads each environment of the stage before", () => {
    const { stack, tf } = bootstrap(live, environments);
    expect(Object.keys(stack.identities).sort()).toEqual(["deploy", "plan", "promoter"]);
    // On each one's repository, not its project.
    const reads = all(tf)
      .filter(([, , r]) => r.role === "roles/artifactregistry.reader")
      .map(([type, , r]) => `${type} ${r.project} ${r.location} ${r.repository}`)
      .sort();
    expect(reads).toEqual(
      [qa, uat]
        .map(
          (c) => `google_artifact_registry_repository_iam_member ${c.project} ${c.region} ${c.repository.repositoryId}`,
        )
        .sort(),
    );
    expect(bootstrap(qa, environments).stack.identities.promoter!.otherGrants).toEqual([
      {
        role: "roles/artifactregistry.reader",
        on: `repository ${dev.repository.repositoryId} of ${dev.project}`,
        neededFor: "copying images from alpha",
      },
    ]);
  });
});

describe("first apply on an empty project", () => {
  test("every resource of a bootstrap stack waits for the API it needs; API enablement waits for nothing", () => {
    const { tf } = bootstrap(fixtureEnvironment());
    const apis = new Map(
      Object.entries<Json>(tf.resource.google_project_service).map(([id, r]) => [
        r.service,
        `google_project_service.${id}`,
      ]),
    );
    expect([...apis.keys()].sort()).toEqual([
      "cloudresourcemanager.googleapis.com",
      "iam.googleapis.com",
      "iamcredentials.googleapis.com",
      "secretmanager.googleapis.com",
      "storage.googleapis.com",
      "sts.googleapis.com",
    ]);
    const needs: Record<string, string> = {
      google_storage_bucket: "storage.googleapis.com",
      google_storage_bucket_iam_member: "storage.googleapis.com",
      google_iam_workload_identity_pool: "iam.googleapis.com",
      google_iam_workload_identity_pool_provider: "iam.googleapis.com",
      google_service_account: "iam.googleapis.com",
      google_service_account_iam_member: "iam.googleapis.com",
      google_project_iam_member: "cloudresourcemanager.googleapis.com",
      google_secret_manager_secret_iam_member: "secretmanager.googleapis.com",
    };
    for (const [type, id, r] of all(tf)) {
      if (type === "google_project_service") {
        expect({ id, depends_on: r.depends_on }).toEqual({ id, depends_on: undefined });
        continue;
      }
      expect({ type, id, waits: r.depends_on }).toEqual({
        type,
        id,
        waits: expect.arrayContaining([apis.get(needs[type])]),
      });
    }
  });

  test("grants naming an account by its email wait for the account", () => {
    const { tf } = bootstrap(fixtureEnvironment());
    const byEmail = all(tf).filter(
      ([type, , r]) =>
        /_iam_member$/.test(type) && typeof r.member === "string" && r.member.startsWith("serviceAccount:"),
    );
    expect(byEmail.length).toBeGreaterThan(5);
    for (const [, id, r] of byEmail) {
      const account = /^serviceAccount:([a-z-]+)@/.exec(r.member)![1];
      const kind = {
        "terraform-plan": "plan",
        "terraform-deploy": "deploy",
        "image-builder": "builder",
        "image-promoter": "promoter",
      }[account];
      expect({ id, waits: r.depends_on }).toEqual({
        id,
        waits: expect.arrayContaining([`google_service_account.${kind}`]),
      });
    }
  });
});
