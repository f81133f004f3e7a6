import { pattern } from "./validation";

/**
 * Workload identity federation for GitHub Actions: the issuer, the claims we pin, and the IAM
 * principal identifiers that name who may use a service account.
 */

/** GitHub Actions' OIDC issuer. Source: GitHub "About security hardening with OpenID Connect". */
export const GITHUB_OIDC_ISSUER = "https://token.actions.githubusercontent.com";

/**
 * A GitHub repository, `OWNER/NAME`. Source: GitHub's naming rules: an owner is 1-39 letters,
 * digits and single hyphens, not starting or ending with one; a repository name is 1-100 letters,
 * digits, `.`, `-` and `_`.
 */
export const githubRepository = pattern(
  /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}\/[A-Za-z0-9._-]{1,100}$/,
  "must be OWNER/NAME, such as acme/ml-platform",
);

/**
 * A GitHub numeric id (`repository_id`, `repository_owner_id` claims), as the token carries it: a
 * string of digits. `gh api repos/OWNER/NAME --jq '.id, .owner.id'` prints both.
 */
export const githubId = pattern(
  /^[1-9][0-9]{0,19}$/,
  "must be GitHub's numeric id as digits, such as \"123456789\" (gh api repos/OWNER/NAME --jq '.id, .owner.id')",
);

/**
 * A workload identity pool or provider id. Source: IAM API reference: 4-32 lowercase letters,
 * digits and hyphens; the prefix `gcp-` is reserved.
 */
export const workloadIdentityId = pattern(
  /^(?!gcp-)[a-z0-9-]{4,32}$/,
  "must be 4-32 lowercase letters, digits and hyphens, not starting with gcp-",
);

/** A branch name as GitHub's tokens carry it after `refs/heads/`: never the full ref. */
export const githubBranch = pattern(/^(?!refs\/)[A-Za-z0-9._/-]+$/, "must be a branch name such as main");

/**
 * A GitHub environment name, as the token's subject carries it after `environment:`. Source:
 * GitHub "Managing environments for deployment": at most 255 characters; not case sensitive.
 */
export const githubEnvironment = pattern(
  /^[^:\s][^:]{0,254}$/,
  "must be a GitHub environment name: 1-255 characters, no colon",
);

/**
 * The attribute condition that admits only tokens of one repository, by the numeric ids that
 * survive a rename or transfer of the repository. Google requires a condition on providers for
 * GitHub ("must reference one of the provider's claims": "Configure Workload Identity Federation
 * with deployment pipelines").
 */
export function githubRepositoryCondition(repositoryId: string, ownerId: string, environmentBranch?: string): string {
  const repository = `assertion.repository_id == '${repositoryId}' && assertion.repository_owner_id == '${ownerId}'`;
  if (environmentBranch === undefined) return repository;
  // A job in a GitHub environment carries the `environment` claim, whatever subject template the
  // repository uses; its ref is the branch the run is on, even when the job is a reusable
  // workflow called from another branch. Pinning it here does not depend on the environment's
  // branch rules in GitHub.
  return `${repository} && (!has(assertion.environment) || assertion.ref == 'refs/heads/${environmentBranch}')`;
}

/**
 * What a GitHub job's token carries after its GitHub environment, if it runs in one:
 * `:environment:NAME`, or nothing. `environment` is a claim only of a job that names one, and a
 * mapping that reads a claim the token lacks fails the exchange: hence `has()`.
 */
const ENVIRONMENT_SUFFIX = "(has(assertion.environment) ? ':environment:' + assertion.environment : '')";

/**
 * The attribute that names a GitHub job by the workflow file that defines it, the ref that file
 * was read at, and its GitHub environment: `OWNER/REPO/.github/workflows/FILE@REF`, then
 * `:environment:NAME` for a job that runs in one. From the `job_workflow_ref` claim: for a job of
 * a reusable workflow, the called file (`apply.yml`), not its caller. Source: GitHub "OpenID
 * Connect reference" (job_workflow_ref, environment).
 */
export const GITHUB_JOB_ATTRIBUTE = "job";

/** The same without the ref: `OWNER/REPO/.github/workflows/FILE[:environment:NAME]`, for the jobs of any ref (pull requests). */
export const GITHUB_JOB_ANY_REF_ATTRIBUTE = "job_any_ref";

/**
 * The attribute mapping of a GitHub provider: the subject (`repo:OWNER/NAME:environment:ENV` for
 * a job in a GitHub environment, `repo:OWNER/NAME:ref:refs/heads/BRANCH` otherwise); the job, by
 * its workflow file, ref and environment (with the ref and without), which `principalSet://`
 * members name; and the ids and name of the repository, for audit logs. Google's attribute
 * mappings are CEL: concatenation, `?:`, `split` and `has()` (Google "Workload Identity
 * Federation", attribute mappings).
 */
