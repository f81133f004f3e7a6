import { Construct } from "constructs";
import { iamMember } from "../gcp/iam";
import {
  GITHUB_ATTRIBUTE_MAPPING,
  GITHUB_OIDC_ISSUER,
  GitHubRepositoryIds,
  GitHubWorkflowJobs,
  allIdentitiesOf,
  attributeOf,
  githubBranch,
  githubBranchSubjects,
  githubEnvironment,
  githubEnvironmentSubjects,
  githubId,
  githubJobAttribute,
  githubRepository,
  githubRepositoryCondition,
  githubWorkflowFile,
  subjectOf,
  workloadIdentityId,
} from "../gcp/workload-identity";
import { Constraint, Problem, Problems, throwIfInvalid } from "../gcp/validation";
import {
  IamWorkloadIdentityPool,
  IamWorkloadIdentityPoolProvider,
  ServiceAccount,
  ServiceAccountIamMember,
} from "../providers";
import { CommonProps, checkCommonProps, resolveDependencies } from "./common";
import { Grant, grantOf, grantOnce } from "./grants";

export interface GitHubWorkloadIdentityProps extends CommonProps {
  /** The GitHub repository whose Actions may authenticate, `OWNER/NAME`. */
  readonly repository: string;
  /**
   * The repository's numeric id (the token's `repository_id` claim). With the owner's id, it is
   * what the provider admits: ids survive a rename or a transfer, names do not.
   */
  readonly repositoryId: string;
  /** The numeric id of the repository's owner (the token's `repository_owner_id` claim). */
  readonly ownerId: string;
  /**
   * The pool's id. A deleted pool keeps its id for 30 days, so re-creating one under the same id
   * needs an undelete.
   * @default "github"
   */
  readonly poolId?: string;
  /** @default "github" */
  readonly providerId?: string;
  /**
   * The branch that jobs in a GitHub environment must run on: the provider refuses a token whose
   * subject names an environment and whose ref is another branch (a pull request's job that
   * declares `environment: prod` gets nothing), whatever the environment's rules in GitHub say.
   * `false` admits environment jobs on any ref.
   * @default "main"
   */
  readonly environmentBranch?: string | false;
}

/** Checks {@link GitHubWorkloadIdentityProps}; returns every problem, with prop paths. */
export function validateGitHubWorkloadIdentityProps(props: GitHubWorkloadIdentityProps): Problem[] {
  const problems = new Problems();
  checkCommonProps(problems, props);
  problems.check("repository", props.repository, githubRepository);
  problems.check("repositoryId", props.repositoryId, githubId);
  problems.check("ownerId", props.ownerId, githubId);
  problems.check("poolId", props.poolId, workloadIdentityId);
  problems.check("providerId", props.providerId, workloadIdentityId);
  if (typeof props.environmentBranch === "string")
    problems.check("environmentBranch", props.environmentBranch, githubBranch);
  return [...problems.list];
}

/**
 * Workload identity federation for one GitHub repository's Actions: a pool and an OIDC provider
 * for `https://token.actions.githubusercontent.com` whose attribute condition admits only tokens
 * of that repository, by its numeric id and its owner's. No service account key is ever made;
 * a workflow exchanges its OIDC token for a service account's credentials.
 *
 * Use {@link grantWorkflow} to let a service account be used by the jobs of one workflow file
 * only (on one branch, in one GitHub environment or in none): Google checks the file, the ref and
 * the environment, so a job of another workflow, or of the same one in another environment, gets
 * nothing. {@link grantEnvironment} and {@link grantBranch} admit any workflow's jobs of a GitHub
 * environment or a branch, and {@link grantRepository} any job of the repository.
 *
 * Construct ids inside: `pool`, `provider`.
 */
export class GitHubWorkloadIdentity extends Construct {
  readonly pool: IamWorkloadIdentityPool;
  readonly provider: IamWorkloadIdentityPoolProvider;
  /** The provider's full resource name, as `google-github-actions/auth` takes it (known after apply). */
  readonly providerName: string;
  private readonly repo: GitHubRepositoryIds;

  constructor(scope: Construct, id: string, props: GitHubWorkloadIdentityProps) {
    super(scope, id);
    throwIfInvalid(this, "GitHubWorkloadIdentity", validateGitHubWorkloadIdentityProps(props));
    this.repo = { repository: props.repository, repositoryId: props.repositoryId, ownerId: props.ownerId };
    const dependsOn = resolveDependencies(props.dependsOn);
    this.pool = new IamWorkloadIdentityPool(this, "pool", {
      project: props.project,
      workloadIdentityPoolId: props.poolId ?? "github",
      displayName: "GitHub Actions",
      description: `GitHub Actions of ${props.repository} (repository id ${props.repositoryId})`,
      dependsOn: dependsOn.length > 0 ? dependsOn : undefined,
    });
    this.provider = new IamWorkloadIdentityPoolProvider(this, "provider", {
      project: props.project,
      workloadIdentityPoolId: this.pool.workloadIdentityPoolId,
      workloadIdentityPoolProviderId: props.providerId ?? "github",
      displayName: "GitHub Actions OIDC",
      description: `Tokens of ${props.repository} only, by repository and owner id`,
      attributeCondition: githubRepositoryCondition(
        props.repositoryId,
        props.ownerId,
        props.environmentBranch === false ? undefined : (props.environmentBranch ?? "main"),
      ),
      attributeMapping: { ...GITHUB_ATTRIBUTE_MAPPING },
      oidc: { issuerUri: GITHUB_OIDC_ISSUER },
    });
    this.providerName = this.provider.name;
  }

