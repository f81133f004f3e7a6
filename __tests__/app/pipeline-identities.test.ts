/**
 * PipelineIdentities (lib/app/pipeline-identities.ts), through the bootstrap stack that makes every
 * grant with it: the report (`stack.identities`, what `npm run bootstrap -- identities` prints) is
 * what the stack grants. Each grant of the report made in the bootstrap stack is a resource of its
 * synthesized stack, and each IAM member resource naming a pipeline identity is in the report,
 * once; the grants it says the environment's stack makes are made there.
 */
import { TerraformStack, Testing } from "cdktf";
import { EnvironmentConfig, EnvironmentStack } from "../../lib/app";
import { BootstrapStack } from "../../lib/app/bootstrap-stack";
import { IDENTITIES, canaryGuarded, runtimeAccountEmail } from "../../lib/app/identities";
import { PipelineIdentities } from "../../lib/app/pipeline-identities";
import { PROJECT_ROLE_REASONS } from "../../lib/gcp/resource-types";
import { bucketsCondition } from "../../lib/gcp/storage";
import { fixtureEnvironment, fixtureRelease, fixtureTrainingEnvironment } from "../fixtures/environment";
import { Json } from "../helpers";

/** Environments with training, two of them at the stage before production: every kind of grant. */
const TRAINING: EnvironmentConfig[] = [
  fixtureTrainingEnvironment({ name: "alpha", stage: "development" }),
  fixtureTrainingEnvironment({ name: "beta", stage: "preproduction" }),
  fixtureTrainingEnvironment({ name: "beta-2", stage: "preproduction" }),
  fixtureTrainingEnvironment({ name: "gamma", stage: "production" }),
];

/** Environments without buckets or jobs that skip a stage: development straight to production. */
const SKIPPING: EnvironmentConfig[] = [
  fixtureEnvironment({ name: "one", stage: "development" }),
  fixtureEnvironment({ name: "two", stage: "production" }),
];

type Case = [label: string, config: EnvironmentConfig, environments: EnvironmentConfig[]];

/** Each environment's bootstrap stack, built with the environments it is one of. */
const CASES: Case[] = [
  ...TRAINING.map((c): Case => [`${c.name} (${c.stage}, with training)`, c, TRAINING]),
  ...SKIPPING.map((c): Case => [`${c.name} (${c.stage}, no preproduction)`, c, SKIPPING]),
];

/** The IAM resource types whose grants name a member. */
const MEMBER_TYPES = [
  "google_project_iam_member",
  "google_artifact_registry_repository_iam_member",
  "google_storage_bucket_iam_member",
  "google_service_account_iam_member",
];

/** A member that is one of the pipeline identities, of any project. */
const PIPELINE_MEMBER = new RegExp(`^serviceAccount:(${Object.values(IDENTITIES).join("|")})@`);

