/**
 * The policy pack, cdk-nag style: every rule has a compliant and a non-compliant case, built from
 * hand-written provider resources (or generic ones for types this library does not import), and
 * the list of rule ids is pinned.
 */
import {
  App,
  Aspects,
  GcsBackend,
  LocalBackend,
  TerraformDataSource,
  TerraformResource,
  TerraformStack,
  Testing,
} from "cdktf";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Construct } from "constructs";
import {
  CloudRunService,
  GitHubWorkloadIdentity,
  PolicyError,
  PolicyPack,
  RULES,
  STAGES,
  Stage,
  StateBucket,
  acknowledge,
  formatReport,
  hasErrors,
} from "../lib";
import { EnvironmentStack, environmentFiles, parseEnvironmentConfig, synthesize } from "../lib/app";
import { parseRelease, releasedEverywhere } from "../lib/app/release/deployment";
import {
  ArtifactRegistryRepository,
  ArtifactRegistryRepositoryIamMember,
  CloudRunV2Service,
  CloudRunV2ServiceIamMember,
  GoogleProvider,
  ProjectService,
  ServiceAccount,
} from "../lib/providers";
import { fixtureEnvironment, fixtureFile, fixtureRelease, fixtureService } from "./fixtures/environment";
import { DIGEST, Json } from "./helpers";

const IMAGE = `europe-west1-docker.pkg.dev/acme-ml-prod/models/predict@${DIGEST}`;
const SA = "predict-run@acme-ml-prod.iam.gserviceaccount.com";

/** A stack with a GCS backend and a labelled provider, so only the rule under test can fire. */
function stackWith(build: (s: Construct) => void): TerraformStack {
  const stack = new TerraformStack(Testing.app(), "prod");
  new GcsBackend(stack, { bucket: "acme-ml-prod-tfstate", prefix: "predict/prod" });
  new GoogleProvider(stack, "google", { project: "acme-ml-prod", region: "europe-west1" }).addOverride(
    "default_labels",
    { environment: "prod", app: "predict" },
  );
  build(stack);
  return stack;
}

/** A generic resource of any type, for types this library does not import (jobs, bindings, v1). */
function generic(scope: Construct, id: string, type: string, attrs: Record<string, unknown>): TerraformResource {
  const r = new TerraformResource(scope, id, { terraformResourceType: type });
  for (const [k, v] of Object.entries(attrs)) r.addOverride(k, v);
  return r;
}

/** A compliant v2 service; `edit` changes its configuration before it is created. */
function service(scope: Construct, edit: (c: Json) => void = () => undefined, id = "svc"): CloudRunV2Service {
  const config: Json = {
    name: "predict",
    location: "europe-west1",
    ingress: "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER",
    deletionProtection: true,
    template: {
      serviceAccount: SA,
      scaling: { minInstanceCount: 1, maxInstanceCount: 10 },
      containers: [
        {
          image: IMAGE,
          startupProbe: { httpGet: { path: "/healthz" } },
          env: [
            { name: "MODEL", value: "resnet" },
            { name: "API_KEY", valueSource: { secretKeyRef: { secret: "api-key", version: "3" } } },
          ],
        },
      ],
    },
  };
  edit(config);
  return new CloudRunV2Service(scope, id, config);
}

/** A compliant Docker repository; `edit` changes its configuration before it is created. */
function repository(scope: Construct, edit: (c: Json) => void = () => undefined): ArtifactRegistryRepository {
  const config: Json = {
    location: "europe-west1",
    repositoryId: "models",
    format: "DOCKER",
    dockerConfig: { immutableTags: true },
    cleanupPolicies: [{ id: "keep", action: "KEEP", mostRecentVersions: { keepCount: 5 } }],
  };
  edit(config);
  return new ArtifactRegistryRepository(scope, "repo", config);
}

/**
 * The ids of the rules that fire on a stack at a stage. MON-001 (no monitoring) fires on every
 * production service these stacks hold, so it is left out here; monitoring.test.ts tests it.
 */
function fired(stack: TerraformStack, stage: Stage = "production"): string[] {
  const report = new PolicyPack({ stage }).evaluate(stack);
  return [...new Set(report.findings.map((f) => f.ruleId))].filter((id) => id !== "MON-001").sort();
}

describe("the pack", () => {
  test("the rule ids are pinned", () => {
    expect(RULES.map((r) => r.id)).toEqual([
      "API-001",
      "AR-001",
      "AR-002",
      "AR-003",
      "AR-004",
      "GCS-001",
      "GCS-002",
      "GCS-003",
      "IAM-001",
      "IAM-002",
      "IAM-003",
      "IAM-004",
      "IAM-005",
      "JOB-001",
      "LABEL-001",
      "MON-001",
      "MON-002",
      "RUN-001",
      "RUN-002",
      "RUN-003",
      "RUN-004",
      "RUN-005",
      "RUN-006",
      "RUN-007",
      "RUN-008",
      "RUN-009",
      "RUN-010",
      "RUN-011",
      "SCHED-001",
      "STATE-001",
      "STATE-002",
    ]);
  });

  test("every rule has an id, what, why, fix, severity and stages; one file each, in its service's folder", () => {
    const rulesDir = path.join(__dirname, "..", "lib", "policies", "rules");
    for (const r of RULES) {
      expect(r.id).toMatch(/^[A-Z]+-\d{3}$/);
      for (const text of [r.what, r.why, r.fix]) expect(text.length).toBeGreaterThan(20);
      expect(["error", "warning"]).toContain(r.severity);
      expect(r.stages.length).toBeGreaterThan(0);
      for (const stage of r.stages) expect(STAGES).toContain(stage);
      expect(Boolean(r.check) !== Boolean(r.checkStack)).toBe(true);
      // RUN-001 lives in rules/run/run-001-<what>.ts and declares nothing else.
      const folder = path.join(rulesDir, r.id.split("-")[0].toLowerCase());
      const files = fs.readdirSync(folder).filter((f) => f.startsWith(`${r.id.toLowerCase()}-`));
      expect(files).toHaveLength(1);
      const source = fs.readFileSync(path.join(folder, files[0]), "utf8");
      expect([...source.matchAll(/^export const (\w+)/gm)].map((m) => m[1])).toEqual([r.id.replace("-", "_")]);
    }
  });

  test("the README's table lists every rule with its severity and stages", () => {
    const readme = fs.readFileSync(path.join(__dirname, "..", "README.md"), "utf8");
    const rows = new Map(
      readme
        .split("\n")
        .filter((l) => /^\| [A-Z]+-\d{3} /.test(l))
        .map((l) =>
          l
            .split("|")
            .slice(1, -1)
            .map((c) => c.trim()),
        )
        .map((cells) => [cells[0], cells]),
    );
    expect([...rows.keys()].sort()).toEqual(RULES.map((r) => r.id));
    for (const r of RULES) {
      const stages = r.stages.length === STAGES.length ? "all" : r.stages.join(", ");
      expect(rows.get(r.id)).toEqual([r.id, r.what, r.why, r.severity, stages, r.equivalent ?? "none"]);
    }
  });

  test("a compliant stack has no finding at any stage", () => {
    const stack = stackWith((s) => {
      service(s);
      repository(s);
      new ProjectService(s, "api", { service: "run.googleapis.com", disableOnDestroy: false });
      new CloudRunV2ServiceIamMember(s, "invoker", {
        name: "predict",
        location: "europe-west1",
        role: "roles/run.invoker",
        member: `serviceAccount:${SA}`,
      });
    });
    for (const stage of STAGES) expect(fired(stack, stage)).toEqual([]);
  });
});

