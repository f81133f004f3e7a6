/**
 * GitHubWorkloadIdentity (lib/constructs/github-workload-identity.ts, with
 * lib/gcp/workload-identity.ts): the pool and the provider as written, the attribute condition,
 * each validation at its boundary (one passing and one failing value, the error naming the path,
 * the value and the rule), and the four grants: their construct ids, members and roles.
 */
import { GitHubWorkloadIdentity, GitHubWorkloadIdentityProps, ProjectServices } from "../../lib";
import { resolveTokens } from "../../lib/gcp/terraform";
import { ServiceAccount, ServiceAccountIamMember } from "../../lib/providers";
import { Json, Synth, newStack, only, resources, synth } from "../helpers";
import { refused } from "./refused";

const base: GitHubWorkloadIdentityProps = {
  project: "acme-ml-prod",
  repository: "acme/ml-platform",
  repositoryId: "123456789",
  ownerId: "987654",
};
const SUBJECT = 'GitHubWorkloadIdentity "test/github"';
const ROLE = "roles/iam.workloadIdentityUser";
/** The pool's resource name, as the synthesized JSON refers to it. */
const POOL = /\$\{google_iam_workload_identity_pool\.github_pool_[0-9A-F]{8}\.name\}/.source;
/** The condition on the repository's and its owner's ids, written whatever the branch. */
const BY_IDS = "assertion.repository_id == '123456789' && assertion.repository_owner_id == '987654'";

const synthIdentity = (props: Partial<GitHubWorkloadIdentityProps> = {}) =>
  synth((s) => new GitHubWorkloadIdentity(s, "github", { ...base, ...props }));
const providerOf = (props: Partial<GitHubWorkloadIdentityProps> = {}) =>
  only(synthIdentity(props), "google_iam_workload_identity_pool_provider");
const build = (props: Partial<GitHubWorkloadIdentityProps>) => () =>
  new GitHubWorkloadIdentity(newStack(), "github", { ...base, ...props });

const passes = (props: Partial<GitHubWorkloadIdentityProps>) => expect(build(props)).not.toThrow();

/** The props are refused at `path` with `value`, and the message names the construct, the path and the value. */
function fails(props: Partial<GitHubWorkloadIdentityProps>, path: string, value: unknown, rule: RegExp): void {
  const error = refused(build(props), path, value, rule);
  expect(error.subject).toBe(SUBJECT);
  expect(error.message).toMatch(/^GitHubWorkloadIdentity "test\/github" has \d+ invalid props?:\n/);
  expect(error.message).toContain(`\n  - ${path}: got ${JSON.stringify(value)}; `);
}

/** A principal of one token subject of the pool. */
const principal = (subject: string) =>
  new RegExp(`^principal://iam\\.googleapis\\.com/${POOL}/subject/${subject.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}$`);

/** Builds the identity and a `deploy` account, lets `grant` make grants, and returns the synthesized JSON. */
function synthGrants(grant: (github: GitHubWorkloadIdentity, account: ServiceAccount) => void): Synth {
  return synth((s) => {
    const github = new GitHubWorkloadIdentity(s, "github", base);
    const account = new ServiceAccount(s, "deploy", { accountId: "deploy", project: "acme-ml-prod" });
    grant(github, account);
  });
}

/** The account's IAM members, by the construct id under the account (the logical id without its `deploy_` and hash). */
function membersById(out: Synth): Record<string, Json> {
  return Object.fromEntries(
    Object.entries(resources(out, "google_service_account_iam_member")).map(([id, m]) => [
      id.replace(/^deploy_/, "").replace(/_[0-9A-F]{8}$/, ""),
      m,
    ]),
  );
}