/** The grants the report says the environment's stack makes: they have no resource in the bootstrap stack. */
const ELSEWHERE = /^(job|repository|service) (\S+) \(the environment's stack grants it\)$/;

/** The resource a `${type.id.name}` reference names. */
function referenced(tf: Json, reference: string, type: string): Json {
  const m = new RegExp(`^\\$\\{${type}\\.([^.]+)\\.name\\}$`).exec(reference);
  if (m === null) throw new Error(`not a reference to a ${type}: ${reference}`);
  const resource = tf.resource[type]?.[m[1]];
  if (resource === undefined) throw new Error(`no ${type} ${m[1]}`);
  return resource;
}

/** `gs://` URLs, sorted, as one string: a report's `on` and a condition's buckets compare equal. */
const bucketList = (urls: readonly string[]) => `buckets ${[...urls].sort().join(", ")}`;

/**
 * Each grant of the report made in the bootstrap stack, as `<member> <role> <where>`: a project
 * role `project <id>`, a grant on the state `gs://<bucket>/<prefix>`, on an account
 * `account <email>`, limited to buckets by a condition `buckets gs://…`.
 */
function reportedGrants(stack: BootstrapStack): string[] {
  return Object.values(stack.identities).flatMap((identity) => {
    const member = `serviceAccount:${identity!.email}`;
    return [
      ...[...identity!.roles.keys()].map((role) => `${member} ${role} project ${stack.config.project}`),
      ...identity!.otherGrants
        .filter((g) => !ELSEWHERE.test(g.on))
        .map((g) => {
          if (/^(project|account) \S+$/.test(g.on)) return `${member} ${g.role} ${g.on}`;
          if (/^repository \S+ of \S+$/.test(g.on)) return `${member} ${g.role} ${g.on}`;
          if (/^gs:\/\/[^/,\s]+\/\S+$/.test(g.on)) return `${member} ${g.role} ${g.on}`;
          const urls = g.on.replace(/ \(condition\)$/, "").split(", ");
          if (urls.every((u) => /^gs:\/\/[^/,\s]+$/.test(u))) return `${member} ${g.role} ${bucketList(urls)}`;
          return `${member} ${g.role} (not understood by this test: ${g.on})`;
        }),
    ];
  });
}

/** Each IAM member resource of a synthesized bootstrap stack whose member is a pipeline identity, as {@link reportedGrants} writes it. */
function synthesizedGrants(tf: Json, config: EnvironmentConfig): string[] {
  return MEMBER_TYPES.flatMap((type) =>
    Object.values<Json>(tf.resource[type] ?? {})
      .filter((r) => typeof r.member === "string" && PIPELINE_MEMBER.test(r.member))
      .map((r) => {
        const grant = `${r.member} ${r.role}`;
        if (type === "google_project_iam_member") {
          if (r.condition === undefined) return `${grant} project ${r.project}`;
          const buckets = [
            ...(r.condition.expression as string).matchAll(/resource\.name == 'projects\/_\/buckets\/([^']+)'/g),
          ].map((m) => m[1]);
          // Exactly a condition on those buckets and their objects, nothing looser.
          if (buckets.length === 0 || r.condition.expression !== bucketsCondition(buckets).expression)
            return `${grant} (a condition other than on buckets: ${r.condition.expression})`;
          return `${grant} ${bucketList(buckets.map((b) => `gs://${b}`))}`;
        }
        if (type === "google_artifact_registry_repository_iam_member") {
          return `${grant} repository ${r.repository} of ${r.project}`;
        }
        if (type === "google_storage_bucket_iam_member") {
          const bucket = referenced(tf, r.bucket, "google_storage_bucket").name;
          const prefix = new RegExp(`startsWith\\('projects/_/buckets/${bucket}/objects/([^']*)'\\)`).exec(
            r.condition?.expression ?? "",
          );
          return `${grant} gs://${bucket}/${prefix === null ? "(any object)" : prefix[1]}`;
        }
        const account = referenced(tf, r.service_account_id, "google_service_account");
        return `${grant} account ${account.account_id}@${account.project ?? config.project}.iam.gserviceaccount.com`;
      }),
  );
}

const sorted = (list: readonly string[]) => [...list].sort();