// [rule, stage, compliant stack, non-compliant stack, message pattern]
type Case = [string, Stage, (s: Construct) => void, (s: Construct) => void, RegExp];
const CASES: Case[] = [
  [
    "API-001",
    "development",
    (s) => new ProjectService(s, "api", { service: "run.googleapis.com", disableOnDestroy: false }),
    (s) => new ProjectService(s, "api", { service: "run.googleapis.com" }),
    /disable_on_destroy is not set \(provider 6.x defaults it to true\) for run.googleapis.com/,
  ],
  [
    "API-001",
    "development",
    (s) =>
      new ProjectService(s, "api", {
        service: "iam.googleapis.com",
        disableOnDestroy: false,
        disableDependentServices: false,
      }),
    (s) =>
      new ProjectService(s, "api", {
        service: "iam.googleapis.com",
        disableOnDestroy: false,
        disableDependentServices: true,
      }),
    /disable_dependent_services is true/,
  ],
  [
    "AR-001",
    "development",
    (s) => repository(s),
    (s) => repository(s, (c) => delete c.cleanupPolicies),
    /no cleanup policies/,
  ],
  [
    "AR-002",
    "development",
    (s) =>
      new ArtifactRegistryRepositoryIamMember(s, "r", {
        repository: "models",
        role: "roles/artifactregistry.reader",
        member: `serviceAccount:${SA}`,
      }),
    (s) =>
      new ArtifactRegistryRepositoryIamMember(s, "r", {
        repository: "models",
        role: "roles/artifactregistry.reader",
        member: "allUsers",
      }),
    /roles\/artifactregistry.reader is granted to allUsers on an Artifact Registry repository/,
  ],
  [
    "AR-002",
    "development",
    (s) =>
      generic(s, "b", "google_artifact_registry_repository_iam_binding", {
        repository: "models",
        role: "roles/artifactregistry.reader",
        members: ["group:ml@acme.example"],
      }),
    (s) =>
      generic(s, "b", "google_artifact_registry_repository_iam_binding", {
        repository: "models",
        role: "roles/artifactregistry.reader",
        members: ["group:ml@acme.example", "allAuthenticatedUsers"],
      }),
    /granted to allAuthenticatedUsers/,
  ],
  [
    "AR-003",
    "production",
    (s) => repository(s),
    (s) => repository(s, (c) => (c.dockerConfig.immutableTags = false)),
    /tags are mutable/,
  ],
  [
    "AR-004",
    "development",
    (s) => repository(s, (c) => (c.vulnerabilityScanningConfig = { enablementConfig: "INHERITED" })),
    (s) => repository(s, (c) => (c.vulnerabilityScanningConfig = { enablementConfig: "DISABLED" })),
    /vulnerability scanning is DISABLED/,
  ],
  [
    "LABEL-001",
    "development",
    (s) => repository(s),
    (s) => repository(s).addOverride("provider", "google.unlabelled"),
    /missing label\(s\) environment, app/,
  ],
  [
    "RUN-001",
    "development",
    (s) =>
      new CloudRunV2ServiceIamMember(s, "i", {
        name: "predict",
        location: "europe-west1",
        role: "roles/run.invoker",
        member: "group:ml@acme.example",
      }),
    (s) =>
      new CloudRunV2ServiceIamMember(s, "i", {
        name: "predict",
        location: "europe-west1",
        role: "roles/run.invoker",
        member: "allUsers",
      }),
    /roles\/run.invoker is granted to allUsers on a Cloud Run workload/,
  ],
  [
    "RUN-001",
    "development",
    (s) =>
      generic(s, "j", "google_cloud_run_v2_job_iam_binding", {
        name: "train",
        role: "roles/run.invoker",
        members: ["serviceAccount:scheduler@acme-ml-prod.iam.gserviceaccount.com"],
      }),
    (s) =>
      generic(s, "j", "google_cloud_run_v2_job_iam_binding", {
        name: "train",
        role: "roles/run.invoker",
        members: ["allAuthenticatedUsers"],
      }),
    /granted to allAuthenticatedUsers/,
  ],
  [
    "RUN-001",
    "development",
    (s) =>
      generic(s, "svc-policy", "google_cloud_run_service_iam_policy", {
        service: "predict",
        policy_data: JSON.stringify({ bindings: [{ role: "roles/run.invoker", members: ["user:ana@acme.example"] }] }),
      }),
    (s) =>
      generic(s, "svc-policy", "google_cloud_run_service_iam_policy", {
        service: "predict",
        policy_data: JSON.stringify({ bindings: [{ role: "roles/run.invoker", members: ["allUsers"] }] }),
      }),
    /granted to allUsers/,
  ],
  [
    "RUN-002",
    "development",
    (s) => service(s),
    (s) => service(s, (c) => (c.invokerIamDisabled = true)),
    /invoker_iam_disabled is true/,
  ],
  [
    "RUN-003",
    "development",
    (s) => service(s),
    (s) => service(s, (c) => (c.template.serviceAccount = "123456789012-compute@developer.gserviceaccount.com")),
    /the service account is 123456789012-compute@developer.gserviceaccount.com, a default account/,
  ],
  [
    "RUN-003",
    "development",
    (s) =>
      generic(s, "job", "google_cloud_run_v2_job", {
        name: "train",
        location: "europe-west1",
        template: { template: { service_account: SA, containers: [{ image: IMAGE }] } },
      }),
    (s) =>
      generic(s, "job", "google_cloud_run_v2_job", {
        name: "train",
        location: "europe-west1",
        template: { template: { containers: [{ image: IMAGE }] } },
      }),
    /no service account is set, so it runs as the default compute service account/,
  ],
  [
    "RUN-004",
    "preproduction",
    (s) => service(s),
    (s) =>
      service(
        s,
        (c) => (c.template.containers[0].image = "europe-west1-docker.pkg.dev/acme-ml-prod/models/predict:1.4.2"),
      ),
    /image "europe-west1-docker.pkg.dev\/acme-ml-prod\/models\/predict:1.4.2" is not pinned by digest/,
  ],
  [
    "RUN-005",
    "preproduction",
    (s) => service(s),
    (s) => service(s, (c) => (c.deletionProtection = false)),
    /deletion_protection is false/,
  ],
  [
    "RUN-006",
    "preproduction",
    (s) => service(s),
    (s) => service(s, (c) => delete c.template.scaling.maxInstanceCount),
    /no maximum instance count/,
  ],
  [
    "RUN-007",
    "production",
    (s) => service(s),
    (s) => service(s, (c) => (c.template.scaling.minInstanceCount = 0)),
    /min_instance_count is 0/,
  ],
  [
    "RUN-008",
    "production",
    (s) => service(s),
    (s) => service(s, (c) => delete c.template.containers[0].startupProbe),
    /1 container\(s\) have no startup probe/,
  ],
  [
    "RUN-009",
    "production",
    (s) => service(s),
    (s) => service(s, (c) => (c.ingress = "INGRESS_TRAFFIC_ALL")),
    /ingress is INGRESS_TRAFFIC_ALL/,
  ],
  [
    "RUN-010",
    "development",
    (s) => service(s),
    (s) => service(s, (c) => (c.template.containers[0].env[1].valueSource.secretKeyRef.version = "latest")),
    /API_KEY uses version "latest"/,
  ],
  [
    "RUN-011",
    "development",
    (s) => service(s),
    (s) => service(s, (c) => c.template.containers[0].env.push({ name: "DB_PASSWORD", value: "hunter2" })),
    /DB_PASSWORD set as plain text/,
  ],
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
    "STATE-002",
    "development",
    (s) => new StateBucket(s, "state", { name: "acme-ml-prod-tfstate", location: "europe-west1" }),
    (s) => generic(s, "state", "google_storage_bucket", { name: "acme-ml-prod-tfstate", location: "europe-west1" }),
    /versioning is not enabled; public_access_prevention is "inherited", not "enforced"; uniform_bucket_level_access is not true on the state bucket acme-ml-prod-tfstate/,
  ],
];