describe("GitHubWorkloadIdentity: the pool and the provider as written", () => {
  const out = synthIdentity();
  const pool = only(out, "google_iam_workload_identity_pool");
  const provider = only(out, "google_iam_workload_identity_pool_provider");

  test("a pool with id github, named for the repository and its id", () => {
    expect(pool).toEqual({
      project: "acme-ml-prod",
      workload_identity_pool_id: "github",
      display_name: "GitHub Actions",
      description: "GitHub Actions of acme/ml-platform (repository id 123456789)",
    });
  });

  test("an OIDC provider with id github in that pool, for GitHub Actions' issuer", () => {
    expect(provider).toMatchObject({
      project: "acme-ml-prod",
      workload_identity_pool_id: expect.stringMatching(
        /^\$\{google_iam_workload_identity_pool\.github_pool_[0-9A-F]{8}\.workload_identity_pool_id\}$/,
      ),
      workload_identity_pool_provider_id: "github",
      display_name: "GitHub Actions OIDC",
      description: "Tokens of acme/ml-platform only, by repository and owner id",
      oidc: { issuer_uri: "https://token.actions.githubusercontent.com" },
    });
  });

  test("the attribute mapping: the subject, the job by its workflow file, ref and environment, and the repository's name and ids", () => {
    const environment = "(has(assertion.environment) ? ':environment:' + assertion.environment : '')";
    expect(provider.attribute_mapping).toEqual({
      "google.subject": "assertion.sub",
      "attribute.repository": "assertion.repository",
      "attribute.repository_id": "assertion.repository_id",
      "attribute.repository_owner_id": "assertion.repository_owner_id",
      "attribute.job": `assertion.job_workflow_ref + ${environment}`,
      "attribute.job_any_ref": `assertion.job_workflow_ref.split('@')[0] + ${environment}`,
    });
  });

  // The mapping's CEL uses only what reads the same in JavaScript (string literals, +, ?:,
  // split and indexing, has() given as a function): evaluated on tokens as GitHub issues them.
  test("the job attributes of the tokens GitHub issues: a reusable workflow's file, the ref, the environment when there is one", () => {
    const evaluate = (expression: string, assertion: Record<string, string>) =>
      new Function("assertion", "has", `return ${expression};`)(assertion, (v: unknown) => v !== undefined);
    const job = provider.attribute_mapping["attribute.job"];
    const anyRef = provider.attribute_mapping["attribute.job_any_ref"];
    const apply = {
      sub: "repo:acme/ml-platform:environment:prod",
      job_workflow_ref: "acme/ml-platform/.github/workflows/apply.yml@refs/heads/main",
      environment: "prod",
    };
    expect(evaluate(job, apply)).toBe("acme/ml-platform/.github/workflows/apply.yml@refs/heads/main:environment:prod");
    expect(evaluate(anyRef, apply)).toBe("acme/ml-platform/.github/workflows/apply.yml:environment:prod");
    const pullRequest = {
      sub: "repo:acme/ml-platform:pull_request",
      job_workflow_ref: "acme/ml-platform/.github/workflows/ci.yml@refs/pull/42/merge",
    };
    expect(evaluate(job, pullRequest)).toBe("acme/ml-platform/.github/workflows/ci.yml@refs/pull/42/merge");
    expect(evaluate(anyRef, pullRequest)).toBe("acme/ml-platform/.github/workflows/ci.yml");
  });

  test("the attribute condition admits the repository by its ids, and environment jobs on main only", () => {
    expect(provider.attribute_condition).toBe(
      `${BY_IDS} && (!has(assertion.environment) || assertion.ref == 'refs/heads/main')`,
    );
  });

  test("environmentBranch: another branch, or false for environment jobs on any ref", () => {
    expect(providerOf({ environmentBranch: "release/v2" }).attribute_condition).toBe(
      `${BY_IDS} && (!has(assertion.environment) || assertion.ref == 'refs/heads/release/v2')`,
    );
    expect(providerOf({ environmentBranch: false }).attribute_condition).toBe(BY_IDS);
  });

  test("other pool and provider ids; no project when absent", () => {
    const other = synthIdentity({ poolId: "ci-pool", providerId: "actions", project: undefined });
    expect(only(other, "google_iam_workload_identity_pool").workload_identity_pool_id).toBe("ci-pool");
    expect(only(other, "google_iam_workload_identity_pool").project).toBeUndefined();
    expect(only(other, "google_iam_workload_identity_pool_provider").workload_identity_pool_provider_id).toBe(
      "actions",
    );
  });

  test("construct ids pool and provider; dependsOn reaches the pool", () => {
    const stack = newStack();
    const apis = new ProjectServices(stack, "apis", { services: ["iam.googleapis.com"] });
    const github = new GitHubWorkloadIdentity(stack, "github", { ...base, dependsOn: [apis] });
    expect([github.pool.node.id, github.provider.node.id]).toEqual(["pool", "provider"]);
    expect(resolveTokens(stack, github.providerName)).toBe(resolveTokens(stack, github.provider.name));
    const withApis = synth((s) => {
      const a = new ProjectServices(s, "apis", { services: ["iam.googleapis.com"] });
      new GitHubWorkloadIdentity(s, "github", { ...base, dependsOn: [a] });
    });
    expect(only(withApis, "google_iam_workload_identity_pool").depends_on).toEqual([
      expect.stringMatching(/^google_project_service\.apis_iam-googleapis-com_/),
    ]);
    expect(pool).not.toHaveProperty("depends_on");
  });
});

