/**
 * The day-one stack of an environment (`bootstrap-<env>`), on the tests' own configurations: the
 * image identity each gets by its place in the promotion order, and a first apply on an empty
 * project (every resource waits for its API and its account). What it writes for the example's
 * environments: __tests__/integ/bootstrap.test.ts.
 */
import { Testing } from "cdktf";
import { EnvironmentConfig, EnvironmentStack } from "../../lib/app";
import { ROLLOUT_DEFAULTS, rolloutOf } from "../../lib/app/config/rollout";
import { IDENTITIES, canaryGuarded, runtimeAccountEmail } from "../../lib/app/identities";
import { STAGES } from "../../lib/policies/rule";
import { fixtureEnvironment, fixtureRelease, fixtureService } from "../fixtures/environment";
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
    // (And the canary guard: production analyzes its canaries by default.)
    expect(Object.keys(stack.identities).sort()).toEqual(["canary", "deploy", "plan", "promoter"]);
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
        "canary-guard": "canary",
      }[account];
      expect({ id, waits: r.depends_on }).toEqual({
        id,
        waits: expect.arrayContaining([`google_service_account.${kind}`]),
      });
    }
  });
});

describe("the canary guard: where a service's canaries are analyzed, and only on those services", () => {
  const member = (c: EnvironmentConfig) => `serviceAccount:${IDENTITIES.canary}@${c.project}.iam.gserviceaccount.com`;
  /** Every grant naming the canary guard in an environment's two stacks, as `<type> <role> <on>`. */
  function canaryGrants(c: EnvironmentConfig): string[] {
    const { tf } = bootstrap(c);
    const env: Json = JSON.parse(
      Testing.synth(new EnvironmentStack(Testing.app(), c.name, c, { release: fixtureRelease(c) })),
    );
    const on = (tfJson: Json, r: Json) => {
      if (r.project !== undefined && r.service_account_id === undefined && r.name === undefined)
        return `project ${r.project}`;
      const ref = /^\$\{(google_\w+)\.([^.]+)\.name\}$/.exec(r.service_account_id ?? r.name)!;
      const target = tfJson.resource[ref[1]][ref[2]];
      return ref[1] === "google_service_account" ? `account ${target.account_id}` : `service ${target.name}`;
    };
    return [tf, env].flatMap((tfJson) =>
      all(tfJson)
        .filter(([, , r]) => r.member === member(c))
        .map(([type, , r]) => `${type} ${r.role} ${on(tfJson, r)}`),
    );
  }

  // Each stage as its defaults have it, and a stage's default turned the other way.
  const cases: [string, EnvironmentConfig][] = STAGES.flatMap((stage) => {
    const name = `canary-${stage.slice(0, 4)}`;
    const flipped = { rollout: { enabled: !ROLLOUT_DEFAULTS[stage].enabled } };
    return [
      [`${stage}, the stage's default`, fixtureEnvironment({ name, stage })],
      [
        `${stage}, turned ${flipped.rollout.enabled ? "on" : "off"}`,
        fixtureEnvironment({ name, stage, services: { predict: fixtureService(flipped) } }),
      ],
    ] as [string, EnvironmentConfig][];
  });

  test.each(cases)("%s", (_label, c) => {
    const { stack, tf } = bootstrap(c);
    const guarded = Object.keys(c.services).filter((k) => rolloutOf(c, k).enabled);
    expect(canaryGuarded(c)).toEqual(guarded);
    if (guarded.length === 0) {
      expect(stack.identities.canary).toBeUndefined();
      expect(Object.values<Json>(tf.resource.google_service_account).map((a) => a.account_id)).not.toContain(
        IDENTITIES.canary,
      );
      expect(canaryGrants(c)).toEqual([]);
      return;
    }
    expect(tf.resource.google_service_account.canary.account_id).toBe(IDENTITIES.canary);
    expect(canaryGrants(c).sort()).toEqual(
      [
        `google_project_iam_member roles/monitoring.viewer project ${c.project}`,
        ...guarded.flatMap((k) => [
          `google_service_account_iam_member roles/iam.serviceAccountUser account ${runtimeAccountEmail(c, k).split("@")[0]}`,
          `google_cloud_run_v2_service_iam_member roles/run.developer service ${c.services[k].name ?? k}`,
        ]),
      ].sort(),
    );
  });

  test("with two services, one analyzed: grants on that one's account and service only, reported as made", () => {
    const c = fixtureEnvironment({
      name: "canary-two",
      stage: "production",
      services: {
        predict: fixtureService(),
        batch: fixtureService({ name: "batch-api", rollout: { enabled: false } }),
      },
    });
    expect(canaryGuarded(c)).toEqual(["predict"]);
    const grants = canaryGrants(c);
    expect(grants.filter((g) => /batch/.test(g))).toEqual([]);
    expect(grants.filter((g) => /predict/.test(g))).toHaveLength(2);
    const { stack } = bootstrap(c);
    const identity = stack.identities.canary!;
    expect(identity.email).toBe(`${IDENTITIES.canary}@${c.project}.iam.gserviceaccount.com`);
    expect(identity.usableBy).toBe(`${c.github.repository}: canary.yml on main`);
    expect([...identity.roles.keys()]).toEqual(["roles/monitoring.viewer"]);
    expect(identity.otherGrants.map((g) => `${g.role} ${g.on}`)).toEqual([
      `roles/iam.serviceAccountUser account ${runtimeAccountEmail(c, "predict")}`,
      "roles/run.developer service predict (the environment's stack grants it)",
    ]);
  });

  test("its workload identity binding: canary.yml on main, in no GitHub environment, and nothing else", () => {
    const c = fixtureEnvironment({ name: "canary-wif", stage: "preproduction" });
    const { tf } = bootstrap(c);
    const [pool] = Object.keys(tf.resource.google_iam_workload_identity_pool);
    const users = all(tf)
      .filter(
        ([type, , r]) =>
          type === "google_service_account_iam_member" &&
          r.service_account_id === "${google_service_account.canary.name}",
      )
      .map(([, , r]) => [r.role, r.member]);
    expect(users).toEqual([
      [
        "roles/iam.workloadIdentityUser",
        `principalSet://iam.googleapis.com/\${google_iam_workload_identity_pool.${pool}.name}/attribute.job/${c.github.repository}/.github/workflows/canary.yml@refs/heads/main`,
      ],
    ]);
  });
});
