/**
 * The policy pack's engine (lib/policies/pack.ts), cdk-nag style: the rule list pinned, the shape
 * of every rule, the README's table, every rule's cases and setting, values it cannot resolve,
 * acknowledgements, the pack as an Aspect, and one evaluation per stack. Each rule's own cases are
 * in rules/<service>.test.ts, by the folder of lib/policies/rules/ it lives in.
 */
import { App, Aspects, GcsBackend, TerraformDataSource, TerraformStack, Testing } from "cdktf";
import * as fs from "fs";
import * as path from "path";
import { Construct } from "constructs";
import { z } from "zod";
import {
  CloudRunService,
  PolicyError,
  PolicyPack,
  PolicyRule,
  RULES,
  STAGES,
  Stage,
  acknowledge,
  formatAcknowledged,
  formatReport,
  hasErrors,
} from "../../lib";
import { environmentSchema } from "../../lib/app/config/schema";
import { CloudRunV2Service, CloudRunV2ServiceIamMember, GoogleProvider, ProjectService } from "../../lib/providers";
import { SA, fired, generic, job, repository, service, stackWith, workerPool } from "./builders";
import { CASES_BY_FOLDER } from "./rules/cases";

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
      "RUN-012",
      "RUN-013",
      "SCHED-001",
      "STATE-001",
      "STATE-002",
    ]);
  });

  test("every rule has an id, what, why, fix, severity and stages; one file each, in its service's folder", () => {
    const rulesDir = path.join(__dirname, "..", "..", "lib", "policies", "rules");
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

  test("a compliant stack has no finding at any stage", () => {
    const stack = stackWith((s) => {
      service(s);
      job(s);
      workerPool(s);
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

  test("an unknown stage is refused by the pack", () => {
    expect(() => new PolicyPack({ stage: "prod" as Stage })).toThrow(
      /PolicyPack has 1 invalid prop:\n {2}- stage: got "prod"; must be one of "development", "preproduction", "production"/,
    );
    expect(() => new PolicyPack({} as { stage: Stage })).toThrow(/stage: got undefined/);
  });
});

describe("every rule has its cases, and its field names a setting", () => {
  /** The folder of lib/policies/rules/ a rule lives in: RUN-001 → run. */
  const folderOf = (id: string) => id.split("-")[0].toLowerCase();

  test("each folder of rules has its cases (rules/cases/<folder>.ts) and its test file; each case is a rule of its folder, at a stage of the rule", () => {
    const rulesDir = path.join(__dirname, "..", "..", "lib", "policies", "rules");
    const folders = fs
      .readdirSync(rulesDir, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .sort();
    expect(Object.keys(CASES_BY_FOLDER).sort()).toEqual(folders);
    for (const folder of folders) {
      expect(fs.existsSync(path.join(__dirname, "rules", `${folder}.test.ts`))).toBe(true);
      for (const [id, stage] of CASES_BY_FOLDER[folder]) {
        const rule = RULES.find((r) => r.id === id);
        expect({ id, folder: folderOf(id), known: rule !== undefined }).toEqual({ id, folder, known: true });
        expect({ id, stages: rule?.stages }).toEqual({ id, stages: expect.arrayContaining([stage]) });
      }
    }
  });

  test("every rule of RULES has a compliant and a non-compliant case in the cases of its folder", () => {
    const missing = RULES.filter(
      (r) =>
        !(CASES_BY_FOLDER[folderOf(r.id)] ?? []).some(
          ([id, , compliant, nonCompliant]) =>
            id === r.id && typeof compliant === "function" && typeof nonCompliant === "function",
        ),
    ).map((r) => r.id);
    expect(missing).toEqual([]);
  });

  // The settings a field may name: those of the environment configuration's schema, where a
  // service's, a job's, a worker pool's and the repository's fields are the constructs' props of
  // the same names.
  const SERVICE = environmentSchema.shape.services.valueType;
  const JOB = environmentSchema.shape.jobs.unwrap().valueType;
  const REPOSITORY = environmentSchema.shape.repository;
  /** The schema of one worker pool (`workerPools.<key>`), once the configuration has them. */
  const WORKER_POOL: z.ZodType | undefined = (() => {
    let at: z.ZodType | undefined = (environmentSchema.shape as Record<string, z.ZodType>).workerPools;
    while (at instanceof z.ZodOptional) at = at.unwrap() as z.ZodType;
    return at instanceof z.ZodRecord ? (at.valueType as z.ZodType) : undefined;
  })();

  /** The schema of the setting at `setting` (dots for nesting: `monitoring.emails`), if there is one. */
  function settingOf(schema: z.ZodType, setting: string): z.ZodType | undefined {
    let at: z.ZodType | undefined = schema;
    for (const key of setting.split(".")) {
      while (at instanceof z.ZodOptional) at = at.unwrap() as z.ZodType;
      if (!(at instanceof z.ZodObject)) return undefined;
      at = (at.shape as Record<string, z.ZodType>)[key];
    }
    return at;
  }

  test("each rule's field names a setting of its owner: a service's or a job's, the repository's, or the environment's", () => {
    // The check tells a setting from another name.
    expect(settingOf(environmentSchema, "monitoring.emails")).toBeDefined();
    expect(settingOf(environmentSchema, "monitoring.pager")).toBeUndefined();
    expect(settingOf(environmentSchema, "stateBucket.name")).toBeUndefined();
    const owners: Record<NonNullable<PolicyRule["field"]>["of"], z.ZodType[]> = {
      workload: [SERVICE, JOB, ...(WORKER_POOL === undefined ? [] : [WORKER_POOL])],
      repository: [REPOSITORY],
      environment: [environmentSchema],
    };
    const withField = RULES.filter((r) => r.field !== undefined);
    expect(new Set(withField.map((r) => r.field!.of))).toEqual(new Set(Object.keys(owners)));
    const wrong = withField
      .filter((r) => !owners[r.field!.of].some((schema) => settingOf(schema, r.field!.path) !== undefined))
      .map((r) => `${r.id}: ${r.field!.of} ${r.field!.path}`);
    expect(wrong).toEqual([]);
  });

  // RUN-001 reads the IAM of jobs as well as services: a service's callers are its `invokers`, a
  // job's its `runners` (jobPath). Found by this test: the finding on a job was located at
  // `jobs.train.invokers`, a field the configuration refuses.
  test("a workload rule points at a setting of each kind of workload it reads: a service's, a job's, a worker pool's", () => {
    const reads = (r: PolicyRule, type: string) =>
      r.resourceTypes instanceof RegExp ? r.resourceTypes.test(type) : (r.resourceTypes ?? []).includes(type);
    const kinds = [
      {
        kind: "service",
        schema: SERVICE,
        types: ["google_cloud_run_v2_service", "google_cloud_run_service", "google_cloud_run_v2_service_iam_member"],
      },
      { kind: "job", schema: JOB, types: ["google_cloud_run_v2_job", "google_cloud_run_v2_job_iam_member"] },
      // The configuration's `workerPools`, of the same field names (lib/app/config/schema.ts).
      { kind: "worker pool", schema: WORKER_POOL, types: ["google_cloud_run_v2_worker_pool"] },
    ];
    const wrong: string[] = [];
    for (const r of RULES) {
      if (r.field?.of !== "workload") continue;
      for (const { kind, schema, types } of kinds) {
        const path = kind === "job" ? (r.field.jobPath ?? r.field.path) : r.field.path;
        if (!types.some((t) => reads(r, t))) continue;
        if (schema === undefined)
          wrong.push(`${r.id}: the configuration has no workerPools, so a ${kind} has no ${path}`);
        else if (settingOf(schema, path) === undefined) wrong.push(`${r.id}: a ${kind} has no ${path}`);
      }
    }
    expect(wrong).toEqual([]);
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
      /reason: got "because"; the reason must say why, in at least 10 letters/,
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
    // Each accepted finding is shown at synth: an info annotation (the cdktf CLI prints them),
    // and formatAcknowledged's lines (the app prints them), with the reason.
    const manifest = JSON.parse(fs.readFileSync(path.join(app.outdir, "manifest.json"), "utf8"));
    const infos = manifest.stacks.prod.annotations
      .filter((a: { level: string }) => a.level === "@cdktf/info")
      .map((a: { message: string }) => a.message);
    for (const [id, reason] of Object.entries(reasons)) {
      expect(infos).toContainEqual(expect.stringMatching(new RegExp(`^${id} accepted: .* Reason: ${reason}$`)));
    }
    const report = new PolicyPack({ stage: "production" }).check(stack);
    const lines = formatAcknowledged(report).split("\n");
    expect(lines.filter((l) => l.startsWith("ACK   ")).length).toBe(report.acknowledged.length);
    expect(lines).toContain(`      Accepted: ${JSON.stringify(reasons["RUN-001"])}`);
    expect(lines).toContainEqual(
      expect.stringMatching(/^ACK {3}RUN-001 prod\/\S+ \(google_cloud_run_v2_service_iam_member\)$/),
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

describe("the pack cannot be edited or outrun", () => {
  test("the rules are frozen: no rule can be removed, replaced, narrowed or switched off", () => {
    const run001 = RULES.find((r) => r.id === "RUN-001")!;
    expect(() => (RULES as PolicyRule[]).splice(0, RULES.length)).toThrow(TypeError);
    expect(() => (RULES as PolicyRule[]).push({ ...run001, id: "RUN-999" })).toThrow(TypeError);
    expect(() => Object.assign(run001, { check: () => ({ status: "compliant" }) })).toThrow(TypeError);
    expect(() => (run001.stages as Stage[]).splice(0)).toThrow(TypeError);
    expect(() => ((run001.resourceTypes as string[]) ?? []).splice(0)).toThrow(TypeError);
    expect(RULES.every((r) => Object.isFrozen(r) && Object.isFrozen(r.stages))).toBe(true);
    expect(Object.isFrozen(new PolicyPack({ stage: "production" }).rules)).toBe(true);
  });

  test("a pack added to the App, which cdktf never runs on a stack, fails synthesis instead of passing a public service", () => {
    // cdktf invokes aspects from each stack down: Aspects.of(app) is never applied.
    const build = (onStackToo: boolean) => {
      const app = Testing.app();
      const stack = new TerraformStack(app, "prod");
      Aspects.of(app).add(new PolicyPack({ stage: "production" }));
      if (onStackToo) Aspects.of(stack).add(new PolicyPack({ stage: "development" }));
      new CloudRunService(stack, "api", {
        name: "api",
        location: "europe-west1",
        image: `europe-west1-docker.pkg.dev/acme-ml-prod/models/api@sha256:${"a".repeat(64)}`,
        invokers: ["allUsers"],
        allowPublic: true,
        ingress: "all",
      });
      return app;
    };
    const app = build(false);
    expect(() => app.synth()).toThrow(
      /a PolicyPack is added to the App, above stack prod, and cdktf runs aspects from each stack down: it would never check this stack\. Add it to the stack/,
    );
    expect(fs.existsSync(path.join(app.outdir, "stacks", "prod", "cdk.tf.json"))).toBe(false);
    // With a pack on the stack as well, the stack is checked, by that pack.
    expect(() => build(true).synth()).toThrow(PolicyError);
  });

  test("an uncaught PolicyError prints its report, not cdktf's frames", () => {
    const error = new PolicyError("prod", { findings: [], acknowledged: [], unusedAcknowledgements: [] } as never);
    expect(error.stack).toBe(`PolicyError: ${error.message}`);
  });

  /** A compliant production stack with the pack: its service, the backend, the labels. */
  function compliantProd() {
    const app = Testing.app();
    const stack = new TerraformStack(app, "prod");
    Aspects.of(stack).add(new PolicyPack({ stage: "production" }));
    new GcsBackend(stack, { bucket: "acme-ml-prod-tfstate", prefix: "predict/prod" });
    new GoogleProvider(stack, "google", { project: "acme-ml-prod" }).addOverride("default_labels", {
      environment: "prod",
      app: "predict",
    });
    acknowledge(stack, "MON-001", "monitored by the platform team's own stack");
    return { app, stack, svc: service(stack) };
  }

  /** The same, then an aspect added after the pack: a late aspect. */
  function withLateAspect(late: (node: Construct, stack: TerraformStack) => void) {
    const { app, stack } = compliantProd();
    Aspects.of(stack).add({ visit: (node) => late(node, stack) });
    return { app, stack };
  }

  test("an aspect that runs after the pack cannot make the stack public or unprotected: synthesis fails, nothing is written", () => {
    const { app } = withLateAspect((node, stack) => {
      if (!(node instanceof CloudRunV2Service)) return;
      node.addOverride("deletion_protection", false);
      node.addOverride("template.containers.0.image", "europe-west1-docker.pkg.dev/acme-ml-prod/models/predict:latest");
      new CloudRunV2ServiceIamMember(stack, "late-public", {
        name: "predict",
        location: "europe-west1",
        role: "roles/run.invoker",
        member: "allUsers",
      });
    });
    let error: unknown;
    try {
      app.synth();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PolicyError);
    const message = (error as Error).message;
    for (const id of ["RUN-001", "RUN-004", "RUN-005"]) expect(message).toContain(`ERROR ${id} `);
    expect(fs.existsSync(path.join(app.outdir, "stacks", "prod", "cdk.tf.json"))).toBe(false);
  });

  test("an aspect on a construct inside the stack (which runs after the stack's) is held to the same", () => {
    const { app, svc } = compliantProd();
    Aspects.of(svc).add({ visit: (node) => node === svc && svc.addOverride("ingress", "INGRESS_TRAFFIC_ALL") });
    expect(() => app.synth()).toThrow(/ERROR RUN-009 prod\/svc/);
  });

  test("a harmless late aspect synthesizes, and the stack is checked once more; without one, once", () => {
    const { app, stack } = withLateAspect((node) => {
      if (node instanceof CloudRunV2Service) node.addOverride("description", "tagged by a late aspect");
    });
    const pack = Aspects.of(stack).all.find((a): a is PolicyPack => a instanceof PolicyPack)!;
    const evaluate = jest.spyOn(pack, "evaluate");
    expect(() => app.synth()).not.toThrow();
    expect(evaluate).toHaveBeenCalledTimes(2);
    const tf = JSON.parse(fs.readFileSync(path.join(app.outdir, "stacks", "prod", "cdk.tf.json"), "utf8"));
    expect(tf.resource.google_cloud_run_v2_service.svc.description).toBe("tagged by a late aspect");

    const alone = stackWith((s) => service(s));
    const packAlone = new PolicyPack({ stage: "development" });
    Aspects.of(alone).add(packAlone);
    const once = jest.spyOn(packAlone, "evaluate");
    (alone.node.root as App).synth();
    expect(once).toHaveBeenCalledTimes(1);
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