  /** Every identity of the pool: any workflow job of the repository. */
  get repositoryPrincipal(): string {
    return allIdentitiesOf(this.pool.name);
  }

  /** The principals of the jobs that run in the GitHub environment `environment` (both subject forms). */
  environmentPrincipals(environment: string): string[] {
    return githubEnvironmentSubjects(this.repo, environment).map((s) => subjectOf(this.pool.name, s));
  }

  /** The principals of the jobs that run on `branch`, in no GitHub environment (both subject forms). */
  branchPrincipals(branch: string): string[] {
    return githubBranchSubjects(this.repo, branch).map((s) => subjectOf(this.pool.name, s));
  }

  /** The principals of `jobs`: every token whose job attribute names them (see {@link grantWorkflow}). */
  workflowPrincipal(jobs: GitHubWorkflowJobs): string {
    const { attribute, value } = githubJobAttribute(this.repo.repository, jobs);
    return attributeOf(this.pool.name, attribute, value);
  }

  /**
   * Lets only the jobs of one workflow file act as `account`: read from `branch` (by default
   * main; `false`, any ref), and in the GitHub environment `environment` (by default in none). The
   * provider maps the job's `job_workflow_ref` claim, the file and ref that define it (for a
   * reusable workflow, the called file), and its `environment`, into one attribute; the member
   * names the value, so a job of another file, ref or environment is refused. Which job of the
   * file may use it is the file's to say: give `id-token: write` to that job alone.
   *
   * Construct id (under the account): `workload-identity-FILE-BRANCH[-ENVIRONMENT]`, with `any-ref`
   * for `branch: false`, such as `workload-identity-apply-yml-main-prod`.
   */
  grantWorkflow(account: ServiceAccount, jobs: GitHubWorkflowJobs): Grant {
    const method = "grantWorkflow";
    this.checkName("workflow", jobs.workflow, githubWorkflowFile, method);
    if (typeof jobs.branch === "string") this.checkName("branch", jobs.branch, githubBranch, method);
    if (jobs.environment !== undefined) this.checkName("environment", jobs.environment, githubEnvironment, method);
    const id = [
      "workload-identity",
      slug(jobs.workflow),
      jobs.branch === false ? "any-ref" : slug(jobs.branch ?? "main"),
      ...(jobs.environment === undefined ? [] : [slug(jobs.environment)]),
    ].join("-");
    return this.grant(account, [[id, this.workflowPrincipal(jobs)]]);
  }

  /**
   * Lets any job of the repository act as `account` (`roles/iam.workloadIdentityUser` on it): for
   * read-only identities. Construct id (under the account): `workload-identity-repository`.
   */
  grantRepository(account: ServiceAccount): Grant {
    return this.grant(account, [["workload-identity-repository", this.repositoryPrincipal]]);
  }

  /**
   * Lets only the jobs of one GitHub environment act as `account`: one member per subject form.
   * Construct ids: `workload-identity-environment-ENV` and `…-by-id` (the immutable form).
   */
  grantEnvironment(account: ServiceAccount, environment: string): Grant {
    this.checkName("environment", environment, githubEnvironment, "grantEnvironment");
    const [named, byId] = this.environmentPrincipals(environment);
    const id = `workload-identity-environment-${slug(environment)}`;
    return this.grant(account, [
      [id, named],
      [`${id}-by-id`, byId],
    ]);
  }

  /**
   * Lets only the jobs that run on `branch` (in no GitHub environment) act as `account`.
   * Construct ids: `workload-identity-branch-BRANCH` and `…-by-id`.
   */
  grantBranch(account: ServiceAccount, branch: string): Grant {
    this.checkName("branch", branch, githubBranch, "grantBranch");
    const [named, byId] = this.branchPrincipals(branch);
    const id = `workload-identity-branch-${slug(branch)}`;
    return this.grant(account, [
      [id, named],
      [`${id}-by-id`, byId],
    ]);
  }

  /** Refuses a branch or environment name no token carries, naming the method. */
  private checkName(path: string, value: string, constraint: Constraint<string>, method: string): void {
    new Problems().check(path, value, constraint).throwIfAny(`GitHubWorkloadIdentity "${this.node.path}".${method}()`);
  }

  /** One `roles/iam.workloadIdentityUser` member on `account` per (construct id, principal). */
  private grant(account: ServiceAccount, members: readonly (readonly [string, string])[]): Grant {
    const subject = `GitHubWorkloadIdentity "${this.node.path}"`;
    const problems = new Problems();
    for (const [, member] of members) problems.check("member", member, iamMember);
    problems.throwIfAny(subject);
    const resources = members.map(([id, member]) => ({
      role: WORKLOAD_IDENTITY_USER,
      resource: grantOnce(
        account,
        id,
        { role: WORKLOAD_IDENTITY_USER, member },
        () =>
          new ServiceAccountIamMember(account, id, {
            serviceAccountId: account.name,
            role: WORKLOAD_IDENTITY_USER,
            member,
          }),
        { subject, path: "member", value: member },
      ),
    }));
    // The grantee is the repository's jobs, named by one or two principals; the first stands for them.
    return grantOf(members[0][1], resources);
  }
}

/** The role that lets a federated identity act as a service account. Source: IAM "Workload identity federation". */
const WORKLOAD_IDENTITY_USER = "roles/iam.workloadIdentityUser";

/** A branch or environment name as a construct id: letters, digits and hyphens. */
function slug(name: string): string {
  return name.replace(/[^A-Za-z0-9]+/g, "-").replace(/^-+|-+$/g, "");
}