export const GITHUB_ATTRIBUTE_MAPPING: Readonly<Record<string, string>> = {
  "google.subject": "assertion.sub",
  "attribute.repository": "assertion.repository",
  "attribute.repository_id": "assertion.repository_id",
  "attribute.repository_owner_id": "assertion.repository_owner_id",
  [`attribute.${GITHUB_JOB_ATTRIBUTE}`]: `assertion.job_workflow_ref + ${ENVIRONMENT_SUFFIX}`,
  [`attribute.${GITHUB_JOB_ANY_REF_ATTRIBUTE}`]: `assertion.job_workflow_ref.split('@')[0] + ${ENVIRONMENT_SUFFIX}`,
};

/** A workflow file under `.github/workflows/`, by its name: `deploy.yml`. */
export const githubWorkflowFile = pattern(
  /^[A-Za-z0-9_.-]+\.ya?ml$/,
  "must be the name of a workflow file in .github/workflows/, such as deploy.yml",
);

/**
 * The jobs of one workflow file that may use a service account: at one branch or at any ref, in
 * one GitHub environment or in none.
 */
export interface GitHubWorkflowJobs {
  /**
   * The workflow file that defines the jobs, in `.github/workflows/`: `deploy.yml`. For the jobs
   * of a reusable workflow, the called file.
   */
  readonly workflow: string;
  /**
   * The branch the workflow file must be read from; `false` admits any ref (a pull request's, a
   * branch's), for read-only identities.
   * @default "main"
   */
  readonly branch?: string | false;
  /**
   * The GitHub environment the jobs run in. Without one, only jobs that name no environment are
   * admitted.
   * @default - jobs in no GitHub environment
   */
  readonly environment?: string;
}

/**
 * The attribute and value that name `jobs` of `repository` (`OWNER/NAME`), as the provider maps
 * them: `job` = `OWNER/NAME/.github/workflows/FILE@refs/heads/BRANCH[:environment:ENV]`, or
 * `job_any_ref` = `OWNER/NAME/.github/workflows/FILE[:environment:ENV]`.
 */
export function githubJobAttribute(repository: string, jobs: GitHubWorkflowJobs): { attribute: string; value: string } {
  const file = `${repository}/.github/workflows/${jobs.workflow}`;
  const environment = jobs.environment === undefined ? "" : `:environment:${jobs.environment}`;
  const branch = jobs.branch ?? "main";
  return branch === false
    ? { attribute: GITHUB_JOB_ANY_REF_ATTRIBUTE, value: `${file}${environment}` }
    : { attribute: GITHUB_JOB_ATTRIBUTE, value: `${file}@refs/heads/${branch}${environment}` };
}

/** Those jobs in words: `deploy.yml on main`, `apply.yml on main, in the GitHub environment "prod"`, `ci.yml on any ref`. */
export function describeGitHubJobs(jobs: GitHubWorkflowJobs): string {
  const branch = jobs.branch ?? "main";
  const where = branch === false ? "on any ref" : `on ${branch}`;
  return `${jobs.workflow} ${where}${jobs.environment === undefined ? "" : `, in the GitHub environment "${jobs.environment}"`}`;
}

/** Every identity a pool admits: `principalSet://iam.googleapis.com/POOL/*`. `pool` is the pool's resource name. */
export function allIdentitiesOf(pool: string): string {
  return `principalSet://iam.googleapis.com/${pool}/*`;
}

/** Every identity of a pool with one attribute value: `principalSet://iam.googleapis.com/POOL/attribute.NAME/VALUE`. */
export function attributeOf(pool: string, attribute: string, value: string): string {
  return `principalSet://iam.googleapis.com/${pool}/attribute.${attribute}/${value}`;
}

/** One token subject of a pool: `principal://iam.googleapis.com/POOL/subject/SUBJECT`. */
export function subjectOf(pool: string, subject: string): string {
  return `principal://iam.googleapis.com/${pool}/subject/${subject}`;
}

/** A GitHub repository, by name and by the numeric ids of it and its owner. */
export interface GitHubRepositoryIds {
  /** `OWNER/NAME`. */
  readonly repository: string;
  readonly repositoryId: string;
  readonly ownerId: string;
}

/**
 * The token subjects a GitHub job can carry for one context (`environment:prod`,
 * `ref:refs/heads/main`): the classic form, `repo:OWNER/NAME:CONTEXT`, and the immutable form
 * GitHub issues for repositories created, renamed or transferred since 15 July 2026 (or opted in),
 * `repo:OWNER@OWNER_ID/NAME@REPO_ID:CONTEXT`. Source: GitHub "OpenID Connect reference",
 * subject claims. A binding names both, so it holds whichever form the repository gets.
 */
export function githubSubjects(repo: GitHubRepositoryIds, context: string): [string, string] {
  const [owner, name] = repo.repository.split("/");
  return [
    `repo:${repo.repository}:${context}`,
    `repo:${owner}@${repo.ownerId}/${name}@${repo.repositoryId}:${context}`,
  ];
}

/** The subjects of a GitHub job that runs in a GitHub environment. */
export function githubEnvironmentSubjects(repo: GitHubRepositoryIds, environment: string): [string, string] {
  return githubSubjects(repo, `environment:${environment}`);
}

/** The subjects of a GitHub job that runs on a branch, in no GitHub environment. */
export function githubBranchSubjects(repo: GitHubRepositoryIds, branch: string): [string, string] {
  return githubSubjects(repo, `ref:refs/heads/${branch}`);
}