/** A compliant bucket, as generic attributes; `edit` changes them. */
function bucketAttrs(edit: (a: Json) => void = () => undefined): Json {
  const a: Json = {
    name: "acme-ml-prod-models",
    location: "europe-west1",
    versioning: { enabled: true },
    public_access_prevention: "enforced",
    uniform_bucket_level_access: true,
  };
  edit(a);
  return a;
}

const JOB_SA = "train-job@acme-ml-prod.iam.gserviceaccount.com";

/** A compliant Cloud Run job, as generic attributes. */
function job(scope: Construct, id = "job"): TerraformResource {
  return generic(scope, id, "google_cloud_run_v2_job", {
    name: "train",
    location: "europe-west1",
    deletion_protection: true,
    template: { template: { service_account: JOB_SA, containers: [{ image: IMAGE }] } },
  });
}

/** A job's schedule calling it with an OAuth token of `email`. */
function schedule(scope: Construct, email: string | undefined): TerraformResource {
  return generic(scope, "schedule", "google_cloud_scheduler_job", {
    name: "train-schedule",
    schedule: "0 3 * * 1",
    http_target: {
      http_method: "POST",
      uri: "https://run.googleapis.com/v2/projects/acme-ml-prod/locations/europe-west1/jobs/train:run",
      ...(email === undefined ? {} : { oauth_token: { service_account_email: email } }),
    },
  });
}