describe("GitHubWorkloadIdentity: validation at the boundaries", () => {
  test("repository: OWNER/NAME", () => {
    passes({ repository: "a/b" });
    passes({ repository: "acme-labs/ml.platform_2" });
    fails({ repository: "acme" }, "repository", "acme", /^must be OWNER\/NAME, such as acme\/ml-platform$/);
    fails({ repository: "acme/" }, "repository", "acme/", /must be OWNER\/NAME/);
    fails({ repository: "acme/ml/platform" }, "repository", "acme/ml/platform", /must be OWNER\/NAME/);
    fails({ repository: "acme/ml platform" }, "repository", "acme/ml platform", /must be OWNER\/NAME/);
  });

  test("repository: an owner of 39 characters passes, 40 fails; hyphens single and inside", () => {
    passes({ repository: `${"o".repeat(39)}/ml` });
    fails({ repository: `${"o".repeat(40)}/ml` }, "repository", `${"o".repeat(40)}/ml`, /must be OWNER\/NAME/);
    passes({ repository: "ac-me/ml" });
    fails({ repository: "-acme/ml" }, "repository", "-acme/ml", /must be OWNER\/NAME/);
    fails({ repository: "acme-/ml" }, "repository", "acme-/ml", /must be OWNER\/NAME/);
    fails({ repository: "ac--me/ml" }, "repository", "ac--me/ml", /must be OWNER\/NAME/);
  });

  test("repository: a name of 100 characters passes, 101 fails", () => {
    passes({ repository: `acme/${"n".repeat(100)}` });
    fails({ repository: `acme/${"n".repeat(101)}` }, "repository", `acme/${"n".repeat(101)}`, /OWNER\/NAME/);
  });

  test.each(["repositoryId", "ownerId"] as const)("%s: GitHub's numeric id, as digits", (prop) => {
    const rule = /^must be GitHub's numeric id as digits, such as "123456789"/;
    passes({ [prop]: "1" });
    passes({ [prop]: "9".repeat(20) });
    fails({ [prop]: "9".repeat(21) }, prop, "9".repeat(21), rule);
    fails({ [prop]: "0" }, prop, "0", rule);
    fails({ [prop]: "0123" }, prop, "0123", rule);
    fails({ [prop]: "12a" }, prop, "12a", rule);
    fails({ [prop]: "" }, prop, "", rule);
  });

  test.each(["poolId", "providerId"] as const)("%s: 4 to 32 lowercase letters, digits and hyphens", (prop) => {
    const rule = /^must be 4-32 lowercase letters, digits and hyphens, not starting with gcp-$/;
    passes({ [prop]: "abcd" });
    fails({ [prop]: "abc" }, prop, "abc", rule);
    passes({ [prop]: "a".repeat(32) });
    fails({ [prop]: "a".repeat(33) }, prop, "a".repeat(33), rule);
    passes({ [prop]: "gcp4-pool" });
    fails({ [prop]: "gcp-pool" }, prop, "gcp-pool", rule);
    fails({ [prop]: "GitHub" }, prop, "GitHub", rule);
    fails({ [prop]: "git_hub" }, prop, "git_hub", rule);
  });

  test("environmentBranch: a branch name, not a ref", () => {
    const rule = /^must be a branch name such as main$/;
    passes({ environmentBranch: "release/v2.1_rc-1" });
    passes({ environmentBranch: false });
    fails({ environmentBranch: "refs/heads/main" }, "environmentBranch", "refs/heads/main", rule);
    fails({ environmentBranch: "release v2" }, "environmentBranch", "release v2", rule);
    fails({ environmentBranch: "main*" }, "environmentBranch", "main*", rule);
    fails({ environmentBranch: "" }, "environmentBranch", "", rule);
  });

  test("project: the common project id rule", () => {
    passes({ project: "acme-ml" });
    fails({ project: "acme" }, "project", "acme", /must be 6-30 characters/);
  });

  test("every problem in one ValidationError, and nothing left in the tree", () => {
    const stack = newStack();
    const error = refused(
      () =>
        new GitHubWorkloadIdentity(stack, "github", {
          repository: "acme",
          repositoryId: "x",
          ownerId: "y",
          poolId: "gcp-x",
          providerId: "p",
          environmentBranch: "refs/heads/main",
        }),
      "repository",
      "acme",
      /OWNER\/NAME/,
    );
    expect(error.problems.map((p) => p.path)).toEqual([
      "repository",
      "repositoryId",
      "ownerId",
      "poolId",
      "providerId",
      "environmentBranch",
    ]);
    expect(error.message).toMatch(/^GitHubWorkloadIdentity "test\/github" has 6 invalid props:/);
    expect(stack.node.tryFindChild("github")).toBeUndefined();
    expect(() => new GitHubWorkloadIdentity(stack, "github", base)).not.toThrow();
  });
});

