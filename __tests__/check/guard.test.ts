/**
 * The destroy guard (lib/check/guard.ts) and its command (guard-cli.ts), on hand-written plans in
 * the format of `terraform show -json PLANFILE` (__tests__/fixtures/plans/): every rule with a
 * plan it passes and one it refuses.
 */
import * as fs from "fs";
import * as path from "path";
import { PROTECTED_TYPES, PlanFormatError, guardPlan, renderPath } from "../../lib/check/guard";
import { GUARD_USAGE, jsonSyntaxError, runGuard } from "../../lib/check/guard-cli";
import { reasonText } from "../../lib/gcp/validation";

const FIXTURES = path.join(__dirname, "..", "fixtures", "plans");
const text = (name: string) => fs.readFileSync(path.join(FIXTURES, name), "utf8");
const parsed = (name: string): unknown => JSON.parse(text(name));

/** Runs `guard plan.json ARGS…` with plan.json read from a fixture. */
function guard(fixture: string, ...args: string[]) {
  return runGuard(["plan.json", ...args], (file) => {
    if (file !== "plan.json") throw Object.assign(new Error(`ENOENT: ${file}`), { code: "ENOENT" });
    return text(fixture);
  });
}

/** Runs `guard plan.json ARGS…` on a plan given as an object (or as text). */
function guardOf(plan: unknown, ...args: string[]) {
  return runGuard(["plan.json", ...args], () => (typeof plan === "string" ? plan : JSON.stringify(plan)));
}

/** A plan of the given resource changes: `[address, type, actions, extra fields]`. */
function planOf(...changes: [string, string, string[], Record<string, unknown>?][]) {
  return {
    format_version: "1.2",
    terraform_version: "1.11.4",
    planned_values: { root_module: {} },
    resource_changes: changes.map(([address, type, actions, extra]) => ({
      address,
      mode: "managed",
      type,
      name: address.split(".").pop(),
      change: { actions },
      ...extra,
    })),
  };
}

const SERVICE = "google_cloud_run_v2_service.predict_service_6C6F2EC9";
const BUCKET = "google_storage_bucket.bucket-models_bucket_BBB6431D";
const INVOKER = "google_cloud_run_v2_service_iam_member.predict_invoker-gateway_CA68E298";
const ALERT = "google_monitoring_alert_policy.predict_monitoring_alert-5xx_0F1E2D3C";
const ACCOUNT = "google_service_account.predict_runtime_7E8F9A0B";
const MODULE_BUCKET = "module.models.google_storage_bucket.this";
const REASON = "moving predict and its models to europe-west4";

describe("the protected types", () => {
  test("a frozen table of the types the brief names, and more, each with a reason in words", () => {
    expect(Object.isFrozen(PROTECTED_TYPES)).toBe(true);
    for (const type of [
      "google_cloud_run_v2_service",
      "google_cloud_run_v2_job",
      "google_cloud_run_service",
      "google_storage_bucket",
      "google_artifact_registry_repository",
      "google_iam_workload_identity_pool",
      "google_iam_workload_identity_pool_provider",
      "google_service_account",
      "google_kms_crypto_key",
      "google_kms_key_ring",
      "google_secret_manager_secret",
      "google_sql_database_instance",
    ]) {
      expect({ type, why: reasonText(PROTECTED_TYPES[type] ?? "") }).toEqual({ type, why: undefined });
    }
    // Settings the next apply recreates as they were, and grants it restores, are not guarded.
    for (const type of [
      "google_monitoring_alert_policy",
      "google_project_service",
      "google_cloud_run_v2_service_iam_member",
      "google_secret_manager_secret_version",
      "google_storage_bucket_object",
    ]) {
      expect(PROTECTED_TYPES).not.toHaveProperty(type);
    }
    // A lookup by a type someone wrote never finds an object's own names.
    expect(guardPlan(planOf(["constructor.x", "constructor", ["delete"]]), { allow: [] }).blocked).toEqual([]);
  });
});