CASES.push(
  [
    "GCS-001",
    "development",
    (s) => generic(s, "models", "google_storage_bucket", bucketAttrs()),
    (s) =>
      generic(
        s,
        "models",
        "google_storage_bucket",
        bucketAttrs((a) => delete a.public_access_prevention),
      ),
    /public_access_prevention is "inherited", not "enforced" on bucket acme-ml-prod-models/,
  ],
  [
    "GCS-002",
    "development",
    (s) => generic(s, "models", "google_storage_bucket", bucketAttrs()),
    (s) =>
      generic(
        s,
        "models",
        "google_storage_bucket",
        bucketAttrs((a) => {
          a.versioning = { enabled: false };
          a.force_destroy = true;
        }),
      ),
    /versioning is not enabled; force_destroy is true on bucket acme-ml-prod-models/,
  ],
  [
    "GCS-003",
    "development",
    (s) =>
      generic(s, "read", "google_storage_bucket_iam_member", {
        bucket: "acme-ml-prod-models",
        role: "roles/storage.objectViewer",
        member: `serviceAccount:${SA}`,
      }),
    (s) =>
      generic(s, "read", "google_storage_bucket_iam_member", {
        bucket: "acme-ml-prod-models",
        role: "roles/storage.objectViewer",
        member: "allUsers",
      }),
    /roles\/storage.objectViewer is granted to allUsers on a Cloud Storage bucket/,
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
  [
    "JOB-001",
    "development",
    (s) => {
      job(s);
      generic(s, "runner", "google_cloud_run_v2_job_iam_member", {
        name: "train",
        location: "europe-west1",
        role: "roles/run.invoker",
        member: "serviceAccount:ci@acme-ml-prod.iam.gserviceaccount.com",
      });
    },
    (s) => {
      job(s);
      generic(s, "runner", "google_cloud_run_v2_job_iam_member", {
        name: "train",
        location: "europe-west1",
        role: "roles/run.invoker",
        member: `serviceAccount:${JOB_SA}`,
      });
    },
    /train-job@acme-ml-prod.iam.gserviceaccount.com holds roles\/run.invoker \(google_cloud_run_v2_job_iam_member prod\/runner\)/,
  ],
  [
    "SCHED-001",
    "development",
    (s) => {
      job(s);
      schedule(s, "train-sched@acme-ml-prod.iam.gserviceaccount.com");
    },
    (s) => {
      job(s);
      schedule(s, JOB_SA);
    },
    /it calls the job as train-job@acme-ml-prod.iam.gserviceaccount.com, the job's own runtime account/,
  ],
);

describe("SCHED-001 and JOB-001, other shapes", () => {
  test("a schedule without a token, or as the default compute account, is a finding", () => {
    const none = fired(
      stackWith((s) => schedule(s, undefined)),
      "development",
    );
    expect(none).toEqual(["SCHED-001"]);
    const report = new PolicyPack({ stage: "development" }).evaluate(
      stackWith((s) => schedule(s, "123456789012-compute@developer.gserviceaccount.com")),
    );
    expect(report.findings.map((f) => f.message)).toEqual([
      expect.stringMatching(/as 123456789012-compute@developer.gserviceaccount.com, a default account/),
    ]);
  });

  test("an OAuth token sent to a host that is not a Google API is a finding", () => {
    const leak = stackWith((s) =>
      generic(s, "leak", "google_cloud_scheduler_job", {
        name: "leak",
        http_target: {
          http_method: "POST",
          uri: "https://collector.example.com/in",
          oauth_token: { service_account_email: "train-sched@acme-ml-prod.iam.gserviceaccount.com" },
        },
      }),
    );
    const report = new PolicyPack({ stage: "development" }).evaluate(leak);
    expect(report.findings.map((f) => `${f.ruleId}: ${f.message}`)).toEqual([
      expect.stringMatching(
        /^SCHED-001: .*sends an OAuth token of train-sched@acme-ml-prod.iam.gserviceaccount.com to https:\/\/collector.example.com\/in, which is not a Google API/,
      ),
    ]);
  });

  test("a schedule that calls something else than Cloud Run is not this rule's", () => {
    const other = stackWith((s) =>
      generic(s, "ping", "google_cloud_scheduler_job", {
        name: "ping",
        http_target: { http_method: "GET", uri: "https://example.com/ping" },
      }),
    );
    expect(fired(other, "development")).toEqual([]);
  });

  test("JOB-001 finds a project-wide grant to the job's account too, and follows an account made in the stack", () => {
    const stack = stackWith((s) => {
      const sa = new ServiceAccount(s, "train-sa", { accountId: "train-job" });
      generic(s, "job", "google_cloud_run_v2_job", {
        name: "train",
        location: "europe-west1",
        deletion_protection: true,
        template: { template: { service_account: sa.email, containers: [{ image: IMAGE }] } },
      });
      generic(s, "wide", "google_project_iam_member", {
        project: "acme-ml-prod",
        role: "roles/run.developer",
        member: sa.member,
      });
    });
    const report = new PolicyPack({ stage: "development" }).evaluate(stack);
    expect(report.findings.map((f) => `${f.ruleId}: ${f.message}`)).toEqual([
      expect.stringMatching(
        /^JOB-001: .*its runtime account holds roles\/run.developer \(google_project_iam_member prod\/wide\)/,
      ),
    ]);
  });
});

describe.each(CASES)("%s (%s)", (id, stage, good, bad, pattern) => {
  test("compliant", () => {
    expect(fired(stackWith(good), stage)).toEqual([]);
  });

  test("non-compliant", () => {
    const stack = stackWith(bad);
    const report = new PolicyPack({ stage }).evaluate(stack);
    const mine = report.findings.filter((f) => f.ruleId === id);
    expect(mine).toHaveLength(1);
    expect(mine[0].message).toMatch(pattern);
    expect(mine[0].severity).toBe(RULES.find((r) => r.id === id)?.severity);
    expect(fired(stack, stage)).toEqual([id]);
    // Not at the stages the rule does not cover.
    for (const other of STAGES.filter((s) => !RULES.find((r) => r.id === id)!.stages.includes(s))) {
      expect(fired(stack, other)).not.toContain(id);
    }
  });
});

describe("STATE-001", () => {
  test("compliant: a GCS backend", () => {
    expect(
      fired(
        stackWith(() => undefined),
        "development",
      ),
    ).toEqual([]);
  });

  test("non-compliant: no backend, or a local one", () => {
    const none = new TerraformStack(Testing.app(), "none");
    const report = new PolicyPack({ stage: "development" }).evaluate(none);
    expect(report.findings.map((f) => [f.ruleId, f.path, f.message])).toEqual([
      ["STATE-001", "none", expect.stringMatching(/the stack has no backend \(cdktf would fall back to local state\)/)],
    ]);
    const local = new TerraformStack(Testing.app(), "local");
    new LocalBackend(local, { path: "terraform.tfstate" });
    expect(new PolicyPack({ stage: "development" }).evaluate(local).findings[0].message).toMatch(
      /the backend is LocalBackend, not GCS/,
    );
  });
});

describe("rules that cannot resolve a value report it instead of passing", () => {
  test("an IAM policy whose data is known only at apply", () => {
    const stack = stackWith((s) =>
      generic(s, "p", "google_cloud_run_v2_service_iam_policy", { name: "predict", policy_data: "${var.policy}" }),
    );
    // Both the public-invoker rule and the basic-role rule say they could not check it.
    const findings = new PolicyPack({ stage: "development" }).evaluate(stack).findings;
    expect(findings.map((f) => f.ruleId).sort()).toEqual(["IAM-001", "RUN-001"]);
    for (const f of findings) {
      expect(f).toMatchObject({
        severity: "warning",
        message: expect.stringMatching(/could not be checked: policy_data is \$\{var.policy\}/),
      });
    }
  });

  test("a policy from a google_iam_policy data source is read through", () => {
    const stack = stackWith(() => undefined);
    // The pack follows ${data.google_iam_policy.x.policy_data} to the data source's bindings.
    const ds = new TerraformDataSource(stack, "public", { terraformResourceType: "google_iam_policy" });
    ds.addOverride("binding", [{ role: "roles/run.invoker", members: ["allUsers"] }]);
    generic(stack, "p", "google_cloud_run_v2_service_iam_policy", {
      name: "predict",
      policy_data: `\${${ds.fqn}.policy_data}`,
    });
    const findings = new PolicyPack({ stage: "development" }).evaluate(stack).findings;
    expect(findings.map((f) => [f.ruleId, f.severity])).toEqual([["RUN-001", "error"]]);
  });
});

describe("acknowledgements", () => {
  const publicService = (s: Construct) => {
    service(s);
    new CloudRunV2ServiceIamMember(s, "public", {
      name: "predict",
      location: "europe-west1",
      role: "roles/run.invoker",
      member: "allUsers",
    });
  };

  test("accept a finding on the construct and everything under it, with the reason recorded in the stack metadata", () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, "prod");
    new GcsBackend(stack, { bucket: "b-tfstate", prefix: "p" });
    const site = new Construct(stack, "site");
    publicService(site);
    acknowledge(site, "RUN-001", "the public status page; it serves nothing else");
    const report = new PolicyPack({ stage: "development" }).evaluate(stack);
    expect(report.findings.filter((f) => f.ruleId === "RUN-001")).toEqual([]);
    expect(report.acknowledged.map((f) => [f.ruleId, f.path, f.acknowledged])).toEqual([
      ["RUN-001", "prod/site/public", "the public status page; it serves nothing else"],
    ]);
    expect(stack.toTerraform()["//"].metadata["cdktf-cloud-run-policy"]).toEqual({
      acknowledgements: [
        { path: "prod/site", rule: "RUN-001", reason: "the public status page; it serves nothing else" },
      ],
    });
  });

  test("an acknowledgement on a sibling does not apply", () => {
    const stack = stackWith((s) => {
      publicService(new Construct(s, "a"));
      acknowledge(new Construct(s, "b"), "RUN-001", "a reason of some length");
    });
    const report = new PolicyPack({ stage: "development" }).evaluate(stack);
    expect(report.findings.map((f) => f.ruleId)).toEqual(["RUN-001"]);
    expect(report.unusedAcknowledgements).toEqual([
      { path: "prod/b", ruleId: "RUN-001", reason: "a reason of some length" },
    ]);
    expect(hasErrors(report)).toBe(true);
    expect(formatReport(report)).toMatch(
      /acknowledgement of RUN-001 on prod\/b \("a reason of some length"\) accepts no finding; remove it/,
    );
  });

  test("a short reason, an unknown rule or a scope outside a stack is refused", () => {
    const stack = stackWith(() => undefined);
    expect(() => acknowledge(stack, "RUN-001", "because")).toThrow(
      /reason: got "because"; the reason must say why, in at least 10 characters/,
    );
    expect(() => acknowledge(stack, "RUN-999", "a long enough reason")).toThrow(
      /ruleId: got "RUN-999"; must be a rule of the policy pack: API-001, /,
    );
    expect(() => acknowledge(new App(), "RUN-001", "a long enough reason")).toThrow(
      /must be a stack or a construct inside one/,
    );
  });
});

