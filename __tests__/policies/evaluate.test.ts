/**
 * The rules over Terraform read from files (lib/policies/evaluate.ts, watchUnknowns): a rule
 * that passed on a value the files leave open, or judged a block they do not expand, has decided
 * nothing, and says so; a reference to a resource the configuration manages is judged, as at
 * synthesis.
 */
import { evaluateView } from "../../lib/policies/evaluate";
import { RULES } from "../../lib/policies/rules";
import type { ResourceView, StackView } from "../../lib/policies/view";

const DIGEST = `sha256:${"a".repeat(64)}`;

/** A configuration of these resources (type, name, attributes). */
function view(...resources: [string, string, Record<string, unknown>][]): StackView {
  const v: { resources: ResourceView[]; dataSources: Record<string, never>; providers: Record<string, never> } = {
    resources: [],
    dataSources: {},
    providers: {},
  };
  for (const [type, name, attrs] of resources) {
    v.resources.push({ type, name, address: `${type}.${name}`, path: `${type}.${name}`, attrs, stack: v as StackView });
  }
  return v as StackView;
}

const rule = (id: string) => RULES.filter((r) => r.id === id);
const outcome = (v: StackView, id: string, watch = true) =>
  evaluateView(v, rule(id), { watchUnknowns: watch }).find((o) => o.resource?.type === "google_cloud_run_v2_service")!
    .result;

