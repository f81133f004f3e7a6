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
  // A job in a GitHub environment carries `environment:NAME` in its subject; its ref says which
  // branch it runs on. Pinning it here does not depend on the environment's branch rules in GitHub.
  return `${repository} && (!assertion.sub.contains(':environment:') || assertion.ref == 'refs/heads/${environmentBranch}')`;
}

/**
 * The attribute mapping of a GitHub provider: the subject (`repo:OWNER/NAME:environment:ENV` for
 * a job in a GitHub environment, `repo:OWNER/NAME:ref:refs/heads/BRANCH` otherwise), and the ids
 * and name of the repository, for audit logs.
 */
export const GITHUB_ATTRIBUTE_MAPPING: Readonly<Record<string, string>> = {
  "google.subject": "assertion.sub",
  "attribute.repository": "assertion.repository",
  "attribute.repository_id": "assertion.repository_id",
  "attribute.repository_owner_id": "assertion.repository_owner_id",
};

/** Every identity a pool admits: `principalSet://iam.googleapis.com/POOL/*`. `pool` is the pool's resource name. */
export function allIdentitiesOf(pool: string): string {
  return `principalSet://iam.googleapis.com/${pool}/*`;
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
