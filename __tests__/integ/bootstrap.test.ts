/**
 * The example's bootstrap stacks: for every environment of environments/, what npm run synth
 * writes for its first day (state, federation, identities), as that configuration makes it.
 * The bootstrap stack's own behaviour, on the tests' configurations: __tests__/app/bootstrap-stack.test.ts.
 */
import { Testing } from "cdktf";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
  EnvironmentConfig,
  EnvironmentStack,
  environmentFiles,
  parseEnvironmentConfig,
  serviceProps,
  synthesize,
} from "../../lib/app";
import { rolloutOf } from "../../lib/app/config/rollout";
import { IDENTITIES, canaryGuarded, runtimeAccountEmail } from "../../lib/app/identities";
import { environmentResourceTypes } from "../../lib/app/environment-stack";
import { releasedEverywhere } from "../../lib/app/release/deployment";
import { EMPTY_RELEASE } from "../../lib/app/release/model";
import { repositoryScopedRoles, rolesFor } from "../../lib/app/resources";
import { REPOSITORY_ROLES } from "../../lib/constructs/artifact-repository";
import { repositoryProps } from "../../lib/app/config/props";
import { previousStage, promotionOrder } from "../../lib/app/promotion";
import { Json } from "../helpers";
import { all, bootstrap } from "../fixtures/bootstrap";

const configs = environmentFiles().map((f) => parseEnvironmentConfig(f.config));

/** The members allowed to act as the service account whose construct id is `kind`. */
function workloadIdentityUsers(tf: Json, kind: string): string[] {
  return all(tf)
    .filter(
      ([type, , r]) =>
        type === "google_service_account_iam_member" &&
        r.service_account_id === `\${google_service_account.${kind}.name}`,
    )
    .map(([, , r]) => {
      expect(r.role).toBe("roles/iam.workloadIdentityUser");
      return r.member as string;
    })
    .sort();
}

/** Each pipeline identity's members, the pool's name written POOL. */
function membersByIdentity(tf: Json): Record<string, string[]> {
  const accounts = Object.entries<Json>(tf.resource.google_service_account).filter(
    ([id]) => !id.startsWith("runtime_"),
  );
  return Object.fromEntries(
    accounts.map(([id, account]) => [
      account.account_id,
      workloadIdentityUsers(tf, id).map((m) =>
        m.replace(/\$\{google_iam_workload_identity_pool\.[^}]+\.name\}/, "POOL"),
      ),
    ]),
  );
}

// The conditions in full, for the first and last environments in promotion order (whatever
// environments/ holds, and whichever repository it names): who can mint each identity.
test("the identities of the first and last environments, and the one condition each holds", () => {
  const ordered = promotionOrder(configs);
  const [firstConfig, lastConfig] = [ordered[0], ordered[ordered.length - 1]];
  const [dev, prod] = [firstConfig, lastConfig].map((c) => bootstrap(c, configs).tf);
  const repo = firstConfig.github.repository;
  const at = "principalSet://iam.googleapis.com/POOL/attribute";
  // Where some service's canaries are analyzed: canary.yml on main, in no GitHub environment.
  const canaryGuard = (c: EnvironmentConfig) =>
    canaryGuarded(c).length === 0
      ? {}
      : { "canary-guard": [`${at}.job/${repo}/.github/workflows/canary.yml@refs/heads/main`] };
  expect(membersByIdentity(dev)).toEqual({
    "terraform-plan": [
      `${at}.job/${repo}/.github/workflows/deploy.yml@refs/heads/main`,
      `${at}.job/${repo}/.github/workflows/drift.yml@refs/heads/main`,
      `${at}.job_any_ref/${repo}/.github/workflows/ci.yml`,
    ],
    "terraform-deploy": [
      `${at}.job/${repo}/.github/workflows/apply.yml@refs/heads/main:environment:${firstConfig.name}`,
    ],
    "job-runner": [`${at}.job/${repo}/.github/workflows/train.yml@refs/heads/main:environment:${firstConfig.name}`],
    "image-builder": [`${at}.job/${repo}/.github/workflows/build.yml@refs/heads/main`],
    ...canaryGuard(firstConfig),
  });
  expect(membersByIdentity(prod)).toEqual({
    "terraform-plan": [
      `${at}.job/${repo}/.github/workflows/deploy.yml@refs/heads/main`,
      `${at}.job/${repo}/.github/workflows/drift.yml@refs/heads/main`,
      `${at}.job_any_ref/${repo}/.github/workflows/ci.yml`,
    ],
    "terraform-deploy": [
      `${at}.job/${repo}/.github/workflows/apply.yml@refs/heads/main:environment:${lastConfig.name}`,
    ],
    "job-runner": [`${at}.job/${repo}/.github/workflows/train.yml@refs/heads/main:environment:${lastConfig.name}`],
    "image-promoter": [`${at}.job/${repo}/.github/workflows/release.yml@refs/heads/main`],
    ...canaryGuard(lastConfig),
  });
});