describe("replace paths", () => {
  test("are rendered as attribute paths: names, list indexes, quoted map keys", () => {
    expect(renderPath(["template", 0, "containers", 0, "name"])).toBe("template[0].containers[0].name");
    expect(renderPath(["location"])).toBe("location");
    expect(renderPath(["labels", "app.kubernetes.io/name"])).toBe('labels["app.kubernetes.io/name"]');
    expect(renderPath(["custom_placement_config", 0, "data_locations"])).toBe(
      "custom_placement_config[0].data_locations",
    );
  });
});

describe("guardPlan", () => {
  test("a replaced Cloud Run service and a deleted bucket are blocked, with what forces them and why they matter", () => {
    const report = guardPlan(parsed("replace-service-delete-bucket.json"), { allow: [] });
    expect(report.problems).toEqual([]);
    expect(report.allowed).toEqual([]);
    expect(report.blocked).toEqual([
      {
        address: SERVICE,
        type: "google_cloud_run_v2_service",
        action: "replace",
        order: "delete-then-create",
        replacePaths: ["location"],
        actionReason: "replace_because_cannot_update",
        why: PROTECTED_TYPES.google_cloud_run_v2_service,
      },
      {
        address: BUCKET,
        type: "google_storage_bucket",
        action: "delete",
        replacePaths: [],
        actionReason: "delete_because_no_resource_config",
        why: PROTECTED_TYPES.google_storage_bucket,
      },
    ]);
    // Every change by action; no-ops counted only; the replaced IAM member (not protected) in the summary only.
    expect(report.summary).toEqual({
      create: { count: 1, addresses: ["google_storage_bucket.models_bucket_0A1B2C3D"] },
      update: { count: 1, addresses: ["google_monitoring_dashboard.dashboard_9E73CAB7"] },
      replace: { count: 2, addresses: [SERVICE, INVOKER] },
      delete: { count: 1, addresses: [BUCKET] },
      read: { count: 1, addresses: ["data.google_project.project"] },
      "no-op": { count: 3, addresses: [] },
      forget: { count: 0, addresses: [] },
    });
  });

  test("allowed by address with a reason, they are allowed; allowing one leaves the other blocked", () => {
    const both = guardPlan(parsed("replace-service-delete-bucket.json"), { allow: [SERVICE, BUCKET], reason: REASON });
    expect(both.blocked).toEqual([]);
    expect(both.problems).toEqual([]);
    expect(both.allowed.map((a) => [a.address, a.action, a.reason])).toEqual([
      [SERVICE, "replace", REASON],
      [BUCKET, "delete", REASON],
    ]);
    const one = guardPlan(parsed("replace-service-delete-bucket.json"), { allow: [SERVICE], reason: REASON });
    expect(one.blocked.map((b) => b.address)).toEqual([BUCKET]);
    expect(one.allowed.map((a) => a.address)).toEqual([SERVICE]);
  });

  test("a deletion of an unprotected type passes unannounced, in the summary", () => {
    const report = guardPlan(parsed("delete-alert-policy.json"), { allow: [] });
    expect(report).toMatchObject({ blocked: [], allowed: [], problems: [] });
    expect(report.summary.delete).toEqual({ count: 1, addresses: [ALERT] });
    // Allowing it by name is not a stale allowance: the plan does delete it.
    const allowed = guardPlan(parsed("delete-alert-policy.json"), { allow: [ALERT], reason: REASON });
    expect(allowed.problems).toEqual([]);
    expect(allowed.allowed).toEqual([expect.objectContaining({ address: ALERT, reason: REASON })]);
    expect(allowed.allowed[0]).not.toHaveProperty("why");
  });

  test("create_before_destroy (create, then delete) is a replacement too", () => {
    const report = guardPlan(parsed("create-before-destroy.json"), { allow: [] });
    expect(report.blocked).toEqual([
      expect.objectContaining({
        address: ACCOUNT,
        action: "replace",
        order: "create-then-delete",
        replacePaths: ["account_id"],
      }),
    ]);
    expect(report.summary.replace.addresses).toEqual([ACCOUNT]);
    expect(guardPlan(parsed("create-before-destroy.json"), { allow: [ACCOUNT], reason: REASON }).blocked).toEqual([]);
  });

  test("a resource in a module is guarded by its whole address; an allowance matches that address only", () => {
    const report = guardPlan(parsed("module.json"), { allow: [] });
    expect(report.blocked).toEqual([
      expect.objectContaining({
        address: MODULE_BUCKET,
        action: "replace",
        replacePaths: ["custom_placement_config[0].data_locations"],
      }),
    ]);
    // The root module's google_storage_bucket.this is unchanged: allowing it allows nothing here.
    const wrong = guardPlan(parsed("module.json"), { allow: ["google_storage_bucket.this"], reason: REASON });
    expect(wrong.blocked.map((b) => b.address)).toEqual([MODULE_BUCKET]);
    expect(wrong.problems).toEqual([
      `--allow-destroy google_storage_bucket.this: the plan leaves it unchanged, so there is nothing to allow (a stale or mistyped allowance: remove it). The plan destroys or replaces: ${MODULE_BUCKET}.`,
    ]);
    const right = guardPlan(parsed("module.json"), { allow: [MODULE_BUCKET], reason: REASON });
    expect(right).toMatchObject({ blocked: [], problems: [] });
  });

  test("an allowance needs a reason that says why", () => {
    const plan = parsed("replace-service-delete-bucket.json");
    const allow = [SERVICE, BUCKET];
    expect(guardPlan(plan, { allow }).problems).toEqual([
      '--allow-destroy needs --reason "…": why these resources may be destroyed, for the record',
    ]);
    for (const reason of ["", "ok", "aaaaaaaaaaaaaaa", "1234567890 !!!", "moving\u200b predict to europe-west4"]) {
      expect({ reason, problems: guardPlan(plan, { allow, reason }).problems }).toEqual({
        reason,
        problems: [`--reason: ${reasonText(reason)}`],
      });
    }
    expect(guardPlan(plan, { allow, reason: REASON }).problems).toEqual([]);
    // A reason with nothing to explain is a mistake too (an allowance forgotten?).
    expect(guardPlan(plan, { allow: [], reason: REASON }).problems).toEqual([
      "--reason explains --allow-destroy, and there is none: give both, or neither",
    ]);
    expect(guardPlan(plan, { allow: [""], reason: REASON }).problems).toContain(
      "--allow-destroy needs an address: it is empty",
    );
  });

  test("an allowance the plan does not need is a mistake: not in the plan, or not destroyed by it", () => {
    const plan = parsed("replace-service-delete-bucket.json");
    const stale = guardPlan(plan, {
      allow: [SERVICE, BUCKET, "google_storage_bucket.typo", "google_monitoring_dashboard.dashboard_9E73CAB7"],
      reason: REASON,
    });
    expect(stale.blocked).toEqual([]);
    expect(stale.problems).toEqual([
      `--allow-destroy google_storage_bucket.typo: the plan has no resource of that address, so there is nothing to allow (a stale or mistyped allowance: remove it). The plan destroys or replaces: ${SERVICE}, ${INVOKER}, ${BUCKET}.`,
      `--allow-destroy google_monitoring_dashboard.dashboard_9E73CAB7: the plan updates it, so there is nothing to allow (a stale or mistyped allowance: remove it). The plan destroys or replaces: ${SERVICE}, ${INVOKER}, ${BUCKET}.`,
    ]);
    expect(guardPlan(parsed("no-changes.json"), { allow: [BUCKET], reason: REASON }).problems).toEqual([
      `--allow-destroy ${BUCKET}: the plan has no resource of that address, so there is nothing to allow (a stale or mistyped allowance: remove it). The plan destroys and replaces nothing.`,
    ]);
  });

  test("data sources are never guarded, but counted", () => {
    const report = guardPlan(
      {
        ...planOf(),
        resource_changes: [
          {
            address: "data.google_storage_bucket.b",
            mode: "data",
            type: "google_storage_bucket",
            change: { actions: ["read"] },
          },
          // Not a shape Terraform writes for a data source; guarded by mode all the same.
          {
            address: "data.google_storage_bucket.c",
            mode: "data",
            type: "google_storage_bucket",
            change: { actions: ["delete"] },
          },
        ],
      },
      { allow: [] },
    );
    expect(report.blocked).toEqual([]);
    expect(report.summary.read.addresses).toEqual(["data.google_storage_bucket.b"]);
    expect(report.summary.delete.count).toBe(1);
  });

  test("a deposed object's deletion is guarded, and an allowance of its address covers it", () => {
    const plan = planOf(
      [BUCKET, "google_storage_bucket", ["no-op"]],
      [BUCKET, "google_storage_bucket", ["delete"], { deposed: "5c4e1ac1" }],
    );
    const report = guardPlan(plan, { allow: [] });
    expect(report.blocked).toEqual([
      expect.objectContaining({ address: BUCKET, action: "delete", deposed: "5c4e1ac1" }),
    ]);
    expect(report.summary.delete.addresses).toEqual([`${BUCKET} (deposed 5c4e1ac1)`]);
    expect(guardPlan(plan, { allow: [BUCKET], reason: REASON })).toMatchObject({ blocked: [], problems: [] });
  });

  test("actions: forget is not a deletion; any other list with delete is; an unknown one is an error, never a pass", () => {
    const forget = guardPlan(
      planOf(
        [BUCKET, "google_storage_bucket", ["forget"]],
        [SERVICE, "google_cloud_run_v2_service", ["create", "forget"]],
      ),
      { allow: [] },
    );
    expect(forget.blocked).toEqual([]);
    expect(forget.summary.forget).toEqual({ count: 2, addresses: [BUCKET, SERVICE] });
    const future = guardPlan(planOf([BUCKET, "google_storage_bucket", ["delete", "forget"]]), { allow: [] });
    expect(future.blocked).toEqual([expect.objectContaining({ address: BUCKET, action: "delete" })]);
    expect(() => guardPlan(planOf([BUCKET, "google_storage_bucket", ["explode"]]), { allow: [] })).toThrow(
      /resource_changes\[0\] \(google_storage_bucket\.bucket-models_bucket_BBB6431D\) has actions \["explode"\], which this guard does not know/,
    );
  });

  test("what is not a plan is refused: a state, other JSON, another major format version, a change without actions", () => {
    const refused = (plan: unknown) => {
      try {
        guardPlan(plan, { allow: [] });
        return "passed";
      } catch (e) {
        expect(e).toBeInstanceOf(PlanFormatError);
        return (e as Error).message;
      }
    };
    expect(refused(parsed("state.json"))).toMatch(/^a Terraform state, not a plan/);
    expect(refused([1, 2])).toMatch(/^not a Terraform plan: the JSON is not an object/);
    expect(refused({ resource_changes: [] })).toMatch(/no format_version/);
    expect(refused({ format_version: "1.2" })).toMatch(/neither resource_changes nor planned_values/);
    expect(refused({ ...planOf(), format_version: "2.0" })).toMatch(/unsupported plan format_version "2\.0"/);
    expect(refused({ ...planOf(), resource_changes: {} })).toMatch(/resource_changes is not a list/);
    expect(refused({ ...planOf(), resource_changes: [{ address: "a.b", type: "a", change: {} }] })).toMatch(
      /resource_changes\[0\] \(a\.b\) has no change\.actions/,
    );
    expect(refused({ ...planOf(), resource_changes: [{ type: "a", change: { actions: ["delete"] } }] })).toMatch(
      /resource_changes\[0\] has no address, type or change/,
    );
    // A plan that changes nothing has no resource_changes at all: it passes.
    expect(refused(parsed("no-changes.json"))).toBe("passed");
  });
});

