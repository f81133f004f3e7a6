/**
 * The cases of the IAM rules (IAM-001 to IAM-005), one compliant and one non-compliant stack each
 * (lib/policies/rules/iam/): rules/iam.test.ts runs them, and pack.test.ts checks that every rule
 * of the folder has one.
 */
import { GitHubWorkloadIdentity } from "../../../../lib";
import { ServiceAccount } from "../../../../lib/providers";
import { Case, SA, generic } from "../../builders";

export const CASES: Case[] = [
  [
    "IAM-001",
    "development",
    (s) =>
      generic(s, "grant", "google_project_iam_member", {
        project: "acme-ml-prod",
        role: "roles/run.viewer",
        member: `serviceAccount:${SA}`,
      }),
    (s) =>
      generic(s, "grant", "google_project_iam_member", {
        project: "acme-ml-prod",
        role: "roles/editor",
        member: `serviceAccount:${SA}`,
      }),
    /roles\/editor is granted/,
  ],
  [
    "IAM-002",
    "development",
    (s) => new ServiceAccount(s, "sa", { accountId: "predict-run" }),
    (s) =>
      generic(s, "key", "google_service_account_key", {
        service_account_id: `projects/acme-ml-prod/serviceAccounts/${SA}`,
      }),
    /a key is made for projects\/acme-ml-prod\/serviceAccounts\/predict-run@/,
  ],
  [
    "IAM-003",
    "development",
    (s) => new GitHubWorkloadIdentity(s, "github", { repository: "acme/ml", repositoryId: "1234", ownerId: "5678" }),
    (s) =>
      generic(s, "provider", "google_iam_workload_identity_pool_provider", {
        workload_identity_pool_id: "github",
        workload_identity_pool_provider_id: "github",
        attribute_condition: "assertion.repository_owner == 'acme'",
        oidc: { issuer_uri: "https://token.actions.githubusercontent.com" },
      }),
    /does not pin assertion.repository_id and assertion.repository_owner_id/,
  ],
  [
    "IAM-004",
    "development",
    (s) =>
      generic(s, "grant", "google_project_iam_member", {
        project: "acme-ml-prod",
        role: "roles/logging.logWriter",
        member: `serviceAccount:${SA}`,
      }),
    (s) =>
      generic(s, "grant", "google_project_iam_member", {
        project: "acme-ml-prod",
        role: "roles/run.invoker",
        member: "serviceAccount:train-sched@acme-ml-prod.iam.gserviceaccount.com",
      }),
    /roles\/run.invoker is granted on the whole project acme-ml-prod/,
  ],
  [
    "IAM-005",
    "development",
    (s) =>
      generic(s, "grant", "google_project_iam_member", {
        project: "acme-ml-prod",
        role: "roles/logging.logWriter",
        member: `serviceAccount:${SA}`,
      }),
    (s) =>
      generic(s, "grant", "google_project_iam_binding", {
        project: "acme-ml-prod",
        role: "roles/logging.logWriter",
        members: [`serviceAccount:${SA}`],
      }),
    /roles\/logging.logWriter is bound authoritatively: every other member of it on the project is removed/,
  ],
];
