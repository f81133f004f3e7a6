/**
 * What the policy tests build stacks from: hand-written provider resources (or generic ones for
 * types this library does not import, such as jobs and worker pools), each compliant with every rule until a test changes it, and
 * the runner of a rule's compliant and non-compliant cases (rules/cases/).
 */
import { GcsBackend, TerraformResource, TerraformStack, Testing } from "cdktf";
import { Construct } from "constructs";
import { PolicyPack, PolicyRule, RULES, STAGES, Stage } from "../../lib";
import { ArtifactRegistryRepository, CloudRunV2Service, GoogleProvider } from "../../lib/providers";
import { DIGEST, Json } from "../helpers";

export const IMAGE = `europe-west1-docker.pkg.dev/acme-ml-prod/models/predict@${DIGEST}`;
export const SA = "predict-run@acme-ml-prod.iam.gserviceaccount.com";
export const JOB_SA = "train-job@acme-ml-prod.iam.gserviceaccount.com";

/** A stack with a GCS backend and a labelled provider, so only the rule under test can fire. */
export function stackWith(build: (s: Construct) => void): TerraformStack {
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
export function generic(scope: Construct, id: string, type: string, attrs: Record<string, unknown>): TerraformResource {
  const r = new TerraformResource(scope, id, { terraformResourceType: type });
  for (const [k, v] of Object.entries(attrs)) r.addOverride(k, v);
  return r;
}

/** A compliant v2 service; `edit` changes its configuration before it is created. */
export function service(scope: Construct, edit: (c: Json) => void = () => undefined, id = "svc"): CloudRunV2Service {
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
export function repository(scope: Construct, edit: (c: Json) => void = () => undefined): ArtifactRegistryRepository {
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

/** A compliant bucket, as generic attributes; `edit` changes them. */
export function bucketAttrs(edit: (a: Json) => void = () => undefined): Json {
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

/** A compliant Cloud Run job, as generic attributes. */
export function job(scope: Construct, id = "job"): TerraformResource {
  return generic(scope, id, "google_cloud_run_v2_job", {
    name: "train",
    location: "europe-west1",
    deletion_protection: true,
    template: { template: { service_account: JOB_SA, containers: [{ image: IMAGE }] } },
  });
}

export const POOL_SA = "queue-pool@acme-ml-prod.iam.gserviceaccount.com";

/** A compliant Cloud Run worker pool, as generic attributes; `edit` changes them. */
export function workerPool(
  scope: Construct,
  edit: (a: Json) => void = () => undefined,
  id = "pool",
): TerraformResource {
  const a: Json = {
    name: "queue",
    location: "europe-west1",
    deletion_protection: true,
    scaling: { scaling_mode: "MANUAL", manual_instance_count: 2 },
    template: {
      service_account: POOL_SA,
      containers: [
        {
          image: IMAGE,
          env: [{ name: "QUEUE_KEY", value_source: { secret_key_ref: { secret: "queue-key", version: "2" } } }],
        },
      ],
    },
  };
  edit(a);
  return generic(scope, id, "google_cloud_run_v2_worker_pool", a);
}

/** A job's schedule calling it with an OAuth token of `email`. */
export function schedule(scope: Construct, email: string | undefined): TerraformResource {
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

/**
 * The ids of the rules that fire on a stack at a stage. MON-001 (no monitoring) fires on every
 * production service these stacks hold, so it is left out, unless it is `keep`, the rule under
 * test (rules/mon.test.ts).
 */
export function fired(
  stack: TerraformStack,
  stage: Stage = "production",
  keep?: string,
  rules: readonly PolicyRule[] = RULES,
): string[] {
  const report = new PolicyPack({ stage, rules }).evaluate(stack);
  return [...new Set(report.findings.map((f) => f.ruleId))].filter((id) => id !== "MON-001" || id === keep).sort();
}

/**
 * The findings on a stack of hand-written resources, as `severity RULE: message`; MON-001 (no
 * monitoring) fires on each production service and is left out (rules/mon.test.ts tests it).
 */
export function findingsOf(build: (s: Construct) => void, stage: Stage = "production"): string[] {
  return new PolicyPack({ stage })
    .evaluate(stackWith(build))
    .findings.filter((f) => f.ruleId !== "MON-001")
    .map((f) => `${f.severity} ${f.ruleId}: ${f.message}`);
}

/** Every finding on a stack at the development stage, as `RULE: message`. */
export function developmentFindings(build: (s: Construct) => void): string[] {
  return new PolicyPack({ stage: "development" })
    .evaluate(stackWith(build))
    .findings.map((f) => `${f.ruleId}: ${f.message}`);
}

/**
 * One case of a rule, cdk-nag style, built in {@link stackWith}: [rule, stage, compliant stack,
 * non-compliant stack, the pattern of the non-compliant stack's message].
 */
export type Case = [string, Stage, (s: Construct) => void, (s: Construct) => void, RegExp];

/**
 * Runs cases: the compliant stack has no finding at the case's stage; the non-compliant one has
 * exactly one finding, of the rule, with its message and severity, and none at the stages the
 * rule does not cover. `rules` are the pack's (CONTRIBUTING.md's example rule adds its own).
 */
export function runCases(cases: readonly Case[], rules: readonly PolicyRule[] = RULES): void {
  describe.each(cases)("%s (%s)", (id, stage, good, bad, pattern) => {
    const rule = rules.find((r) => r.id === id);

    test("compliant", () => {
      expect(fired(stackWith(good), stage, id, rules)).toEqual([]);
    });

    test("non-compliant", () => {
      const stack = stackWith(bad);
      const report = new PolicyPack({ stage, rules }).evaluate(stack);
      const mine = report.findings.filter((f) => f.ruleId === id);
      expect(mine).toHaveLength(1);
      expect(mine[0].message).toMatch(pattern);
      expect(mine[0].severity).toBe(rule?.severity);
      expect(fired(stack, stage, id, rules)).toEqual([id]);
      // Not at the stages the rule does not cover.
      for (const other of STAGES.filter((s) => !rule!.stages.includes(s))) {
        expect(fired(stack, other, id, rules)).not.toContain(id);
      }
    });
  });
}