describe("as an Aspect", () => {
  /** The done-when stack: hand-written resources with four findings. */
  function handWritten(stack: TerraformStack): void {
    new GcsBackend(stack, { bucket: "acme-ml-prod-tfstate", prefix: "predict/prod" });
    new GoogleProvider(stack, "google", { project: "acme-ml-prod", region: "europe-west1" }).addOverride(
      "default_labels",
      {
        environment: "prod",
        app: "predict",
      },
    );
    new CloudRunV2Service(stack, "api", {
      name: "predict",
      location: "europe-west1",
      ingress: "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER",
      template: {
        serviceAccount: "123456789012-compute@developer.gserviceaccount.com",
        scaling: { minInstanceCount: 1, maxInstanceCount: 5 },
        containers: [
          {
            image: "europe-west1-docker.pkg.dev/acme-ml-prod/models/predict:1.4.2",
            startupProbe: { httpGet: { path: "/healthz" } },
            env: [{ name: "DB_PASSWORD", value: "hunter2" }],
          },
        ],
      },
    });
    new CloudRunV2ServiceIamMember(stack, "public", {
      name: "predict",
      location: "europe-west1",
      role: "roles/run.invoker",
      member: "allUsers",
    });
  }

  /** Synthesizes the hand-written stack; returns the error thrown, if any, and whether it was written. */
  function synthHandWritten(env: Record<string, string> = {}): { error?: Error; written: boolean } {
    const saved = { ...process.env };
    Object.assign(process.env, env); // read by cdktf when a stack is constructed
    try {
      const app = Testing.app();
      const stack = new TerraformStack(app, "prod");
      handWritten(stack);
      Aspects.of(stack).add(new PolicyPack({ stage: "production" }));
      let error: Error | undefined;
      try {
        app.synth();
      } catch (e) {
        error = e as Error;
      }
      return { error, written: fs.existsSync(path.join(app.outdir, "stacks", "prod", "cdk.tf.json")) };
    } finally {
      process.env = saved;
    }
  }

  test.each([
    ["", {}],
    [" even with CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS set", { CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS: "true" }],
  ])(
    "a prod stack with a public invoker, the default compute account, an image by tag and a plaintext DB_PASSWORD fails synth naming each rule%s",
    (_, env) => {
      const { error, written } = synthHandWritten(env);
      expect(error).toBeInstanceOf(PolicyError);
      expect(error?.message).toMatch(/^stack prod breaks the policy pack; it is not synthesized\./);
      for (const [id, pathPart] of [
        ["MON-001", "prod/api"],
        ["RUN-001", "prod/public"],
        ["RUN-003", "prod/api"],
        ["RUN-004", "prod/api"],
        ["RUN-011", "prod/api"],
      ]) {
        expect(error?.message).toMatch(new RegExp(`ERROR ${id} ${pathPart} \\(google_[a-z0-9_]+\\)\\n.+\\n\\s+Fix: `));
      }
      expect((error as PolicyError).report.findings.filter((f) => f.severity === "error")).toHaveLength(5);
      expect(written).toBe(false);
    },
  );

  test("the same stack with each finding acknowledged synthesizes, and the reasons are in its output", () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, "prod");
    handWritten(stack);
    Aspects.of(stack).add(new PolicyPack({ stage: "production" }));
    const reasons: Record<string, string> = {
      "MON-001": "a demo stack nobody is paged for; monitored by the vendor",
      "RUN-001": "the public demo endpoint; rate-limited upstream",
      "RUN-003": "migration in progress, ticket OPS-42",
      "RUN-004": "the vendor publishes tags only; mirrored nightly",
      "RUN-011": "a throwaway demo database with no data",
    };
    for (const [id, reason] of Object.entries(reasons)) acknowledge(stack, id, reason);
    expect(() => app.synth()).not.toThrow();
    const tf = JSON.parse(fs.readFileSync(path.join(app.outdir, "stacks", "prod", "cdk.tf.json"), "utf8"));
    expect(tf["//"].metadata["cdktf-cloud-run-policy"].acknowledgements).toEqual(
      Object.entries(reasons).map(([rule, reason]) => ({ path: "prod", rule, reason })),
    );
  });

  test("warnings are reported and synthesis goes on", () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, "dev");
    new GcsBackend(stack, { bucket: "acme-ml-dev-tfstate", prefix: "predict/dev" });
    new GoogleProvider(stack, "google", { project: "acme-ml-dev" }).addOverride("default_labels", {
      environment: "dev",
      app: "predict",
    });
    repository(stack, (c) => delete c.cleanupPolicies);
    Aspects.of(stack).add(new PolicyPack({ stage: "development" }));
    expect(() => app.synth()).not.toThrow();
    const manifest = JSON.parse(fs.readFileSync(path.join(app.outdir, "manifest.json"), "utf8"));
    const messages = manifest.stacks.dev.annotations.map(
      (a: { level: string; message: string }) => `${a.level} ${a.message}`,
    );
    expect(messages.join("\n")).toMatch(/@cdktf\/warn AR-001 .*no cleanup policies/);
  });
});