describe("GitHubWorkloadIdentity grants", () => {
  test("grantRepository: any job of the repository, as the pool's principalSet", () => {
    const members = membersById(synthGrants((github, account) => github.grantRepository(account)));
    expect(Object.keys(members)).toEqual(["workload-identity-repository"]);
    expect(members["workload-identity-repository"]).toEqual({
      service_account_id: "${google_service_account.deploy.name}",
      role: ROLE,
      member: expect.stringMatching(new RegExp(`^principalSet://iam\\.googleapis\\.com/${POOL}/\\*$`)),
    });
  });

  test("grantEnvironment: the environment's jobs, by both subject forms", () => {
    const members = membersById(synthGrants((github, account) => github.grantEnvironment(account, "prod")));
    expect(Object.keys(members).sort()).toEqual([
      "workload-identity-environment-prod",
      "workload-identity-environment-prod-by-id",
    ]);
    expect(members["workload-identity-environment-prod"]).toEqual({
      service_account_id: "${google_service_account.deploy.name}",
      role: ROLE,
      member: expect.stringMatching(principal("repo:acme/ml-platform:environment:prod")),
    });
    expect(members["workload-identity-environment-prod-by-id"]).toEqual({
      service_account_id: "${google_service_account.deploy.name}",
      role: ROLE,
      member: expect.stringMatching(principal("repo:acme@987654/ml-platform@123456789:environment:prod")),
    });
  });

  test("grantWorkflow: one workflow file's jobs, on main by default, in one GitHub environment or in none", () => {
    const members = membersById(
      synthGrants((github, account) => {
        github.grantWorkflow(account, { workflow: "apply.yml", environment: "prod" });
        github.grantWorkflow(account, { workflow: "build.yml" });
        github.grantWorkflow(account, { workflow: "ci.yml", branch: false });
        github.grantWorkflow(account, { workflow: "release.yaml", branch: "release/v2" });
      }),
    );
    const attribute = (name: string, value: string) =>
      new RegExp(
        `^principalSet://iam\\.googleapis\\.com/${POOL}/attribute\\.${name}/${value.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}$`,
      );
    expect(Object.keys(members).sort()).toEqual([
      "workload-identity-apply-yml-main-prod",
      "workload-identity-build-yml-main",
      "workload-identity-ci-yml-any-ref",
      "workload-identity-release-yaml-release-v2",
    ]);
    expect(members["workload-identity-apply-yml-main-prod"]).toEqual({
      service_account_id: "${google_service_account.deploy.name}",
      role: ROLE,
      member: expect.stringMatching(
        attribute("job", "acme/ml-platform/.github/workflows/apply.yml@refs/heads/main:environment:prod"),
      ),
    });
    expect(members["workload-identity-build-yml-main"].member).toMatch(
      attribute("job", "acme/ml-platform/.github/workflows/build.yml@refs/heads/main"),
    );
    expect(members["workload-identity-ci-yml-any-ref"].member).toMatch(
      attribute("job_any_ref", "acme/ml-platform/.github/workflows/ci.yml"),
    );
    expect(members["workload-identity-release-yaml-release-v2"].member).toMatch(
      attribute("job", "acme/ml-platform/.github/workflows/release.yaml@refs/heads/release/v2"),
    );
  });

  test("grantWorkflow refuses a path, a ref or an environment no token carries, naming the method", () => {
    const stack = newStack();
    const github = new GitHubWorkloadIdentity(stack, "github", base);
    const account = new ServiceAccount(stack, "deploy", { accountId: "deploy" });
    for (const workflow of [".github/workflows/apply.yml", "apply", "apply.json", ""]) {
      const error = refused(() => github.grantWorkflow(account, { workflow }), "workflow", workflow, /workflow file/);
      expect(error.subject).toBe('GitHubWorkloadIdentity "test/github".grantWorkflow()');
    }
    refused(
      () => github.grantWorkflow(account, { workflow: "a.yml", branch: "refs/heads/main" }),
      "branch",
      "refs/heads/main",
      /branch name/,
    );
    refused(
      () => github.grantWorkflow(account, { workflow: "a.yml", environment: "prod:eu" }),
      "environment",
      "prod:eu",
      /GitHub environment name/,
    );
    const grant = github.grantWorkflow(account, { workflow: "a.yml" });
    expect(grant.roles).toEqual([ROLE]);
    expect(resolveTokens(stack, grant.member)).toBe(
      resolveTokens(stack, github.workflowPrincipal({ workflow: "a.yml" })),
    );
    expect(github.grantWorkflow(account, { workflow: "a.yml" }).resources).toEqual(grant.resources);
  });

  test("grantBranch: the branch's jobs outside environments, by both subject forms", () => {
    const members = membersById(synthGrants((github, account) => github.grantBranch(account, "main")));
    expect(Object.keys(members).sort()).toEqual([
      "workload-identity-branch-main",
      "workload-identity-branch-main-by-id",
    ]);
    expect(members["workload-identity-branch-main"]).toMatchObject({
      role: ROLE,
      member: expect.stringMatching(principal("repo:acme/ml-platform:ref:refs/heads/main")),
    });
    expect(members["workload-identity-branch-main-by-id"]).toMatchObject({
      role: ROLE,
      member: expect.stringMatching(principal("repo:acme@987654/ml-platform@123456789:ref:refs/heads/main")),
    });
  });

  test("a branch or environment name becomes a construct id of letters, digits and hyphens", () => {
    const members = membersById(
      synthGrants((github, account) => {
        github.grantBranch(account, "release/v2.1");
        github.grantEnvironment(account, "Pre Prod");
      }),
    );
    expect(Object.keys(members).sort()).toEqual([
      "workload-identity-branch-release-v2-1",
      "workload-identity-branch-release-v2-1-by-id",
      "workload-identity-environment-Pre-Prod",
      "workload-identity-environment-Pre-Prod-by-id",
    ]);
    expect(members["workload-identity-branch-release-v2-1"].member).toMatch(
      principal("repo:acme/ml-platform:ref:refs/heads/release/v2.1"),
    );
    expect(members["workload-identity-environment-Pre-Prod-by-id"].member).toMatch(
      principal("repo:acme@987654/ml-platform@123456789:environment:Pre Prod"),
    );
  });

  test("the returned Grant: the first member, the role, the IAM resources under the account", () => {
    const stack = newStack();
    const github = new GitHubWorkloadIdentity(stack, "github", base);
    const account = new ServiceAccount(stack, "deploy", { accountId: "deploy" });
    // The pool's name is a new token at each read: compare what members resolve to.
    const resolved = (v: unknown) => resolveTokens(stack, v);
    const env = github.grantEnvironment(account, "prod");
    expect(env.roles).toEqual([ROLE]);
    expect(env.resources.map((r) => r.node.id)).toEqual([
      "workload-identity-environment-prod",
      "workload-identity-environment-prod-by-id",
    ]);
    for (const r of env.resources) {
      expect(r).toBeInstanceOf(ServiceAccountIamMember);
      expect(r.node.scope).toBe(account);
    }
    expect(resolved(env.member)).toBe(resolved(github.environmentPrincipals("prod")[0]));
    expect(resolved(env.member)).toMatch(principal("repo:acme/ml-platform:environment:prod"));
    expect(resolved(env.resources.map((r) => (r as ServiceAccountIamMember).memberInput))).toEqual(
      resolved(github.environmentPrincipals("prod")),
    );
    const branch = github.grantBranch(account, "main");
    expect(branch.roles).toEqual([ROLE]);
    expect(resolved(branch.member)).toMatch(principal("repo:acme/ml-platform:ref:refs/heads/main"));
    expect(branch.resources.map((r) => r.node.id)).toEqual([
      "workload-identity-branch-main",
      "workload-identity-branch-main-by-id",
    ]);
    const repository = github.grantRepository(account);
    expect(repository.roles).toEqual([ROLE]);
    expect(resolved(repository.member)).toBe(resolved(github.repositoryPrincipal));
    expect(repository.resources).toEqual([account.node.findChild("workload-identity-repository")]);
  });

  test("grants under distinct ids add one resource each", () => {
    const out = synthGrants((github, account) => {
      github.grantRepository(account);
      github.grantEnvironment(account, "prod");
      github.grantEnvironment(account, "staging");
      github.grantBranch(account, "main");
    });
    expect(Object.keys(resources(out, "google_service_account_iam_member"))).toHaveLength(7);
  });

  // Every member here names the pool by `this.pool.name`, a new token at each read: the same grant
  // again is recognised by its members as they resolve (a defect this test found, fixed in grantOnce).
  test.each([
    ["grantRepository", (github: GitHubWorkloadIdentity, account: ServiceAccount) => github.grantRepository(account)],
    [
      "grantEnvironment",
      (github: GitHubWorkloadIdentity, account: ServiceAccount) => github.grantEnvironment(account, "prod"),
    ],
    ["grantBranch", (github: GitHubWorkloadIdentity, account: ServiceAccount) => github.grantBranch(account, "main")],
  ])("%s twice returns the same resources and adds none", (_method, grant) => {
    let first: readonly unknown[] = [];
    let again: readonly unknown[] = [];
    const out = synthGrants((github, account) => {
      first = grant(github, account).resources;
      again = grant(github, account).resources;
    });
    expect(again).toHaveLength(first.length);
    again.forEach((r, i) => expect(r).toBe(first[i]));
    expect(Object.keys(resources(out, "google_service_account_iam_member"))).toHaveLength(first.length);
  });

  test("grants on two accounts are apart: each account holds its own", () => {
    const out = synth((s) => {
      const github = new GitHubWorkloadIdentity(s, "github", base);
      const deploy = new ServiceAccount(s, "deploy", { accountId: "deploy" });
      const read = new ServiceAccount(s, "read", { accountId: "read-only" });
      github.grantEnvironment(deploy, "prod");
      github.grantRepository(read);
    });
    const accounts = Object.values(resources(out, "google_service_account_iam_member")).map(
      (m) => m.service_account_id,
    );
    expect(accounts.sort()).toEqual([
      "${google_service_account.deploy.name}",
      "${google_service_account.deploy.name}",
      "${google_service_account.read.name}",
    ]);
  });

  // A ref in place of a branch name would grant the subject `ref:refs/heads/refs/heads/main`, which no
  // token carries (a defect this test found: grantBranch checked nothing its member check could see).
  test("grantEnvironment refuses a name no token carries: empty, with a colon, or over 255 characters", () => {
    const stack = newStack();
    const github = new GitHubWorkloadIdentity(stack, "github", base);
    const account = new ServiceAccount(stack, "deploy", { accountId: "deploy" });
    for (const name of ["", "prod:eu", "x".repeat(256)]) {
      refused(() => github.grantEnvironment(account, name), "environment", name, /GitHub environment name/);
    }
    expect(() => github.grantEnvironment(account, "x".repeat(255))).not.toThrow();
    expect(() => github.grantEnvironment(account, "Pre Prod")).not.toThrow();
  });

  test("grantBranch refuses a ref in place of a branch name, as environmentBranch does", () => {
    const stack = newStack();
    const github = new GitHubWorkloadIdentity(stack, "github", base);
    const account = new ServiceAccount(stack, "deploy", { accountId: "deploy" });
    refused(() => github.grantBranch(account, "refs/heads/main"), "branch", "refs/heads/main", /branch name/);
  });
});
