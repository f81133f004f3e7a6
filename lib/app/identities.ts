import {
  eventTriggerServiceAccountId,
  jobServiceAccountId,
  runtimeServiceAccountId,
  schedulerServiceAccountId,
  serviceAccountEmailOf,
  serviceAccountMember,
  workerPoolServiceAccountId,
} from "../gcp/iam";
import type { GitHubWorkflowJobs } from "../gcp/workload-identity";
import type { WorkloadKind } from "../constructs/workload";
import type { EnvironmentConfig } from "./config";
import { rolloutOf } from "./config/rollout";

/**
 * The service accounts each environment's bootstrap stack creates for its pipelines, by account
 * id. The workflows derive each email from the environment's project
 * (`terraform-plan@<project>.iam.gserviceaccount.com`); these names are contracts between the
 * bootstrap stack, the environment stack and the workflows.
 */
export const IDENTITIES = {
  /** Reads everything the environment's stack manages, and its state: pull request plans, the deploy's plans, drift checks. */
  plan: "terraform-plan",
  /** Applies the environment's stack: apply.yml, in the GitHub environment of the same name. */
  deploy: "terraform-deploy",
  /** Pushes built images to the first development environment's repository: build.yml on main. */
  builder: "image-builder",
  /** Copies images (and model versions) into a later environment: release.yml on main. */
  promoter: "image-promoter",
  /** Runs the environment's jobs and waits for them: train.yml, in the GitHub environment of its name. */
  runner: "job-runner",
  /**
   * Judges the environment's canaries and rolls a failing one back at once: canary.yml on main
   * reads the canary's and the stable revision's metrics, and on a rollback moves the live
   * service's traffic to the stable revision the release file names, before anyone merges the
   * pull request that records it. Made only where some service's canaries are analyzed
   * (`rolloutOf(config, key).enabled`).
   */
  canary: "canary-guard",
} as const;

export type IdentityKind = keyof typeof IDENTITIES;

/**
 * The workflow jobs that may act as each pipeline identity of environment `environment`, one
 * purpose each: the workflow file that defines them (in .github/workflows/), the branch it is read
 * from (main, unless `branch: false`: any ref) and the GitHub environment they run in (none,
 * unless named). The bootstrap stack grants exactly these (GitHubWorkloadIdentity.grantWorkflow);
 * in each file, only the job that signs in as the identity may mint a token (`id-token: write`),
 * which the workflows test checks, with which job can mint which identity.
 *
 * - plan: the pull request plan (ci.yml, any ref: a pull request's), the deploy's plan and the
 *   drift check (deploy.yml, drift.yml, on main): the same reads, and any branch can already
 *   mint it through ci.yml, so a second account would separate their audit logs only;
 * - deploy: apply.yml (called by deploy.yml), in the GitHub environment of the environment's name;
 * - runner: train.yml, in that GitHub environment too: the workflow file keeps a training run's
 *   token from ever being the deploy identity's, though both wait for the same reviewers;
 * - builder: build.yml; promoter: release.yml; on main, in no GitHub environment;
 * - canary: canary.yml, on main, in no GitHub environment: a scheduled run has no one to wait for
 *   (a rollback that waited for a reviewer would leave the failing canary serving meanwhile), so
 *   the workflow file and the branch are what keep its token from any other code.
 */
export const IDENTITY_JOBS: Readonly<Record<IdentityKind, (environment: string) => readonly GitHubWorkflowJobs[]>> = {
  plan: () => [{ workflow: "ci.yml", branch: false }, { workflow: "deploy.yml" }, { workflow: "drift.yml" }],
  deploy: (environment) => [{ workflow: "apply.yml", environment }],
  runner: (environment) => [{ workflow: "train.yml", environment }],
  builder: () => [{ workflow: "build.yml" }],
  promoter: () => [{ workflow: "release.yml" }],
  canary: () => [{ workflow: "canary.yml" }],
};

/**
 * The services of an environment whose canaries canary.yml judges (`rolloutOf(config, key).enabled`),
 * in key order: the canary identity exists when there is one, and may move the traffic of these
 * and of no other service. The bootstrap stack and the environment's stack both read it, so its
 * grants on the runtime accounts and on the services name the same services.
 */
export function canaryGuarded(config: EnvironmentConfig): string[] {
  return Object.keys(config.services)
    .sort()
    .filter((key) => rolloutOf(config, key).enabled);
}

/** The email of one of an environment's pipeline identities. */
export function identityEmail(config: Pick<EnvironmentConfig, "project">, kind: IdentityKind): string {
  return serviceAccountEmailOf(IDENTITIES[kind], config.project);
}

/** The IAM member of one of an environment's pipeline identities. */
export function identityMember(config: Pick<EnvironmentConfig, "project">, kind: IdentityKind): string {
  return serviceAccountMember(identityEmail(config, kind));
}

/**
 * The GitHub repository variable that holds an environment's workload identity provider (its
 * bootstrap stack's `workload_identity_provider` output): `GCP_WORKLOAD_IDENTITY_PROVIDER_<ENV>`,
 * the name upper-cased with hyphens as underscores. Repository variables, not environment ones,
 * so that pull request plans, which run in no GitHub environment, can read them.
 */
export function identityProviderVariable(environment: string): string {
  return `GCP_WORKLOAD_IDENTITY_PROVIDER_${environment.toUpperCase().replace(/-/g, "_")}`;
}

/**
 * The runtime account of a service, which the environment's bootstrap stack creates:
 * `<service name>-run@<project>` (see `runtimeServiceAccountId`).
 */
export function runtimeAccountEmail(config: Pick<EnvironmentConfig, "project" | "services">, key: string): string {
  const name = config.services[key].name ?? key;
  return serviceAccountEmailOf(runtimeServiceAccountId(name), config.project);
}

/** The runtime account of a job, which the bootstrap stack creates: `<job name>-job@<project>`. */
export function jobAccountEmail(config: Pick<EnvironmentConfig, "project" | "jobs">, key: string): string {
  const name = config.jobs![key].name ?? key;
  return serviceAccountEmailOf(jobServiceAccountId(name), config.project);
}

/**
 * The runtime account of a service, job or worker pool (`kind`), which the bootstrap stack
 * creates: {@link runtimeAccountEmail}, {@link jobAccountEmail}, or `<pool name>-pool@<project>`.
 */
export function workloadAccountEmail(config: EnvironmentConfig, key: string, kind: WorkloadKind): string {
  if (kind === "service") return runtimeAccountEmail(config, key);
  if (kind === "job") return jobAccountEmail(config, key);
  return serviceAccountEmailOf(workerPoolServiceAccountId(config.workerPools![key].name ?? key), config.project);
}

/**
 * The account an event trigger of a service calls it as, which the bootstrap stack creates:
 * `<service name>-<trigger id>-ev@<project>` (see `eventTriggerServiceAccountId`).
 */
export function eventTriggerAccountEmail(
  config: Pick<EnvironmentConfig, "project" | "services">,
  key: string,
  trigger: string,
): string {
  const name = config.services[key].name ?? key;
  return serviceAccountEmailOf(eventTriggerServiceAccountId(name, trigger), config.project);
}

/**
 * The account Cloud Scheduler runs a scheduled job as, which the bootstrap stack creates:
 * `<job name>-sched@<project>`. The environment stack grants it invoker on its job only.
 */
export function schedulerAccountEmail(config: Pick<EnvironmentConfig, "project" | "jobs">, key: string): string {
  const name = config.jobs![key].name ?? key;
  return serviceAccountEmailOf(schedulerServiceAccountId(name), config.project);
}