describe("check: a stack evaluated once, before synthesis", () => {
  test("synthesis reuses the report of check() and still fails on its errors", () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, "prod");
    const pack = new PolicyPack({ stage: "production" });
    Aspects.of(stack).add(pack);
    new GcsBackend(stack, { bucket: "acme-ml-prod-tfstate", prefix: "predict/prod" });
    new GoogleProvider(stack, "google", { project: "acme-ml-prod" });
    repository(stack, (c) => delete c.dockerConfig);
    const evaluate = jest.spyOn(pack, "evaluate");
    const report = pack.check(stack);
    expect(report.findings.map((f) => f.ruleId)).toContain("AR-003");
    expect(pack.check(stack)).toBe(report);
    expect(() => app.synth()).toThrow(PolicyError);
    expect(evaluate).toHaveBeenCalledTimes(1);
  });

  test("a clean stack checked first synthesizes, its warnings annotated once", () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, "dev");
    const pack = new PolicyPack({ stage: "development" });
    Aspects.of(stack).add(pack);
    new GcsBackend(stack, { bucket: "acme-ml-dev-tfstate", prefix: "predict/dev" });
    new GoogleProvider(stack, "google", { project: "acme-ml-dev" }).addOverride("default_labels", {
      environment: "dev",
      app: "predict",
    });
    repository(stack, (c) => delete c.cleanupPolicies);
    expect(pack.check(stack).findings.map((f) => `${f.severity} ${f.ruleId}`)).toEqual(["warning AR-001"]);
    expect(() => app.synth()).not.toThrow();
    const manifest = JSON.parse(fs.readFileSync(path.join(app.outdir, "manifest.json"), "utf8"));
    const warnings = manifest.stacks.dev.annotations.filter((a: { message: string }) => /AR-001/.test(a.message));
    expect(warnings).toHaveLength(1);
  });
});

