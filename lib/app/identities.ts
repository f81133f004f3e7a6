import {
  jobServiceAccountId,
  runtimeServiceAccountId,
  schedulerServiceAccountId,
  serviceAccountEmailOf,
  serviceAccountMember,
} from "../gcp/iam";
import type { EnvironmentConfig } from "./config";

/**
 * The service accounts each environment's bootstrap stack creates for its pipelines, by account
 * id. The workflows derive each email from the environment's project
 * (`terraform-plan@<project>.iam.gserviceaccount.com`); these names are contracts between the
 * bootstrap stack, the environment stack and the workflows.
 */
export const IDENTITIES = {
  /** Reads everything the environment's stack manages, and its state: pull request plans, drift checks. */
  plan: "terraform-plan",
  /** Applies the environment's stack, from the GitHub environment of the same name only. */
  deploy: "terraform-deploy",
  /** Pushes built images to the first development environment's repository, from main only. */
  builder: "image-builder",
  /** Copies images (and model versions) into a later environment, from main only. */
  promoter: "image-promoter",
  /** Runs the environment's jobs and waits for them (the Train workflow), from its GitHub environment only. */
  runner: "job-runner",
} as const;

export type IdentityKind = keyof typeof IDENTITIES;

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
 * The account Cloud Scheduler runs a scheduled job as, which the bootstrap stack creates:
 * `<job name>-sched@<project>`. The environment stack grants it invoker on its job only.
 */
export function schedulerAccountEmail(config: Pick<EnvironmentConfig, "project" | "jobs">, key: string): string {
  const name = config.jobs![key].name ?? key;
  return serviceAccountEmailOf(schedulerServiceAccountId(name), config.project);
}