describe("guard PLAN.json", () => {
  test("blocks the replaced service and the deleted bucket: exit 1, both named with what forces them, and what to do", () => {
    const r = guard("replace-service-delete-bucket.json");
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("");
    const lines = r.stdout.split("\n");
    expect(lines[0]).toBe(
      "Plan plan.json: 1 to create, 1 to update, 2 to replace, 1 to delete, 1 to read, 3 unchanged.",
    );
    // The table of every change comes first.
    expect(lines.slice(2, 11)).toEqual([
      "action   count  addresses",
      "create       1  google_storage_bucket.models_bucket_0A1B2C3D",
      "update       1  google_monitoring_dashboard.dashboard_9E73CAB7",
      `replace      2  ${SERVICE}`,
      `                ${INVOKER}`,
      `delete       1  ${BUCKET}`,
      "read         1  data.google_project.project",
      "no-op        3  (counted only)",
      "",
    ]);
    expect(lines[11]).toBe(
      `BLOCKED replace ${SERVICE} (forced by: location; cannot be updated in place) — ${PROTECTED_TYPES.google_cloud_run_v2_service}`,
    );
    expect(lines[12]).toBe(
      `BLOCKED delete ${BUCKET} (no longer in the configuration) — ${PROTECTED_TYPES.google_storage_bucket}`,
    );
    expect(r.stdout).toContain("2 protected resources are deleted or replaced by this plan: it must not be applied.");
    expect(r.stdout).toContain(
      `here: cdktf-cloud-run guard plan.json --allow-destroy ${SERVICE} --allow-destroy ${BUCKET} --reason "…"`,
    );
    expect(r.stdout).toContain(`with allow-destroy 'ENVIRONMENT:${SERVICE} ENVIRONMENT:${BUCKET}'`);
    expect(r.stdout).not.toContain(INVOKER.replace(/^/, "BLOCKED replace "));
  });

  test("both allowed with a reason: exit 0, each listed with the reason, and the summary still lists them", () => {
    const r = guard(
      "replace-service-delete-bucket.json",
      "--allow-destroy",
      SERVICE,
      "--allow-destroy",
      BUCKET,
      "--reason",
      REASON,
    );
    expect(r).toMatchObject({ code: 0, stderr: "" });
    expect(r.stdout).toContain(`replace      2  ${SERVICE}`);
    expect(r.stdout).toContain(`delete       1  ${BUCKET}`);
    expect(r.stdout).toContain(
      `ALLOWED replace ${SERVICE} (forced by: location; cannot be updated in place) — reason: "${REASON}"`,
    );
    expect(r.stdout).toContain(`ALLOWED delete ${BUCKET} (no longer in the configuration) — reason: "${REASON}"`);
    expect(r.stdout).not.toContain("BLOCKED");
    expect(r.stdout.trimEnd().split("\n").pop()).toBe("Nothing protected is deleted or replaced without an allowance.");
  });

  test("an unprotected deletion passes silently: exit 0, in the summary only", () => {
    const r = guard("delete-alert-policy.json");
    expect(r).toMatchObject({ code: 0, stderr: "" });
    expect(r.stdout).toContain(`delete       1  ${ALERT}`);
    expect(r.stdout).not.toMatch(/BLOCKED|ALLOWED/);
    expect(r.stdout.trimEnd().split("\n").pop()).toBe("Nothing protected is deleted or replaced.");
  });

  test("create_before_destroy: blocked, said so; allowed, passes", () => {
    const r = guard("create-before-destroy.json");
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      `BLOCKED replace ${ACCOUNT} (forced by: account_id; cannot be updated in place; create_before_destroy: the new one first) — ${PROTECTED_TYPES.google_service_account}`,
    );
    expect(guard("create-before-destroy.json", "--allow-destroy", ACCOUNT, "--reason", REASON).code).toBe(0);
  });

  test("a reason missing, too short or hidden, given twice, or given without an allowance: exit 2, and no verdict printed", () => {
    const missing = guard("replace-service-delete-bucket.json", "--allow-destroy", SERVICE, "--allow-destroy", BUCKET);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe(
      'plan.json: --allow-destroy needs --reason "…": why these resources may be destroyed, for the record\n',
    );
    // No ALLOWED line in the log of a run refused for its reason: it would read as an approval.
    expect(missing.stdout).toBe("");
    expect(
      guard(
        "replace-service-delete-bucket.json",
        "--allow-destroy",
        SERVICE,
        "--reason",
        REASON,
        "--allow-destroy",
        BUCKET,
        "--reason",
        REASON,
      ),
    ).toMatchObject({ code: 2, stderr: expect.stringMatching(/give --reason once/) });
    const short = guard(
      "replace-service-delete-bucket.json",
      "--allow-destroy",
      SERVICE,
      "--allow-destroy",
      BUCKET,
      "--reason",
      "move",
    );
    expect(short).toMatchObject({
      code: 2,
      stderr: "plan.json: --reason: the reason must say why, in at least 10 letters (of at least 4 different ones)\n",
    });
    const hidden = guard(
      "delete-alert-policy.json",
      "--allow-destroy",
      ALERT,
      "--reason",
      "retired\u0007 the 5xx alert",
    );
    expect(hidden.code).toBe(2);
    expect(hidden.stderr).toContain("U+0007 is a control or invisible character");
    expect(guard("delete-alert-policy.json", "--reason", REASON)).toMatchObject({ code: 2 });
    // --reason with no value at all is refused by the parser.
    expect(guard("delete-alert-policy.json", "--allow-destroy", ALERT, "--reason")).toMatchObject({
      code: 2,
      stdout: "",
    });
  });

  test("a stale allowance: exit 2, naming it and what the plan does destroy", () => {
    const r = guard(
      "replace-service-delete-bucket.json",
      "--allow-destroy",
      "google_storage_bucket.models",
      "--reason",
      REASON,
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `plan.json: --allow-destroy google_storage_bucket.models: the plan has no resource of that address, so there is nothing to allow (a stale or mistyped allowance: remove it). The plan destroys or replaces: ${SERVICE}, ${INVOKER}, ${BUCKET}.\n`,
    );
    // A stale allowance beside a blocked change is still a usage error: nothing passes on a mistake,
    // and no verdict is printed.
    expect(r.stdout).toBe("");
  });

  test("a module's resource, by its whole address", () => {
    const r = guard("module.json");
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      `BLOCKED replace ${MODULE_BUCKET} (forced by: custom_placement_config[0].data_locations; cannot be updated in place)`,
    );
    expect(guard("module.json", "--allow-destroy", MODULE_BUCKET, "--reason", REASON).code).toBe(0);
    expect(guard("module.json", "--allow-destroy", "google_storage_bucket.this", "--reason", REASON).code).toBe(2);
  });

  test("what is not a plan, is not JSON, or cannot be read: exit 2, the file named, with the line and column of a JSON error", () => {
    expect(guard("state.json")).toEqual({
      code: 2,
      stdout: "",
      stderr: "plan.json: a Terraform state, not a plan: make the plan's JSON with `terraform show -json PLANFILE`\n",
    });
    expect(guardOf({ hello: "world" })).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/^plan\.json: not a Terraform plan: no format_version/),
    });
    expect(guard("invalid-plan.txt")).toEqual({
      code: 2,
      stdout: "",
      stderr: "plan.json:6:5: is not JSON: expected a property name in double quotes\n",
    });
    // Through the file system, as the command reads it by default.
    const file = path.join(FIXTURES, "invalid-plan.txt");
    expect(runGuard([file]).stderr).toBe(`${file}:6:5: is not JSON: expected a property name in double quotes\n`);
    expect(runGuard([path.join(FIXTURES, "replace-service-delete-bucket.json")]).code).toBe(1);
    expect(runGuard([path.join(FIXTURES, "no-such-plan.json")])).toEqual({
      code: 2,
      stdout: "",
      stderr: `${path.join(FIXTURES, "no-such-plan.json")}: cannot be read: no such file\n`,
    });
    expect(guardOf("PK\u0003\u0004binary")).toMatchObject({
      code: 2,
      stderr:
        "plan.json: is a binary plan file: give the JSON of it, from `terraform show -json PLANFILE > plan.json`\n",
    });
    expect(guardOf("")).toMatchObject({
      code: 2,
      stderr: "plan.json:1:1: is not JSON: the file ends where a value should be\n",
    });
    // A byte order mark is not an error.
    expect(guardOf(`\ufeff${text("no-changes.json")}`).code).toBe(0);
  });

  test("--format json: the report as one object, with the same exit code", () => {
    const r = guard("replace-service-delete-bucket.json", "--format", "json");
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(Object.keys(report)).toEqual(["plan", "blocked", "allowed", "summary", "problems"]);
    expect(report.plan).toBe("plan.json");
    expect(report.blocked.map((b: { address: string }) => b.address)).toEqual([SERVICE, BUCKET]);
    expect(report.blocked[0].replacePaths).toEqual(["location"]);
    expect(report.summary.replace).toEqual({ count: 2, addresses: [SERVICE, INVOKER] });
    expect(report.summary["no-op"]).toEqual({ count: 3, addresses: [] });
    const allowed = guard("module.json", "--format", "json", "--allow-destroy", MODULE_BUCKET, "--reason", REASON);
    expect(allowed.code).toBe(0);
    expect(JSON.parse(allowed.stdout).allowed).toEqual([
      expect.objectContaining({ address: MODULE_BUCKET, reason: REASON }),
    ]);
  });

  test("--markdown: the table and the lines for a job summary, every address in a code span", () => {
    const r = guard("replace-service-delete-bucket.json", "--markdown");
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("| action | count | addresses |\n| --- | ---: | --- |\n");
    expect(r.stdout).toContain(`| replace | 2 | \`${SERVICE}\`<br>\`${INVOKER}\` |`);
    expect(r.stdout).toContain("| no-op | 3 | counted only |");
    expect(r.stdout).toContain(
      `- **BLOCKED** replace \`${SERVICE}\` (forced by: \`location\`; cannot be updated in place) — `,
    );
    // A pipe in an address (a for_each key) does not break the table; a backtick does not break the span.
    const odd = 'google_storage_bucket.b["a|`b"]';
    const md = guardOf(planOf([odd, "google_storage_bucket", ["delete"]]), "--markdown").stdout;
    expect(md).toContain('| delete | 1 | ``google_storage_bucket.b["a\\|`b"]`` |');
    expect(md).toContain('- **BLOCKED** delete ``google_storage_bucket.b["a|`b"]`` — ');
    // And the command to allow it quotes it for the shell.
    expect(guardOf(planOf([odd, "google_storage_bucket", ["delete"]])).stdout).toContain(
      `--allow-destroy 'google_storage_bucket.b["a|\`b"]' --reason`,
    );
  });

  test("usage: one plan, known options, text or json; --help", () => {
    for (const args of [
      [],
      ["a.json", "b.json"],
      ["plan.json", "--allow"],
      ["plan.json", "--format", "xml"],
      ["plan.json", "--format", "json", "--markdown"],
    ]) {
      const r = runGuard(args, () => text("no-changes.json"));
      expect({ args, code: r.code, stdout: r.stdout, usage: r.stderr.endsWith(`${GUARD_USAGE}\n`) }).toEqual({
        args,
        code: 2,
        stdout: "",
        usage: true,
      });
    }
    expect(runGuard(["--help"])).toEqual({ code: 0, stdout: `${GUARD_USAGE}\n`, stderr: "" });
    expect(runGuard(["plan.json"], () => text("no-changes.json")).code).toBe(0);
  });
});