describe.each(configs.map((c) => [c.name, c] as const))("bootstrap-%s (environments/)", (name, config) => {
  const { tf } = bootstrap(config, configs);
  const pool = Object.keys(tf.resource.google_iam_workload_identity_pool)[0];
  const poolName = `\${google_iam_workload_identity_pool.${pool}.name}`;

  test("its state lives in its environment's bucket, under its own prefix", () => {
    expect(tf.terraform.backend).toEqual({
      gcs: { bucket: config.stateBucket, prefix: `${config.app}/bootstrap-${name}` },
    });
  });

  test("the state bucket: versioned, private, uniform, soft delete kept, history bounded, never destroyed", () => {
    const [bucket] = Object.values<Json>(tf.resource.google_storage_bucket);
    expect(bucket).toMatchObject({
      name: config.stateBucket,
      location: config.region,
      versioning: { enabled: true },
      uniform_bucket_level_access: true,
      public_access_prevention: "enforced",
      soft_delete_policy: { retention_duration_seconds: 7 * 86_400 },
      lifecycle_rule: [{ action: { type: "Delete" }, condition: { with_state: "ARCHIVED", num_newer_versions: 20 } }],
      force_destroy: false,
      lifecycle: { prevent_destroy: true },
      labels: expect.objectContaining({ environment: name, purpose: "terraform-state" }),
    });
  });

  test("the GitHub provider admits only the configured repository, by its ids", () => {
    const [provider] = Object.values<Json>(tf.resource.google_iam_workload_identity_pool_provider);
    expect(provider.oidc).toEqual({ issuer_uri: "https://token.actions.githubusercontent.com" });
    // And a job in a GitHub environment only on main, whatever the environment's rules in GitHub.
    expect(provider.attribute_condition).toBe(
      `assertion.repository_id == '${config.github.repositoryId}' && assertion.repository_owner_id == '${config.github.ownerId}'` +
        " && (!has(assertion.environment) || assertion.ref == 'refs/heads/main')",
    );
    expect(provider.attribute_mapping["google.subject"]).toBe("assertion.sub");
  });

  // Google checks the workflow file that defines the job, the ref it was read at and the job's
  // GitHub environment (the provider's `job` attributes): a job of another file, or of the same
  // file in another environment, mints none of these. Which jobs of a file mint a token, and which
  // identity each asks for, is the workflows test's.
  test("each identity is usable by the workflow jobs it exists for, by file, ref and GitHub environment", () => {
    const workflows = `principalSet://iam.googleapis.com/${poolName}/attribute.job/${config.github.repository}/.github/workflows`;
    const accounts = Object.keys(tf.resource.google_service_account).filter((k) => !k.startsWith("runtime_"));
    const image = accounts.includes("builder") ? "builder" : "promoter";
    expect(Object.fromEntries(accounts.map((kind) => [kind, workloadIdentityUsers(tf, kind)]))).toEqual({
      plan: [
        `${workflows}/deploy.yml@refs/heads/main`,
        `${workflows}/drift.yml@refs/heads/main`,
        `principalSet://iam.googleapis.com/${poolName}/attribute.job_any_ref/${config.github.repository}/.github/workflows/ci.yml`,
      ],
      deploy: [`${workflows}/apply.yml@refs/heads/main:environment:${name}`],
      ...(config.jobs === undefined ? {} : { runner: [`${workflows}/train.yml@refs/heads/main:environment:${name}`] }),
      [image]: [`${workflows}/${image === "builder" ? "build" : "release"}.yml@refs/heads/main`],
      ...(canaryGuarded(config).length === 0 ? {} : { canary: [`${workflows}/canary.yml@refs/heads/main`] }),
    });
  });

  test("the deploy identity holds the managing role of each resource type its stack creates, and only those", () => {
    const types = environmentResourceTypes(config);
    // On the project, but for those its stack grants on the repository.
    const onRepository = repositoryScopedRoles(types);
    expect([...onRepository]).toEqual(["roles/artifactregistry.admin"]);
    const expected = [...rolesFor(types, "manage").keys()].filter((r) => !onRepository.has(r));
    const granted = all(tf)
      .filter(
        ([type, , r]) =>
          type === "google_project_iam_member" && r.member.startsWith("serviceAccount:terraform-deploy@"),
      )
      .map(([, , r]) => r.role)
      .sort();
    expect(granted).toEqual(expected);
    // None that manages accounts or IAM policies: those would let it grant itself anything.
    for (const role of granted) {
      expect(role).not.toMatch(
        /serviceAccountAdmin|projectIamAdmin|securityAdmin|secretmanager\.admin|\.owner$|\.editor$/,
      );
    }
    // It may act as the runtime accounts of the environment's services and jobs, and as the
    // scheduler account of each scheduled job, each granted on that account only, and as nothing
    // else. (The canary guard's act-as, on the analyzed services' accounts: below.)
    const actAs = all(tf).filter(
      ([, , r]) =>
        r.role === "roles/iam.serviceAccountUser" &&
        r.member !== `serviceAccount:canary-guard@${config.project}.iam.gserviceaccount.com`,
    );
    const jobs = Object.values(config.jobs ?? {});
    const accounts = Object.keys(config.services).length + jobs.length + jobs.filter((j) => j.schedule).length;
    expect(accounts).toBeGreaterThan(0);
    expect(actAs.map(([type, , r]) => [type, r.member])).toEqual(
      Array.from({ length: accounts }, () => [
        "google_service_account_iam_member",
        `serviceAccount:terraform-deploy@${config.project}.iam.gserviceaccount.com`,
      ]),
    );
    for (const [, , r] of actAs) expect(r.service_account_id).toMatch(/^\$\{google_service_account\.runtime_/);
    // A role that would reach the state bucket (storage.admin) holds on the environment's own
    // buckets only, by a condition naming each.
    const buckets = all(tf).filter(([, , r]) => r.role === "roles/storage.admin");
    expect(buckets.length).toBe(Object.keys(config.buckets ?? {}).length > 0 ? 1 : 0);
    for (const [, , r] of buckets) {
      expect(r.condition.expression).not.toContain(config.stateBucket);
      for (const key of Object.keys(config.buckets ?? {})) {
        const bucket = config.buckets![key].name ?? `${config.project}-${key}`;
        expect(r.condition.expression).toContain(`resource.name == 'projects/_/buckets/${bucket}'`);
      }
    }
  });

  // Artifact Registry reads no IAM condition's resource attributes: a role on its project reaches
  // every repository there, and creates more. So its roles hold on one repository each.
  test("Artifact Registry: the deploy identity manages its own repository, the promoter reads the one it copies from", () => {
    const projectRoles = all(tf)
      .filter(([type]) => type === "google_project_iam_member")
      .map(([, , r]) => r.role as string);
    expect(projectRoles).not.toContain("roles/artifactregistry.admin");
    expect(projectRoles).not.toContain("roles/artifactregistry.reader");
    // The environment's stack grants the deploy identity the managing role on the repository it creates.
    const env = JSON.parse(
      Testing.synth(
        new EnvironmentStack(Testing.app(), name, config, { release: releasedEverywhere(config, EMPTY_RELEASE) }),
      ),
    );
    const repositoryGrants = Object.entries<Json>(env.resource.google_artifact_registry_repository_iam_member);
    expect(repositoryGrants.map(([id, r]) => [id.replace(/_[0-9A-F]{8}$/, ""), r.role, r.member])).toEqual([
      [
        "repository_admin-deploy",
        REPOSITORY_ROLES.admin,
        `serviceAccount:terraform-deploy@${config.project}.iam.gserviceaccount.com`,
      ],
    ]);
    expect(rolesFor(["google_artifact_registry_repository"], "manage").keys().next().value).toBe(
      REPOSITORY_ROLES.admin,
    );
    // A promoter reads the repository of each environment of the stage before, and nothing else there.
    const reads = all(tf).filter(([type]) => type === "google_artifact_registry_repository_iam_member");
    // (None for the environments of the first stage: builds reach them, not promotions.)
    const before = previousStage(config.stage, configs);
    const sources = before === undefined ? [] : configs.filter((c) => c.stage === before);
    expect(reads.map(([, , r]) => r)).toEqual(
      sources.map((source) => ({
        project: source.project,
        location: repositoryProps(source).location,
        repository: repositoryProps(source).repositoryId,
        role: "roles/artifactregistry.reader",
        member: `serviceAccount:image-promoter@${config.project}.iam.gserviceaccount.com`,
        depends_on: [
          "google_service_account.promoter",
          expect.stringMatching(/^google_project_service\.apis_artifactregistry/),
        ],
      })),
    );
  });

  // Where some service's canaries are analyzed (rolloutOf), the canary guard reads metrics and may
  // change those services, to move a failing canary's traffic back at once; nowhere else.
  test("the canary guard: monitoring.viewer on the project, act-as on each analyzed service's account, run.developer on each such service", () => {
    const guarded = canaryGuarded(config);
    const canaryMember = `serviceAccount:${IDENTITIES.canary}@${config.project}.iam.gserviceaccount.com`;
    const env: Json = JSON.parse(
      Testing.synth(
        new EnvironmentStack(Testing.app(), name, config, { release: releasedEverywhere(config, EMPTY_RELEASE) }),
      ),
    );
    const grants = [tf, env].flatMap((stack) =>
      all(stack)
        .filter(([, , r]) => r.member === canaryMember)
        .map(([type, , r]) => {
          if (type === "google_project_iam_member") return `${r.role} project ${r.project}`;
          const ref = /^\$\{(google_\w+)\.([^.]+)\.name\}$/.exec(r.service_account_id ?? r.name)!;
          const target = stack.resource[ref[1]][ref[2]];
          return type === "google_service_account_iam_member"
            ? `${r.role} account ${target.account_id}@${config.project}.iam.gserviceaccount.com`
            : `${r.role} ${type} ${target.name}`;
        }),
    );
    expect(grants.sort()).toEqual(
      guarded.length === 0
        ? []
        : [
            `roles/monitoring.viewer project ${config.project}`,
            ...guarded.flatMap((k) => [
              `roles/iam.serviceAccountUser account ${runtimeAccountEmail(config, k)}`,
              `roles/run.developer google_cloud_run_v2_service_iam_member ${serviceProps(config, k).name}`,
            ]),
          ].sort(),
    );
    const accounts = Object.values<Json>(tf.resource.google_service_account).map((a) => a.account_id);
    expect(accounts.includes(IDENTITIES.canary)).toBe(guarded.length > 0);
    expect(guarded).toEqual(
      Object.keys(config.services)
        .filter((k) => rolloutOf(config, k).enabled)
        .sort(),
    );
  });

  test("a promoter adds model versions and never replaces one: create and list on its own model buckets", () => {
    const grants = all(tf).filter(
      ([type, , r]) => type === "google_project_iam_member" && r.member.startsWith("serviceAccount:image-promoter@"),
    );
    for (const [, , r] of grants.filter(([, , g]) => g.project === config.project && /storage/.test(g.role))) {
      expect(["roles/storage.objectCreator", "roles/storage.objectViewer"]).toContain(r.role);
      expect(r.condition.expression).not.toContain(config.stateBucket);
    }
    expect(grants.map(([, , r]) => r.role)).not.toContain("roles/storage.objectUser");
  });

  test("each service's runtime account: log and metric writing, and read on each of its secrets only", () => {
    const envStack = new EnvironmentStack(Testing.app(), name, config, {
      release: releasedEverywhere(config, EMPTY_RELEASE),
    });
    const ran = Object.values<Json>(JSON.parse(Testing.synth(envStack)).resource.google_cloud_run_v2_service).map(
      (s) => s.template.service_account,
    );
    const accounts = Object.values<Json>(tf.resource.google_service_account).map((a) => a.account_id);
    for (const email of ran) expect(accounts).toContain(email.split("@")[0]);
    for (const [key, svc] of Object.entries(config.services)) {
      const secrets = [...new Set(Object.values(svc.secretEnv ?? {}).map((s) => s.secret))].sort();
      const granted = all(tf)
        .filter(([type, id]) => type === "google_secret_manager_secret_iam_member" && id.startsWith(`runtime_${key}_`))
        .map(([, , r]) => [r.secret_id, r.role]);
      expect(granted).toEqual(secrets.map((s) => [s, "roles/secretmanager.secretAccessor"]));
    }
  });
});

describe("every stack", () => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "cdktf-cloud-run-bootstrap-"));
  afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

  test("npm run synth writes a bootstrap stack per environment; none holds a basic role or a key", () => {
    const result = synthesize({ outdir });
    expect(result.errors).toEqual([]);
    expect(result.stacks).toEqual(configs.flatMap((c) => [c.name, `bootstrap-${c.name}`]));
    const only = synthesize({ outdir: path.join(outdir, "environments-only"), environmentsOnly: true });
    expect(only.stacks).toEqual(configs.map((c) => c.name));
    for (const stack of result.stacks) {
      const tf = JSON.parse(fs.readFileSync(path.join(outdir, "stacks", stack, "cdk.tf.json"), "utf8"));
      for (const [type, id, r] of all(tf)) {
        expect({ stack, type }).not.toEqual({ stack, type: "google_service_account_key" });
        expect({ stack, id, role: r.role }).not.toEqual({
          stack,
          id,
          role: expect.stringMatching(/^roles\/(owner|editor|viewer)$/),
        });
      }
    }
  });
});