describe.each(CASES)("bootstrap stack of %s", (_label, config, environments) => {
  const stack = new BootstrapStack(Testing.app(), `bootstrap-${config.name}`, config, { environments });
  const tf: Json = JSON.parse(Testing.synth(stack));
  const synthesized = synthesizedGrants(tf, config);

  test("each project role of the report is a google_project_iam_member of that role for that identity, on the project, unconditioned", () => {
    const projectRoles = Object.values(stack.identities).flatMap((identity) =>
      [...identity!.roles.keys()].map((role) => `serviceAccount:${identity!.email} ${role} project ${config.project}`),
    );
    expect(projectRoles.length).toBeGreaterThan(0);
    for (const grant of projectRoles) expect(synthesized).toContain(grant);
  });

  test("each other grant made in this stack has its resource: the state, the accounts acted as, other projects, buckets", () => {
    const on = Object.values(stack.identities).flatMap((identity) =>
      identity!.otherGrants.filter((g) => !ELSEWHERE.test(g.on)).map((g) => g.on),
    );
    // The state, which plan reads and deploy writes, and every runtime account, which deploy acts as.
    expect(on.filter((o) => o === `gs://${config.stateBucket}/${config.app}/${config.name}/`)).toHaveLength(2);
    for (const key of Object.keys(config.services)) expect(on).toContain(`account ${runtimeAccountEmail(config, key)}`);
    const reported = reportedGrants(stack);
    for (const grant of reported) expect(synthesized).toContain(grant);
    // What this test does not understand is no grant it checked.
    expect(reported.filter((g) => g.includes("not understood"))).toEqual([]);
  });

  test("each IAM member resource naming a pipeline identity is in the report, once", () => {
    expect(synthesized.length).toBeGreaterThan(0);
    expect(sorted(synthesized)).toEqual(sorted(reportedGrants(stack)));
  });

  test("the grants left to the environment's stack, the runner's on each job, the canary guard's on each analyzed service and the deploy identity's on the repository, are made there", () => {
    const elsewhere = Object.entries(stack.identities).flatMap(([kind, identity]) =>
      identity!.otherGrants.filter((g) => ELSEWHERE.test(g.on)).map((g) => [kind, g] as const),
    );
    const jobs = Object.keys(config.jobs ?? {});
    const guarded = canaryGuarded(config);
    expect(elsewhere.length).toBe(jobs.length * 2 + guarded.length + 1);
    expect(elsewhere.filter(([kind]) => kind === "runner")).toHaveLength(jobs.length * 2);
    expect(elsewhere.filter(([kind]) => kind === "canary").map(([, g]) => g.role)).toEqual(
      guarded.map(() => "roles/run.developer"),
    );
    expect(elsewhere.filter(([kind]) => kind === "deploy").map(([, g]) => g.role)).toEqual([
      "roles/artifactregistry.admin",
    ]);
    const env: Json = JSON.parse(
      Testing.synth(new EnvironmentStack(Testing.app(), config.name, config, { release: fixtureRelease(config) })),
    );
    const made = [
      ...Object.values<Json>(env.resource.google_cloud_run_v2_job_iam_member ?? {})
        .filter((r) => r.member === `serviceAccount:${stack.identities.runner?.email}`)
        .map((r) => `runner ${r.role} job ${referenced(env, r.name, "google_cloud_run_v2_job").name}`),
      ...Object.values<Json>(env.resource.google_cloud_run_v2_service_iam_member ?? {})
        .filter((r) => r.member === `serviceAccount:${stack.identities.canary?.email}`)
        .map((r) => `canary ${r.role} service ${referenced(env, r.name, "google_cloud_run_v2_service").name}`),
      ...Object.values<Json>(env.resource.google_artifact_registry_repository_iam_member ?? {})
        .filter((r) => r.member === `serviceAccount:${stack.identities.deploy!.email}`)
        .map(
          (r) =>
            `deploy ${r.role} repository ${referenced(env, r.repository, "google_artifact_registry_repository").repository_id}`,
        ),
    ];
    expect(sorted(made)).toEqual(
      sorted(elsewhere.map(([kind, g]) => `${kind} ${g.role} ${ELSEWHERE.exec(g.on)![1]} ${ELSEWHERE.exec(g.on)![2]}`)),
    );
  });

  test("every role an identity holds on the whole project says why it is not granted on less", () => {
    for (const identity of Object.values(stack.identities)) {
      for (const role of identity!.roles.keys())
        expect({ role, why: PROJECT_ROLE_REASONS[role] }).toEqual({ role, why: expect.any(String) });
    }
  });
});

test("a role on the whole project without a reason is refused, naming the role and where to say why", () => {
  const stack = new TerraformStack(Testing.app(), "scratch");
  const pipeline = new PipelineIdentities(stack, SKIPPING[0]);
  pipeline.account("plan", "Plan", "anyone");
  expect(() => pipeline.grantProjectRoles("plan", new Map([["roles/editor", ["everything"]]]))).toThrow(
    /^pipeline identity plan would hold roles\/editor on project \S+: grant it on less, or say why it cannot be \(PROJECT_ROLE_REASONS in lib\/gcp\/resource-types\.ts\)$/,
  );
  expect(() => pipeline.grantProjectRoles("plan", new Map([["roles/run.viewer", ["reading"]]]))).not.toThrow();
});