const service = (template: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  view(
    ["google_service_account", "api", { account_id: "api" }],
    ["google_cloud_run_v2_service", "api", { name: "api", location: "europe-west1", template, ...extra }],
  );

describe("watching what a rule reads", () => {
  test("a dynamic block the files do not expand: unknown, never a failure", () => {
    const v = service({ containers: "${dynamic containers}", service_account: "${google_service_account.api.email}" });
    expect(outcome(v, "RUN-004", false).status).toBe("non-compliant"); // what the rule alone says
    expect(outcome(v, "RUN-004")).toEqual({
      status: "unknown",
      detail: 'it reads template.containers, a dynamic "containers" block the files do not expand',
    });
  });

  test("a value known only after apply (a plan): unknown", () => {
    const v = service({
      containers: { image: `europe-west1-docker.pkg.dev/p/r/api@${DIGEST}` },
      scaling: "${unknown after apply}",
    });
    expect(outcome(v, "RUN-006").status).toBe("unknown");
  });

  test("a pass on a variable is not a pass", () => {
    const v = service({ containers: { image: `x@${DIGEST}` } }, { deletion_protection: "${var.deletion_protection}" });
    expect(outcome(v, "RUN-005", false).status).toBe("compliant");
    expect(outcome(v, "RUN-005")).toEqual({
      status: "unknown",
      detail: "it reads deletion_protection = ${var.deletion_protection}, which the files do not fix",
    });
  });

  test("a reference to a resource the configuration manages is judged, as at synthesis", () => {
    const v = service({ containers: { image: `x@${DIGEST}` }, service_account: "${google_service_account.api.email}" });
    expect(outcome(v, "RUN-003").status).toBe("compliant");
  });

  test("a value partly open may still decide: an image whose digest is written is pinned", () => {
    const v = service({ containers: { image: `\${local.registry}/api@${DIGEST}` } });
    expect(outcome(v, "RUN-004").status).toBe("compliant");
    const tagged = service({ containers: { image: "${local.registry}/api:latest" } });
    expect(outcome(tagged, "RUN-004").status).toBe("non-compliant");
  });
});

describe("dynamic blocks beside static ones", () => {
  const withEnv = (env: unknown[]) =>
    service({ containers: { image: `x@${DIGEST}`, env }, service_account: "${google_service_account.api.email}" });

  test("a finding on a static block stands: the dynamic entry only adds blocks", () => {
    const v = withEnv([{ name: "HF_TOKEN", value: "hf_abcdefghijklmnopqrstuvwxyzABCDEFGH" }, "${dynamic env}"]);
    expect(outcome(v, "RUN-011").status).toBe("non-compliant");
  });

  test("a pass cannot stand: the dynamic entry may hold what the rule refuses", () => {
    const v = withEnv([{ name: "REGION", value: "europe-west1" }, "${dynamic env}"]);
    expect(outcome(v, "RUN-011")).toEqual({
      status: "unknown",
      detail: 'it reads template.containers.env[1], a dynamic "env" block the files do not expand',
    });
  });

  test("a rule that never reads a plain value does not depend on it", () => {
    const v = withEnv([{ name: "HF_TOKEN", value: "${var.hf_token}" }]);
    expect(outcome(v, "RUN-010").status).not.toBe("unknown");
  });
});

describe("labels a plan resolves", () => {
  test("LABEL-001 reads terraform_labels, which hold the provider's default_labels", () => {
    const v = view([
      "google_storage_bucket",
      "models",
      { name: "m", terraform_labels: { environment: "prod", app: "predict" } },
    ]);
    expect(evaluateView(v, rule("LABEL-001"), { watchUnknowns: true })[0].result.status).toBe("compliant");
  });
});

describe("what the attacker's review found", () => {
  test("a reference to a computed attribute of another resource is open, as a variable is", () => {
    const v = view(
      ["terraform_data", "cfg", { input: { dp: false } }],
      ["google_cloud_run_v2_service", "api", { name: "api", deletion_protection: "${terraform_data.cfg.output.dp}" }],
    );
    expect(outcome(v, "RUN-005").status).toBe("unknown");
  });

  test("a failure read from a value wholly open decided nothing", () => {
    const v = view([
      "google_storage_bucket",
      "m",
      { name: "m", public_access_prevention: "${var.pap}", uniform_bucket_level_access: true },
    ]);
    expect(evaluateView(v, rule("GCS-001"), { watchUnknowns: true })[0].result.status).toBe("unknown");
  });

  test("booleans and numbers written as strings are read as Terraform reads them", () => {
    expect(outcome(service({}, { deletion_protection: "false" }), "RUN-005").status).toBe("non-compliant");
    expect(outcome(service({}, { invoker_iam_disabled: "true" }), "RUN-002").status).toBe("non-compliant");
    const warm = service({ scaling: { min_instance_count: "1", max_instance_count: "4" } });
    expect(outcome(warm, "RUN-007").status).toBe("compliant");
  });
});

describe("worker pools, secret volumes and breakglass as files and plans write them", () => {
  /** A worker pool, its blocks as HCL and plans write them: lists of one. */
  const pool = (extra: Record<string, unknown>, volumes: unknown[] = []) =>
    view(
      ["google_service_account", "pool", { account_id: "pool" }],
      [
        "google_cloud_run_v2_worker_pool",
        "queue",
        {
          name: "queue",
          deletion_protection: true,
          template: [
            {
              service_account: "${google_service_account.pool.email}",
              containers: [{ image: `x@${DIGEST}` }],
              volumes,
            },
          ],
          ...extra,
        },
      ],
    );
  const on = (v: StackView, id: string) =>
    evaluateView(v, rule(id), { watchUnknowns: true }).find(
      (o) => o.resource?.type === "google_cloud_run_v2_worker_pool",
    )!.result;
  const secretVolume = (version: unknown) => ({
    name: "creds",
    secret: [{ secret: "api-key", items: [{ path: "key", version }] }],
  });

  test("a worker pool's account created in the configuration is dedicated", () => {
    expect(on(pool({}), "RUN-003").status).toBe("compliant");
  });

  test("RUN-012 reads a secret block written as a list of one; a version known only after apply is unknown", () => {
    expect(on(pool({}, [secretVolume("3")]), "RUN-012").status).toBe("compliant");
    expect(on(pool({}, [secretVolume("latest")]), "RUN-012").status).toBe("non-compliant");
    expect(on(pool({}, [secretVolume("${unknown after apply}")]), "RUN-012").status).toBe("unknown");
    expect(on(pool({}, [secretVolume("${var.version}")]), "RUN-012").status).toBe("unknown");
  });

  test("RUN-013 reads a binary_authorization block written as a list of one", () => {
    const ba = (justification: unknown) =>
      pool({ binary_authorization: [{ use_default: true, breakglass_justification: justification }] });
    expect(on(ba(null), "RUN-013").status).toBe("not-applicable");
    expect(on(ba("INC-7"), "RUN-013")).toEqual({
      status: "non-compliant",
      detail: 'deployed with breakglass: "INC-7"; Binary Authorization\'s policy was bypassed',
    });
    // Whatever a variable or a function gives, a breakglass is set: the finding stands on files too.
    expect(on(ba("${var.breakglass}"), "RUN-013")).toEqual({
      status: "non-compliant",
      detail: "deployed with breakglass: the expression ${var.breakglass}; Binary Authorization's policy was bypassed",
    });
    expect(on(ba('${lower("X")}'), "RUN-013").status).toBe("non-compliant");
    // Any other rule's verdict on a value the files leave open is still unknown.
    expect(on(pool({ deletion_protection: "${var.protect}" }), "RUN-005").status).toBe("unknown");
    expect(on(pool({ binary_authorization: "${dynamic binary_authorization}" }), "RUN-013").status).toBe("unknown");
  });
});