describe("EnvironmentStack applies the pack", () => {
  test.each(environmentFiles().map((f) => [f.name, f] as const))(
    "%s (environments/) has no finding but those it acknowledges, each used",
    (name, file) => {
      const config = parseEnvironmentConfig(file.config);
      // As synthesis checks it: with every service deployed, those without a release yet too.
      const release = releasedEverywhere(config, parseRelease(config, file.release));
      const stack = new EnvironmentStack(Testing.app(), name, config, { release });
      const report = stack.policyPack.evaluate(stack);
      expect(stack.policyPack.stage).toBe(config.stage);
      expect(report.findings.filter((f) => f.severity === "error")).toEqual([]);
      expect(report.unusedAcknowledgements).toEqual([]);
      const acknowledged = new Set(report.acknowledged.map((f) => f.ruleId));
      expect([...acknowledged].sort()).toEqual([...new Set((config.acknowledgements ?? []).map((a) => a.rule))].sort());
    },
  );

  test("a service not deployed yet is checked as it will be: its policy error stops synthesis now", () => {
    const live = fixtureEnvironment({
      name: "live",
      stage: "production",
      services: { predict: fixtureService(), explain: fixtureService({ ingress: "all" }) },
    });
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "cdktf-cloud-run-pending-"));
    const onlyPredict = { services: { predict: fixtureRelease(live).services.predict } };
    const result = synthesize({ files: [fixtureFile(live, onlyPredict)], outdir });
    fs.rmSync(outdir, { recursive: true, force: true });
    expect(result.failure).toBe("policy");
    expect(result.errors[0]).toContain("ERROR RUN-009 live/explain/service (google_cloud_run_v2_service)");
    expect(result.errors[0]).toContain("in live.ts services.explain.ingress");
    // Accepted with a reason, it synthesizes, with explain not deployed until it is released.
    const acknowledged = {
      ...live,
      acknowledgements: [{ rule: "RUN-009", service: "explain", reason: "called by the partner gateway" }],
    };
    const out2 = fs.mkdtempSync(path.join(os.tmpdir(), "cdktf-cloud-run-pending-"));
    const ok = synthesize({ files: [fixtureFile(acknowledged, onlyPredict)], outdir: out2 });
    fs.rmSync(out2, { recursive: true, force: true });
    expect(ok.errors).toEqual([]);
    expect(ok.notices).toEqual([expect.stringMatching(/^live: explain is not deployed/)]);
  });

  test("the stage picks the rules, never the name: a preproduction environment named qa gets production's guardrails", () => {
    const qa = fixtureEnvironment({ name: "qa", stage: "preproduction" });
    const stack = new EnvironmentStack(Testing.app(), "qa", qa, { release: fixtureRelease(qa) });
    new CloudRunService(stack, "extra", {
      location: "europe-west1",
      name: "extra",
      image: "europe-west1-docker.pkg.dev/acme-ml-qa/models/extra:1.0",
      deletionProtection: false,
    });
    expect(stack.policyPack.stage).toBe("preproduction");
    const ids = stack.policyPack.evaluate(stack).findings.map((f) => `${f.ruleId} ${f.path}`);
    // Production adds RUN-007 (a warm instance costs money); development none of these.
    expect(ids.sort()).toEqual([
      "RUN-004 qa/extra/service",
      "RUN-005 qa/extra/service",
      "RUN-008 qa/extra/service",
      "RUN-009 qa/extra/service",
    ]);
  });

  test("a production environment is held to every rule, and a CloudRunService made by hand is checked too", () => {
    const live = fixtureEnvironment({ name: "live", stage: "production" });
    const stack = new EnvironmentStack(Testing.app(), "live", live, { release: fixtureRelease(live) });
    new CloudRunService(stack, "extra", {
      location: "europe-west1",
      name: "extra",
      image: "europe-west1-docker.pkg.dev/acme-ml-live/models/extra:1.0",
    });
    const ids = stack.policyPack.evaluate(stack).findings.map((f) => `${f.ruleId} ${f.path}`);
    expect(ids.sort()).toEqual([
      "MON-001 live/extra/service",
      "RUN-004 live/extra/service",
      "RUN-007 live/extra/service",
      "RUN-008 live/extra/service",
      "RUN-009 live/extra/service",
    ]);
  });

  test("an unknown stage is refused by the pack", () => {
    expect(() => new PolicyPack({ stage: "prod" as Stage })).toThrow(
      /PolicyPack has 1 invalid prop:\n {2}- stage: got "prod"; must be one of "development", "preproduction", "production"/,
    );
    expect(() => new PolicyPack({} as { stage: Stage })).toThrow(/stage: got undefined/);
  });
});