describe("jsonSyntaxError", () => {
  test("finds where JSON.parse gives no position, and nothing in valid JSON", () => {
    const at = (t: string) => jsonSyntaxError(t);
    expect(at('{"a": }')).toEqual({ offset: 6, problem: 'unexpected "}"' });
    expect(at('{"a": 1,}')).toEqual({ offset: 8, problem: "expected a property name in double quotes" });
    expect(at('{"a": 1')).toEqual({ offset: 7, problem: "expected ',' or '}' after a property value" });
    expect(at("[1 2]")).toEqual({ offset: 3, problem: "expected ',' or ']' after a value in a list" });
    expect(at('"a\nb"')).toEqual({ offset: 2, problem: "a string has a raw control character (a line break?)" });
    expect(at('"\\x"')).toEqual({ offset: 1, problem: "a string has an invalid escape" });
    expect(at("01")).toEqual({ offset: 1, problem: "unexpected text after the JSON value" });
    expect(at("tru")).toEqual({ offset: 0, problem: 'unexpected "t"' });
    for (const valid of [
      text("replace-service-delete-bucket.json"),
      '{"a":[1,-2.5e3,true,false,null,"\\u00e9\\n"]}',
      " [] ",
    ]) {
      expect(at(valid)).toBeUndefined();
    }
  });
});