describe("hand-written resources, read as Terraform reads them", () => {
  // MON-001 (no monitoring) fires on each of these production services; monitoring.test.ts tests it.
  const findings = (build: (s: Construct) => void, stage: Stage = "production") =>
    new PolicyPack({ stage })
      .evaluate(stackWith(build))
      .findings.filter((f) => f.ruleId !== "MON-001")
      .map((f) => `${f.severity} ${f.ruleId}: ${f.message}`);

  test("AR-001 and AR-003 read the format in any case; package repositories are not theirs", () => {
    const lower = (s: Construct) =>
      repository(s, (c) => {
        c.format = "docker";
        c.dockerConfig.immutableTags = false;
        delete c.cleanupPolicies;
      });
    expect(findings(lower)).toEqual([
      expect.stringMatching(/^warning AR-001: .*no cleanup policies/),
      expect.stringMatching(/^error AR-003: .*tags are mutable/),
    ]);
    const python = (s: Construct) =>
      repository(s, (c) => {
        c.format = "PYTHON";
        delete c.dockerConfig;
        delete c.cleanupPolicies;
      });
    expect(findings(python)).toEqual([]);
  });

  test("RUN-011 matches whole words: model-server settings are not secrets, HF_TOKEN is", () => {
    const env = (names: string[]) => (s: Construct) =>
      service(s, (c) => names.forEach((name) => c.template.containers[0].env.push({ name, value: "x" })));
    expect(findings(env(["TOKENIZERS_PARALLELISM", "MAX_NEW_TOKENS", "GOOGLE_APPLICATION_CREDENTIALS"]))).toEqual([]);
    expect(findings(env(["HF_TOKEN", "AWS_ACCESS_KEY_ID"]))).toEqual([
      expect.stringMatching(/RUN-011: .*HF_TOKEN, AWS_ACCESS_KEY_ID set as plain text/),
    ]);
  });

  test("RUN-003 sees the default compute account written as an expression, and reports an unknown account", () => {
    const account = (sa: string) => (s: Construct) => service(s, (c) => (c.template.serviceAccount = sa));
    expect(findings(account("${data.google_project.p.number}-compute@developer.gserviceaccount.com"))).toEqual([
      expect.stringMatching(/^error RUN-003: .*is a default account/),
    ]);
    expect(findings(account("${var.runtime_account}"))).toEqual([
      expect.stringMatching(/^warning RUN-003: could not be checked/),
    ]);
    expect(findings(account("${google_service_account.runtime.email}"))).toEqual([]);
  });

  test("RUN-006 and RUN-007: manual scaling, a service-level minimum, and a maximum of 0", () => {
    expect(findings((s) => service(s, (c) => (c.scaling = { scalingMode: "MANUAL", manualInstanceCount: 2 })))).toEqual(
      [],
    );
    expect(
      findings((s) =>
        service(s, (c) => {
          c.template.scaling.minInstanceCount = 0;
          c.scaling = { minInstanceCount: 2 };
        }),
      ),
    ).toEqual([]);
    expect(findings((s) => service(s, (c) => (c.template.scaling.maxInstanceCount = 0)), "preproduction")).toEqual([
      expect.stringMatching(/^error RUN-006: .*the maximum instance count is 0, which means unset/),
    ]);
  });

  test("RUN-004 reads the tag or digest, whatever builds the registry path; only an unknown tag is unknown", () => {
    const image = (ref: string) => (s: Construct) => service(s, (c) => (c.template.containers[0].image = ref));
    const registry = "europe-west1-docker.pkg.dev/${google_artifact_registry_repository.r.project}/models";
    expect(findings(image(`${registry}/predict:1.4.2`))).toEqual([
      expect.stringMatching(/^error RUN-004: .*predict:1\.4\.2" is not pinned by digest/),
    ]);
    expect(findings(image(`${registry}/predict@${DIGEST}`))).toEqual([]);
    expect(findings(image(`${registry}/predict:\${var.tag}`))).toEqual([
      expect.stringMatching(/^warning RUN-004: could not be checked/),
    ]);
  });

  test("RUN-010 reports a secret version known only at apply instead of passing it", () => {
    expect(
      findings((s) =>
        service(s, (c) => (c.template.containers[0].env[1].valueSource.secretKeyRef.version = "${var.v}")),
      ),
    ).toEqual([expect.stringMatching(/^warning RUN-010: could not be checked: API_KEY uses version \$\{var.v\}/)]);
  });

  test("IAM: a service account's member attribute is never public; data-source members known at apply are unknown", () => {
    expect(
      findings(
        (s) =>
          new CloudRunV2ServiceIamMember(s, "i", {
            name: "predict",
            location: "europe-west1",
            role: "roles/run.invoker",
            member: "${google_service_account.gateway.member}",
          }),
      ),
    ).toEqual([]);
    expect(
      findings((s) => {
        const ds = new TerraformDataSource(s, "invokers", { terraformResourceType: "google_iam_policy" });
        ds.addOverride("binding", [{ role: "roles/run.invoker", members: "${var.invokers}" }]);
        generic(s, "p", "google_cloud_run_v2_service_iam_policy", {
          name: "predict",
          policy_data: `\${${ds.fqn}.policy_data}`,
        });
      }),
    ).toEqual([
      expect.stringMatching(/^warning RUN-001: could not be checked: the members of data.google_iam_policy.invokers/),
    ]);
  });

  test("LABEL-001: labels from an expression are unknown; google-beta resources use google-beta's default labels", () => {
    expect(findings((s) => repository(s, (c) => (c.labels = "${var.labels}")))).toEqual([
      expect.stringMatching(/^warning LABEL-001: could not be checked: labels are \$\{var.labels\}/),
    ]);
    expect(findings((s) => repository(s).addOverride("provider", "google-beta"))).toEqual([
      expect.stringMatching(/^warning LABEL-001: .*missing label\(s\) environment, app/),
    ]);
  });
});

describe("IAM and state rules: the gaps a review found", () => {
  const findings = (build: (s: Construct) => void) =>
    new PolicyPack({ stage: "development" })
      .evaluate(stackWith(build))
      .findings.map((f) => `${f.ruleId}: ${f.message}`);

  test("IAM-001 covers the IAM resources of every family, not a list of them", () => {
    for (const type of [
      "google_cloud_run_service_iam_member",
      "google_pubsub_topic_iam_binding",
      "google_billing_account_iam_member",
    ]) {
      expect(
        findings((s) =>
          generic(s, "grant", type, {
            role: "roles/owner",
            member: `serviceAccount:${SA}`,
            members: [`serviceAccount:${SA}`],
          }),
        ),
      ).toEqual([expect.stringMatching(/^IAM-001: .*roles\/owner is granted/)]);
    }
  });

  test("IAM-002 refuses HMAC keys too", () => {
    expect(findings((s) => generic(s, "hmac", "google_storage_hmac_key", { service_account_email: SA }))).toEqual([
      expect.stringMatching(/^IAM-002: .*an HMAC key is made for predict-run@/),
    ]);
  });

  test("IAM-003: an || beside the ids admits anyone; a branch clause joined by && does not", () => {
    const provider = (condition: string) => (s: Construct) =>
      generic(s, "provider", "google_iam_workload_identity_pool_provider", {
        attribute_condition: condition,
        oidc: { issuer_uri: "https://token.actions.githubusercontent.com" },
      });
    expect(findings(provider("assertion.repository_id == '1' || assertion.repository_owner_id == '2'"))).toEqual([
      expect.stringMatching(/^IAM-003: .*does not pin/),
    ]);
    expect(
      findings(provider("(assertion.repository_id == '1' && assertion.repository_owner_id == '2') || true")),
    ).toHaveLength(1);
    expect(
      findings(
        provider(
          "assertion.repository_id == '1' && assertion.repository_owner_id == '2' && (!assertion.sub.contains(':environment:') || assertion.ref == 'refs/heads/main')",
        ),
      ),
    ).toEqual([]);
    expect(findings(provider("${var.condition}"))).toEqual([expect.stringMatching(/^IAM-003: could not be checked/)]);
  });

  test("STATE-002: force_destroy and soft delete turned off are findings on the state bucket", () => {
    expect(
      findings((s) =>
        generic(s, "state", "google_storage_bucket", {
          name: "acme-ml-prod-tfstate",
          location: "europe-west1",
          versioning: { enabled: true },
          public_access_prevention: "enforced",
          uniform_bucket_level_access: true,
          force_destroy: true,
          soft_delete_policy: { retention_duration_seconds: 0 },
        }),
      ),
    ).toEqual([
      expect.stringMatching(/^STATE-002: .*force_destroy is true; soft delete is turned off on the state bucket/),
    ]);
    // Another bucket of the stack is not the state bucket: GCS-001 and GCS-002 hold it to the same
    // privacy and history, and STATE-002 says nothing.
    expect(
      findings((s) => generic(s, "models", "google_storage_bucket", { name: "acme-ml-models", location: "EU" })).map(
        (f) => f.split(":")[0],
      ),
    ).toEqual(["GCS-001", "GCS-002"]);
  });
});
