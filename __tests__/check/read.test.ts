/**
 * The readers of `cdktf-cloud-run check` (lib/check/read/): HCL folders and files, Terraform JSON
 * (hand-written and cdktf's), plans, and the problems of each, read from the fixtures in
 * __tests__/fixtures/terraform/. The plan fixture is written by hand from Terraform's documented
 * plan representation ("JSON Output Format",
 * https://developer.hashicorp.com/terraform/internals/json-format: `planned_values` with
 * `root_module` and `child_modules`, `resource_changes[].change` with `actions`, `after_unknown`
 * and `replace_paths`, `prior_state`, `configuration`), as `terraform show -json` 1.9 writes it
 * (`format_version` 1.2). Then every rule of the pack on every shape, which must not throw.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Worker } from "worker_threads";
import { Configuration, InputError } from "../../lib/check/input";
import { ACKNOWLEDGE_MARKER, UNKNOWN_AFTER_APPLY, dynamicBlock, readPaths } from "../../lib/check/read";
import { scanHcl } from "../../lib/check/read/scan";
import { RuleOutcome, evaluateView } from "../../lib/policies/evaluate";
import { RULES } from "../../lib/policies/rules";
import { ResourceView, containersOf, envVars, get, isExpression, list } from "../../lib/policies/view";

const ROOT = path.resolve(__dirname, "..", "..");
const F = "__tests__/fixtures/terraform";

/** Reads paths relative to the repository, as the command does from its working folder. */
const read = (paths: string[], root = true) => readPaths(paths, { root, cwd: ROOT });

function only(result: { configurations: Configuration[]; problems: InputError[] }): Configuration {
  expect(result.problems.map((p) => p.message)).toEqual([]);
  expect(result.configurations).toHaveLength(1);
  return result.configurations[0];
}

function resource(c: Configuration, address: string): ResourceView {
  const found = c.view.resources.find((r) => r.address === address);
  if (found === undefined) throw new Error(`${address} is not in ${c.label}`);
  return found;
}

/** A scratch folder with these files, removed after the tests. */
const scratch: string[] = [];
function folder(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cdktf-cloud-run-read-"));
  scratch.push(dir);
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}
afterAll(() => {
  for (const dir of scratch) fs.rmSync(dir, { recursive: true, force: true });
});

describe("an HCL folder", () => {
  let c: Configuration;
  beforeAll(async () => {
    c = only(await read([`${F}/hcl`]));
  });

  test("is one configuration of its .tf and .tf.json files, in name order", () => {
    expect(c.kind).toBe("hcl");
    expect(c.label).toBe(`${F}/hcl`);
    expect(c.files).toEqual(
      ["buckets.tf.json", "iam.tf", "main.tf", "refactor.tf", "services.tf"].map((f) => `${F}/hcl/${f}`),
    );
    expect(c.root).toBe(true);
  });

  test("has every resource block once, at its unexpanded address; v1 and v2 side by side; no moved, import or module content", () => {
    expect(c.view.resources.map((r) => r.address).sort()).toEqual([
      "google_cloud_run_service.legacy",
      "google_cloud_run_service_iam_policy.legacy",
      "google_cloud_run_v2_job.worker",
      "google_cloud_run_v2_service.api",
      "google_cloud_run_v2_service.batch",
      "google_cloud_run_v2_service.edge",
      "google_cloud_run_v2_service.status",
      "google_cloud_run_v2_service_iam_member.status_public",
      "google_service_account.api",
      "google_storage_bucket.models",
    ]);
    for (const r of c.view.resources) {
      expect(r.address).toBe(`${r.type}.${r.name}`);
      expect(r.path).toBe(r.address);
      expect(r.stack).toBe(c.view);
      expect(r.construct).toBeUndefined();
    }
  });

  test("reads blocks written once as objects, and the attributes the rules read", () => {
    const api = resource(c, "google_cloud_run_v2_service.api");
    expect(api.attrs.template).toEqual(
      expect.objectContaining({ service_account: "${google_service_account.api.email}" }),
    );
    expect(get(api.attrs, "template", "service_account")).toBe("${google_service_account.api.email}");
    expect(get(api.attrs, "template", "scaling", "max_instance_count")).toBe(20);
    expect(get(api.attrs, "scaling", "min_instance_count")).toBe(1);
    expect(get(api.attrs, "template", "vpc_access", "network_interfaces", "network")).toBe("default");
    expect(api.attrs.deletion_protection).toBe(true);
    expect(api.attrs.ingress).toBe("INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER");
    expect(containersOf(api).map((x) => x.image)).toEqual([
      "${local.registry}/api@sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    ]);
    // Four env blocks stay a list; a block within one of them is an object.
    expect(envVars(api)).toEqual([
      { name: "MODEL_NAME", value: "ranker-v3", secret: undefined },
      { name: "DB_PASSWORD", value: undefined, secret: { secret: "db-password", version: "7" } },
      { name: "BANNER", value: "Serving ranker-v3 from ${var.region}\n", secret: undefined },
      { name: "GREETING", value: "Hello from the ranking API\n", secret: undefined },
    ]);
    expect(get(api.attrs, "traffic", "percent")).toBe(100);
  });

  test("heredocs are strings; one that interpolates is an expression", () => {
    const env = envVars(resource(c, "google_cloud_run_v2_service.api"));
    expect(isExpression(env.find((e) => e.name === "BANNER")?.value)).toBe(true);
    expect(isExpression(env.find((e) => e.name === "GREETING")?.value)).toBe(false);
  });

  test("locals and variables stay expressions: nothing is evaluated", () => {
    expect(resource(c, "google_cloud_run_v2_service.api").attrs.labels).toBe("${local.labels}");
    expect(resource(c, "google_cloud_run_v2_service.api").attrs.location).toBe("${var.region}");
    expect(c.view.providers.google[0].default_labels).toBe("${local.labels}");
  });

  test("meta-arguments as Terraform JSON writes them: provider, depends_on, lifecycle", () => {
    const api = resource(c, "google_cloud_run_v2_service.api");
    expect(api.attrs.provider).toBe("google-beta");
    expect(api.attrs.depends_on).toEqual(["google_service_account.api"]);
    expect(api.attrs.lifecycle).toEqual({ ignore_changes: ["client", "client_version"] });
    expect(resource(c, "google_cloud_run_v2_service.edge").attrs.provider).toBe("google.us");
  });

  test("count and for_each: one view per block, with count.index and each.value as expressions", () => {
    const edge = resource(c, "google_cloud_run_v2_service.edge");
    expect(edge.attrs.count).toBe("${length(var.regions)}");
    expect(edge.attrs.name).toBe("edge-${count.index}");
    expect(edge.attrs.location).toBe("${var.regions[count.index]}");
    const worker = resource(c, "google_cloud_run_v2_job.worker");
    expect(worker.attrs.for_each).toBe("${local.workers}");
    expect(containersOf(worker).map((x) => x.image)).toEqual(["${each.value.image}"]);
    expect(get(worker.attrs, "template", "template", "service_account")).toBe("${google_service_account.api.email}");
  });

  test("a dynamic block is one unknown entry beside the static blocks of its type", () => {
    const edge = resource(c, "google_cloud_run_v2_service.edge");
    expect(get(edge.attrs, "template", "containers", "env")).toEqual([
      { name: "REGION", value: "${var.regions[count.index]}" },
      dynamicBlock("env"),
    ]);
    expect(dynamicBlock("env")).toBe("${dynamic env}");
    expect(isExpression(dynamicBlock("env"))).toBe(true);
    expect(JSON.stringify(edge.attrs)).not.toContain("for_each");
  });

  test("the default compute account, an image by tag and deletion_protection = false, as written", () => {
    const batch = resource(c, "google_cloud_run_v2_service.batch");
    expect(get(batch.attrs, "template", "service_account")).toBe("123456789012-compute@developer.gserviceaccount.com");
    expect(containersOf(batch)[0].image).toBe("europe-docker.pkg.dev/acme/models/batch:1.4.2");
    expect(batch.attrs.deletion_protection).toBe(false);
  });

  test("v1 services keep their shape: spec, metadata annotations with dotted keys", () => {
    const legacy = resource(c, "google_cloud_run_service.legacy");
    expect(containersOf(legacy).map((x) => x.image)).toEqual(["gcr.io/acme/api:legacy"]);
    expect(get(legacy.attrs, "template", "spec", "service_account_name")).toBe("${google_service_account.api.email}");
    expect(get(legacy.attrs, "template", "metadata", "annotations", "autoscaling.knative.dev/maxScale")).toBe("5");
  });

  test("IAM: a member of allUsers; a policy from a data source", () => {
    const member = resource(c, "google_cloud_run_v2_service_iam_member.status_public");
    expect(member.attrs).toEqual(expect.objectContaining({ role: "roles/run.invoker", member: "allUsers" }));
    expect(resource(c, "google_cloud_run_service_iam_policy.legacy").attrs.policy_data).toBe(
      "${data.google_iam_policy.legacy_invokers.policy_data}",
    );
    expect(c.view.dataSources).toEqual({
      "data.google_iam_policy.legacy_invokers": {
        binding: { role: "roles/run.invoker", members: ["serviceAccount:${google_service_account.api.email}"] },
      },
    });
  });

  test("a .tf.json file of the folder is part of it", () => {
    const bucket = resource(c, "google_storage_bucket.models");
    expect(bucket.attrs.versioning).toEqual({ enabled: true });
    expect(bucket.attrs.public_access_prevention).toBe("enforced");
  });

  test("providers, aliases included", () => {
    expect(c.view.providers.google.map((p) => p.alias)).toEqual([undefined, "us"]);
    expect(c.view.providers["google-beta"]).toEqual([{ project: "${var.project}", region: "${var.region}" }]);
  });

  test("the GCS backend", () => {
    expect(c.view.backend).toEqual({ type: "gcs", config: { bucket: "acme-tf-state", prefix: "serving/prod" } });
  });

  test("module calls are listed with their source and line, not read", () => {
    expect(c.modules).toEqual([
      {
        name: "network",
        source: "terraform-google-modules/network/google",
        location: { file: `${F}/hcl/refactor.tf`, line: 11, column: 1 },
      },
      {
        name: "monitoring",
        source: "./modules/monitoring",
        location: { file: `${F}/hcl/refactor.tf`, line: 20, column: 1 },
      },
    ]);
  });

  test("each resource and data source is located at the line of its block", () => {
    const at = (file: string, line: number, column = 1) => ({ file: `${F}/hcl/${file}`, line, column });
    expect(Object.fromEntries(c.locations)).toEqual({
      "google_service_account.api": at("services.tf", 1),
      "google_cloud_run_v2_service.api": at("services.tf", 7),
      "google_cloud_run_v2_service.batch": at("services.tf", 101),
      "google_cloud_run_v2_service.edge": at("services.tf", 118),
      "google_cloud_run_v2_job.worker": at("services.tf", 145),
      "google_cloud_run_service.legacy": at("services.tf", 166),
      "google_cloud_run_v2_service.status": at("iam.tf", 1),
      "google_cloud_run_v2_service_iam_member.status_public": at("iam.tf", 13),
      "data.google_iam_policy.legacy_invokers": at("iam.tf", 22),
      "google_cloud_run_service_iam_policy.legacy": at("iam.tf", 29),
      "google_storage_bucket.models": at("buckets.tf.json", 4, 7),
    });
    const text = fs.readFileSync(path.join(ROOT, F, "hcl", "services.tf"), "utf8").split("\n");
    expect(text[6]).toBe('resource "google_cloud_run_v2_service" "api" {');
  });

  test("acknowledgements: # and // comments inside a resource block, at any depth", () => {
    expect(c.acknowledgements).toEqual([
      {
        ruleId: "RUN-001",
        reason: "The status page is public by design: it serves the uptime summary only.",
        address: "google_cloud_run_v2_service_iam_member.status_public",
        location: { file: `${F}/hcl/iam.tf`, line: 14, column: 3 },
      },
      {
        ruleId: "RUN-003",
        reason: "The batch worker is being moved to its own account in PLAT-142.",
        address: "google_cloud_run_v2_service.batch",
        location: { file: `${F}/hcl/services.tf`, line: 107, column: 5 },
      },
      {
        ruleId: "RUN-004",
        reason: "Tags are immutable in this repository (AR-003 holds).",
        address: "google_cloud_run_v2_service.batch",
        location: { file: `${F}/hcl/services.tf`, line: 114, column: 3 },
      },
    ]);
    expect(ACKNOWLEDGE_MARKER).toBe("cdktf-cloud-run:acknowledge");
  });
});

describe("one .tf file", () => {
  test("is a configuration of that file", async () => {
    const c = only(await read([`${F}/hcl/services.tf`]));
    expect(c.kind).toBe("hcl");
    expect(c.files).toEqual([`${F}/hcl/services.tf`]);
    expect(c.view.resources).toHaveLength(6);
  });

  test("without a backend: null for a root module (local state), undefined when it may be elsewhere", async () => {
    expect(only(await read([`${F}/hcl/services.tf`], true)).view.backend).toBeNull();
    expect(only(await read([`${F}/hcl/services.tf`], false)).view.backend).toBeUndefined();
    expect(only(await read([`${F}/hcl/main.tf`], false)).view.backend).toEqual({
      type: "gcs",
      config: { bucket: "acme-tf-state", prefix: "serving/prod" },
    });
    expect(only(await read([`${F}/hcl/services.tf`], false)).root).toBe(false);
  });
});

describe("Terraform JSON", () => {
  let c: Configuration;
  beforeAll(async () => {
    c = only(await read([`${F}/json/service.tf.json`]));
  });

  test("resources, data sources, providers, backend and modules, located at their keys", () => {
    expect(c.kind).toBe("json");
    expect(c.view.resources.map((r) => r.address)).toEqual([
      "google_cloud_run_v2_service.search",
      "google_cloud_run_v2_service.shard",
      "google_cloud_run_v2_service_iam_binding.search_invokers",
    ]);
    expect(c.view.dataSources).toEqual({ "data.google_project.current": {} });
    expect(c.view.providers.google.map((p) => p.alias)).toEqual([undefined, "us"]);
    expect(c.view.backend).toEqual({ type: "gcs", config: { bucket: "acme-tf-state", prefix: "search" } });
    const at = (line: number, column: number) => ({ file: `${F}/json/service.tf.json`, line, column });
    expect(c.modules).toEqual([{ name: "dns", source: "./modules/dns", location: at(105, 5) }]);
    expect(Object.fromEntries(c.locations)).toEqual({
      "google_cloud_run_v2_service.search": at(47, 7),
      "google_cloud_run_v2_service.shard": at(78, 7),
      "google_cloud_run_v2_service_iam_binding.search_invokers": at(96, 7),
      "data.google_project.current": at(42, 7),
    });
    expect(c.acknowledgements).toEqual([]);
  });

  test("blocks as objects or lists, read alike; dynamic blocks unknown; count as written", () => {
    const search = resource(c, "google_cloud_run_v2_service.search");
    expect(get(search.attrs, "template", "service_account")).toBe(
      "${data.google_project.current.number}-compute@developer.gserviceaccount.com",
    );
    expect(containersOf(search)).toEqual([
      {
        image: "${var.image}",
        env: { name: "INDEX", value: "products" },
        volume_mounts: dynamicBlock("volume_mounts"),
      },
    ]);
    const shard = resource(c, "google_cloud_run_v2_service.shard");
    expect(shard.attrs).toEqual(
      expect.objectContaining({ count: "${var.shards}", provider: "google.us", deletion_protection: false }),
    );
    expect(containersOf(shard).map((x) => x.image)).toEqual(["europe-docker.pkg.dev/acme/search/shard:3.0.1"]);
    expect(resource(c, "google_cloud_run_v2_service_iam_binding.search_invokers").attrs.members).toEqual([
      "allAuthenticatedUsers",
      "serviceAccount:gateway@acme.iam.gserviceaccount.com",
    ]);
  });

  test("cdktf's cdk.tf.json: its // metadata is dropped, its resources read at their ids", async () => {
    const cdk = only(await read([`${F}/cdktf/cdk.tf.json`]));
    const predict = resource(cdk, "google_cloud_run_v2_service.predict_service_5F6A3C1B");
    expect(predict.attrs["//"]).toBeUndefined();
    expect(predict.name).toBe("predict_service_5F6A3C1B");
    expect(get(predict.attrs, "template", "service_account")).toBe(
      "${google_service_account.predict_runtime_A1B2C3D4.email}",
    );
    expect(list(get(predict.attrs, "template", "containers"))[0].startup_probe).toEqual({
      http_get: { path: "/ready" },
    });
    expect(cdk.view.backend).toEqual({ type: "gcs", config: { bucket: "acme-dev-tf-state", prefix: "serving-dev" } });
    expect(cdk.view.providers.google[0].default_labels).toEqual({ app: "serving", environment: "dev" });
    expect(cdk.locations.get("google_cloud_run_v2_service.predict_service_5F6A3C1B")).toEqual({
      file: `${F}/cdktf/cdk.tf.json`,
      line: 21,
      column: 7,
    });
  });
});

describe("a plan", () => {
  let c: Configuration;
  beforeAll(async () => {
    c = only(await read([`${F}/plan/plan.json`], false));
  });

  test("is a whole root module with no backend named and no module calls", () => {
    expect(c.kind).toBe("plan");
    expect(c.root).toBe(true);
    expect(c.view.backend).toBeUndefined();
    expect(c.modules).toEqual([]);
    expect(c.acknowledgements).toEqual([]);
    expect(c.files).toEqual([`${F}/plan/plan.json`]);
  });

  test("has what the plan leaves in place, child modules included; a deleted resource is not there", () => {
    expect(c.view.resources.map((r) => [r.address, r.type, r.name])).toEqual([
      ["google_cloud_run_v2_service.api", "google_cloud_run_v2_service", "api"],
      ["google_cloud_run_v2_service.edge[0]", "google_cloud_run_v2_service", "edge"],
      [
        "google_cloud_run_v2_service_iam_member.status_public",
        "google_cloud_run_v2_service_iam_member",
        "status_public",
      ],
      ["module.jobs.google_cloud_run_v2_job.nightly", "google_cloud_run_v2_job", "nightly"],
      ["module.jobs.google_service_account.nightly", "google_service_account", "nightly"],
    ]);
    for (const r of c.view.resources) expect([r.path, r.stack]).toEqual([r.address, c.view]);
  });

  test("data sources read at plan time come from the prior state", () => {
    expect(Object.keys(c.view.dataSources)).toEqual(["data.google_project.current"]);
    expect(c.view.dataSources["data.google_project.current"].number).toBe("123456789012");
  });

  test("values in the configuration's shape: blocks of one as objects, null and [] as not set", () => {
    const api = resource(c, "google_cloud_run_v2_service.api");
    expect(get(api.attrs, "template", "service_account")).toBe("api-runtime@acme-prod.iam.gserviceaccount.com");
    expect(get(api.attrs, "template", "scaling", "max_instance_count")).toBe(20);
    expect(envVars(api).find((e) => e.name === "DB_PASSWORD")?.secret).toEqual({ secret: "db-password", version: "7" });
    expect(api.attrs.description).toBeUndefined();
    expect(api.attrs.binary_authorization).toBeUndefined();
    expect(containersOf(api)[0].liveness_probe).toBeUndefined();
  });

  test("what after_unknown marks is an expression, wherever it is", () => {
    const api = resource(c, "google_cloud_run_v2_service.api");
    expect(api.attrs.uri).toBe(UNKNOWN_AFTER_APPLY);
    expect(isExpression(UNKNOWN_AFTER_APPLY)).toBe(true);
    expect(get(api.attrs, "template", "containers", "startup_probe", "http_get", "port")).toBe(UNKNOWN_AFTER_APPLY);
    expect(get(api.attrs, "template", "containers", "startup_probe", "http_get", "path")).toBe("/ready");
    const edge = resource(c, "google_cloud_run_v2_service.edge[0]");
    expect(get(edge.attrs, "template", "service_account")).toBe(UNKNOWN_AFTER_APPLY);
    expect(get(edge.attrs, "template", "scaling")).toBe(UNKNOWN_AFTER_APPLY);
    const job = resource(c, "module.jobs.google_cloud_run_v2_job.nightly");
    expect(get(job.attrs, "template", "template", "service_account")).toBe(UNKNOWN_AFTER_APPLY);
    expect(containersOf(job)[0].image).toBe("europe-docker.pkg.dev/acme-prod/jobs/reindex:5.0.0");
    expect(resource(c, "google_cloud_run_v2_service_iam_member.status_public").attrs.member).toBe("allUsers");
  });

  test("each resource is located at the line of its address in planned_values", () => {
    const at = (line: number, column: number) => ({ file: `${F}/plan/plan.json`, line, column });
    expect(Object.fromEntries(c.locations)).toEqual({
      "google_cloud_run_v2_service.api": at(16, 11),
      "google_cloud_run_v2_service.edge[0]": at(131, 11),
      "google_cloud_run_v2_service_iam_member.status_public": at(165, 11),
      "module.jobs.google_cloud_run_v2_job.nightly": at(187, 15),
      "module.jobs.google_service_account.nightly": at(240, 15),
      "data.google_project.current": at(699, 13),
    });
    const lines = fs.readFileSync(path.join(ROOT, F, "plan", "plan.json"), "utf8").split("\n");
    expect(lines[186].trim()).toBe('"address": "module.jobs.google_cloud_run_v2_job.nightly",');
  });
});

describe("problems", () => {
  test("an HCL syntax error, with its file, line and column; no configuration", async () => {
    const { configurations, problems } = await read([`${F}/broken/syntax.tf`]);
    expect(configurations).toEqual([]);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toBeInstanceOf(InputError);
    expect(problems[0]).toMatchObject({ file: `${F}/broken/syntax.tf`, line: 6, column: 14 });
    expect(problems[0].problem).toMatch(/^Invalid expression; Expected the start of an expression/);
    expect(problems[0].message).toMatch(new RegExp(`^${F}/broken/syntax\\.tf:6:14: Invalid expression`));
  });

  test("a folder with a file that does not parse gives its problems and no configuration", async () => {
    const { configurations, problems } = await read([`${F}/broken`]);
    expect(configurations).toEqual([]);
    expect(problems.map((p) => [p.file, p.line])).toEqual([[`${F}/broken/syntax.tf`, 6]]);
  });

  test("every diagnostic of a file is reported", async () => {
    const dir = folder({ "two.tf": 'resource "a" "b" {\n  x = "abc\n}\n' });
    const { problems } = await readPaths([path.join(dir, "two.tf")], { root: false });
    expect(problems.length).toBeGreaterThan(1);
    expect(problems.map((p) => p.line)).toContain(2);
    expect(problems.every((p) => p.column !== undefined)).toBe(true);
  });

  test("invalid JSON, with its line and column", async () => {
    const dir = folder({
      "broken.tf.json":
        '{\n  "resource": {\n    "google_cloud_run_v2_service": {\n      "a": { "name": "a", }\n    }\n  }\n}\n',
      "broken.json": '{\n  "format_version": "1.2"\n  "planned_values": {}\n}\n',
    });
    const { configurations, problems } = await readPaths(["broken.tf.json", "broken.json"], { root: true, cwd: dir });
    expect(configurations).toEqual([]);
    expect(problems.map((p) => [p.file, p.line, p.column, p.problem])).toEqual([
      ["broken.tf.json", 4, 27, "is not valid JSON: property name expected"],
      ["broken.json", 3, 3, "is not valid JSON: comma expected"],
    ]);
  });

  test("every path is read and every problem returned at once", async () => {
    const dir = folder({
      "notes.txt": "not Terraform\n",
      "v2.json": '{ "format_version": "2.0", "planned_values": {} }\n',
    });
    const { configurations, problems } = await readPaths(
      [
        `${F}/does-not-exist`,
        `${F}/empty`,
        `${F}/broken/syntax.tf`,
        `${F}/other/state.json`,
        `${F}/hcl/buckets.tf.json`,
        `${F}/json/service.tf.json`,
        path.join(dir, "notes.txt"),
        path.join(dir, "v2.json"),
        `${F}/hcl`,
        `${F}/plan/plan.json`,
      ],
      { root: true, cwd: ROOT },
    );
    expect(configurations.map((c) => c.label)).toEqual([
      `${F}/hcl/buckets.tf.json`,
      `${F}/json/service.tf.json`,
      `${F}/hcl`,
      `${F}/plan/plan.json`,
    ]);
    expect(problems.map((p) => p.file)).toEqual([
      `${F}/does-not-exist`,
      `${F}/empty`,
      `${F}/broken/syntax.tf`,
      `${F}/other/state.json`,
      path.join(dir, "notes.txt"),
      path.join(dir, "v2.json"),
    ]);
    expect(problems.map((p) => p.problem)).toEqual([
      "does not exist",
      "has no .tf or .tf.json files (a folder is read as one configuration; subfolders are not read)",
      expect.stringMatching(/^Invalid expression/),
      expect.stringMatching(/^is a Terraform state .*, not a Terraform plan/),
      expect.stringMatching(/^is not a folder, a \.tf or \.tf\.json file, or a plan/),
      "has format_version 2.0; this reader knows the 1.x plan format",
    ]);
  });

  test("a .json file says what it is not: Terraform JSON named .json, or anything else", async () => {
    const dir = folder({ "main.json": '{ "resource": {} }', "package.json": '{ "name": "x" }', "list.json": "[1]" });
    const { problems } = await readPaths(["main.json", "package.json", "list.json"], { root: true, cwd: dir });
    expect(problems.map((p) => p.problem)).toEqual([
      expect.stringMatching(/is Terraform JSON configuration, not a Terraform plan .*: name it \.tf\.json/),
      expect.stringMatching(/^is not a Terraform plan \(`terraform show -json PLANFILE` output/),
      expect.stringMatching(/^is not a Terraform plan/),
    ]);
  });

  test("a resource defined twice in a folder, as Terraform refuses it; the first is kept", async () => {
    const dir = folder({
      "a.tf": 'resource "google_cloud_run_v2_service" "api" {\n  name = "one"\n}\n',
      "b.tf.json": '{ "resource": { "google_cloud_run_v2_service": { "api": { "name": "two" } } } }',
    });
    const { configurations, problems } = await readPaths(["."], { root: true, cwd: dir });
    expect(problems.map((p) => p.message)).toEqual([
      "b.tf.json:1:50: google_cloud_run_v2_service.api is defined twice (also at a.tf:1)",
    ]);
    expect(configurations[0].view.resources.map((r) => r.attrs.name)).toEqual(["one"]);
  });

  test("acknowledgements outside a resource block, or naming no rule, are problems", async () => {
    const dir = folder({
      "main.tf": [
        "# cdktf-cloud-run:acknowledge RUN-001 written above the block, where it accepts nothing",
        'resource "google_cloud_run_v2_service" "api" {',
        "  # cdktf-cloud-run:acknowledge",
        '  name = "api" # cdktf-cloud-run:acknowledge RUN-009 Behind the load balancer only.',
        "}",
        'data "google_project" "p" {',
        "  // cdktf-cloud-run:acknowledge RUN-001 not a resource",
        "}",
        "# cdktf-cloud-run:acknowledged is another word and no marker",
        "",
      ].join("\n"),
    });
    const { configurations, problems } = await readPaths(["main.tf"], { root: true, cwd: dir });
    expect(problems.map((p) => [p.line, p.column, p.problem])).toEqual([
      [1, 1, expect.stringMatching(/inside the resource block .*; this one is outside any block$/)],
      [3, 3, expect.stringMatching(/names no rule/)],
      [7, 3, expect.stringMatching(/this one is in a data google_project p block$/)],
    ]);
    expect(configurations[0].acknowledgements).toEqual([
      {
        ruleId: "RUN-009",
        reason: "Behind the load balancer only.",
        address: "google_cloud_run_v2_service.api",
        location: { file: "main.tf", line: 4, column: 16 },
      },
    ]);
  });
});

describe("folders as Terraform reads them", () => {
  test("override files are merged into the blocks they name, last", async () => {
    const dir = folder({
      "main.tf": 'resource "google_cloud_run_v2_service" "api" {\n  name = "api"\n  deletion_protection = false\n}\n',
      "override.tf": 'resource "google_cloud_run_v2_service" "api" {\n  deletion_protection = true\n}\n',
      "z_override.tf.json": '{ "resource": { "google_cloud_run_v2_service": { "ghost": { "name": "ghost" } } } }',
    });
    const { configurations, problems } = await readPaths(["."], { root: true, cwd: dir });
    expect(configurations[0].view.resources.map((r) => r.attrs)).toEqual([{ name: "api", deletion_protection: true }]);
    expect(configurations[0].locations.get("google_cloud_run_v2_service.api")).toEqual({
      file: "main.tf",
      line: 1,
      column: 1,
    });
    expect(problems.map((p) => p.problem)).toEqual([
      "google_cloud_run_v2_service.ghost overrides nothing: no other file defines it",
    ]);
  });

  test("hidden files, editor backups and subfolders are not read; a path given twice is read once", async () => {
    const dir = folder({
      "main.tf": 'resource "google_cloud_run_v2_service" "api" {\n  name = "api"\n}\n',
      ".hidden.tf": "this is not HCL {",
      "main.tf~": "nor this {",
    });
    fs.mkdirSync(path.join(dir, "modules"));
    fs.writeFileSync(path.join(dir, "modules", "x.tf"), 'resource "google_storage_bucket" "b" {}\n');
    const { configurations, problems } = await readPaths([".", "./"], { root: true, cwd: dir });
    expect(problems).toEqual([]);
    expect(configurations).toHaveLength(1);
    expect(configurations[0].files).toEqual(["main.tf"]);
  });

  test("nothing is written", async () => {
    const dir = folder({ "main.tf": 'resource "google_cloud_run_v2_service" "api" {\n  name = "api"\n}\n' });
    const before = fs.readdirSync(dir);
    await readPaths(["."], { root: true, cwd: dir });
    expect(fs.readdirSync(dir)).toEqual(before);
  });
});

describe("the scan of HCL text", () => {
  test("braces in strings, interpolations, heredocs and comments do not open blocks", () => {
    const text = [
      'resource "a" "b" {',
      '  x = "{ not a block ${jsonencode({ a = "}" })} }" # a { comment',
      "  y = <<-EOT",
      "    } { ${var.z} }",
      "    EOT",
      "  /* } */ z = 1 // }",
      '  w = "$${literal} %%{ also }"',
      "}",
      "",
      "data c d {",
      "}",
      'module "m" {}',
    ].join("\n");
    const { blocks, comments } = scanHcl(text);
    expect(blocks.map((b) => [b.kind, b.labels, b.line])).toEqual([
      ["resource", ["a", "b"], 1],
      ["data", ["c", "d"], 10],
      ["module", ["m"], 12],
    ]);
    expect(text.slice(blocks[0].start, blocks[0].end).endsWith('%%{ also }"\n}')).toBe(true);
    expect(comments.map((c) => [c.text, c.line, c.style])).toEqual([
      [" a { comment", 2, "line"],
      [" } ", 6, "block"],
      [" }", 6, "line"],
    ]);
  });
});

/** HCL in the style of Google's Cloud Run samples (terraform-docs-samples/run), and other shapes found in the wild. */
const SAMPLES: Record<string, string> = {
  "sql.tf": `
resource "google_cloud_run_v2_service" "default" {
  name                = "cloudrun-service"
  location            = "us-central1"
  deletion_protection = false
  ingress             = "INGRESS_TRAFFIC_ALL"

  template {
    scaling {
      max_instance_count = 2
    }
    volumes {
      name = "cloudsql"
      cloud_sql_instance {
        instances = [google_sql_database_instance.instance.connection_name]
      }
    }
    containers {
      image = "us-docker.pkg.dev/cloudrun/container/hello"
      ports {
        container_port = 8080
      }
      resources {
        limits = {
          cpu    = "2"
          memory = "1024Mi"
        }
        startup_cpu_boost = true
      }
      env {
        name  = "FOO"
        value = "bar"
      }
      env {
        name = "SECRET_ENV_VAR"
        value_source {
          secret_key_ref {
            secret  = google_secret_manager_secret.secret.secret_id
            version = "latest"
          }
        }
      }
      volume_mounts {
        name       = "cloudsql"
        mount_path = "/cloudsql"
      }
    }
  }
  traffic {
    type    = "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST"
    percent = 100
  }
  depends_on = [google_secret_manager_secret_version.secret-version-data]
}
`,
  "traffic.tf": `
resource "google_cloud_run_v2_service" "split" {
  name     = "cloudrun-service"
  location = "us-central1"
  template {
    revision = "cloudrun-service-green"
    containers {
      image = "us-docker.pkg.dev/cloudrun/container/hello"
    }
  }
  traffic {
    type     = "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION"
    revision = "cloudrun-service-blue"
    percent  = 75
    tag      = "blue"
  }
  traffic {
    type     = "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION"
    revision = "cloudrun-service-green"
    percent  = 25
    tag      = "green"
  }
  lifecycle {
    ignore_changes  = [template[0].containers[0].image, client]
    prevent_destroy = true
  }
}
`,
  "job.tf": `
resource "google_cloud_run_v2_job" "default" {
  name     = "cloudrun-job"
  location = "us-central1"
  template {
    parallelism = 2
    task_count  = 10
    template {
      max_retries = 3
      timeout     = "3600s"
      containers {
        image   = "us-docker.pkg.dev/cloudrun/container/job"
        command = ["python", "main.py"]
        args    = ["--tasks", "10"]
      }
      vpc_access {
        connector = google_vpc_access_connector.connector.id
        egress    = "ALL_TRAFFIC"
      }
    }
  }
}

resource "google_cloud_scheduler_job" "nightly" {
  name     = "nightly"
  schedule = "0 3 * * *"
  http_target {
    http_method = "POST"
    uri         = "https://us-central1-run.googleapis.com/apis/run.googleapis.com/v1/namespaces/\${var.project}/jobs/\${google_cloud_run_v2_job.default.name}:run"
    oauth_token {
      service_account_email = google_service_account.scheduler.email
    }
  }
}
`,
  "v1.tf": `
resource "google_cloud_run_service" "default" {
  name                       = "cloudrun-srv"
  location                   = "us-central1"
  autogenerate_revision_name = true
  metadata {
    annotations = {
      "run.googleapis.com/ingress" = "all"
    }
  }
  template {
    spec {
      containers {
        image = "us-docker.pkg.dev/cloudrun/container/hello"
        env {
          name = "API_KEY"
          value_from {
            secret_key_ref {
              name = google_secret_manager_secret.secret.secret_id
              key  = "1"
            }
          }
        }
      }
    }
    metadata {
      annotations = {
        "autoscaling.knative.dev/maxScale"      = "1000"
        "run.googleapis.com/cloudsql-instances" = google_sql_database_instance.instance.connection_name
      }
    }
  }
  traffic {
    percent         = 100
    latest_revision = true
  }
}

data "google_iam_policy" "noauth" {
  binding {
    role    = "roles/run.invoker"
    members = ["allUsers"]
  }
}

resource "google_cloud_run_service_iam_policy" "noauth" {
  location    = google_cloud_run_service.default.location
  project     = google_cloud_run_service.default.project
  service     = google_cloud_run_service.default.name
  policy_data = data.google_iam_policy.noauth.policy_data
}
`,
  "gpu.tf": `
resource "google_cloud_run_v2_service" "gpu" {
  provider     = google-beta
  name         = "gpu-service"
  location     = "us-central1"
  launch_stage = "BETA"
  template {
    gpu_zonal_redundancy_disabled = true
    containers {
      image = "us-docker.pkg.dev/cloudrun/container/hello"
      resources {
        limits = {
          "cpu"            = "4"
          "memory"         = "16Gi"
          "nvidia.com/gpu" = "1"
        }
      }
    }
    node_selector {
      accelerator = "nvidia-l4"
    }
    scaling {
      max_instance_count = 1
    }
  }
}
`,
  "expressions.tf": `
terraform {
  cloud {
    organization = "acme"
    workspaces {
      name = "serving"
    }
  }
}

variable "services" {
  type = map(object({
    image = string
    min   = optional(number, 0)
  }))
}

resource "google_cloud_run_v2_service" "many" {
  for_each = { for k, v in var.services : k => v if v.image != "" }
  name     = "svc-\${each.key}"
  location = try(var.region, "europe-west1")
  labels   = merge(var.labels, { app = each.key })
  template {
    service_account = var.sa == null ? null : var.sa
    scaling {
      min_instance_count = each.value.min
    }
    containers {
      image = each.value.image
      env {
        name  = "CONFIG"
        value = <<-EOT
          %{ for k, v in var.config ~}
          \${k}=\${v}
          %{ endfor ~}
        EOT
      }
    }
  }
}

resource "google_cloud_run_v2_service_iam_policy" "json" {
  name        = google_cloud_run_v2_service.many["a"].name
  location    = "europe-west1"
  policy_data = jsonencode({ bindings = [{ role = "roles/run.invoker", members = ["allUsers"] }] })
}

resource "google_project_iam_binding" "owners" {
  project = var.project
  role    = "roles/owner"
  members = var.owners
}

removed {
  from = google_cloud_run_v2_service.old
  lifecycle {
    destroy = false
  }
}

check "health" {
  data "http" "api" {
    url = "https://example.com/health"
  }
  assert {
    condition     = data.http.api.status_code == 200
    error_message = "The API is down."
  }
}

locals {
  region = provider::google::region_from_zone("us-central1-a")
}

ephemeral "google_service_account_access_token" "token" {
  target_service_account = "deployer@acme.iam.gserviceaccount.com"
  scopes                 = ["cloud-platform"]
}
`,
};

describe("HCL as others write it (Google's Cloud Run samples' shapes)", () => {
  let dir: string;
  let samples: Configuration[];
  beforeAll(async () => {
    dir = folder(SAMPLES);
    const result = await readPaths([".", ...Object.keys(SAMPLES)], { root: true, cwd: dir });
    expect(result.problems.map((p) => p.message)).toEqual([]);
    samples = result.configurations;
  });

  test("every sample is read, alone and as one folder", () => {
    expect(samples.map((c) => c.label)).toEqual([".", ...Object.keys(SAMPLES)]);
    expect(samples[0].view.resources).toHaveLength(10);
  });

  test("their attributes are where the rules look", () => {
    const all = samples[0];
    const sql = resource(all, "google_cloud_run_v2_service.default");
    expect(get(sql.attrs, "template", "volumes", "cloud_sql_instance", "instances")).toEqual([
      "${google_sql_database_instance.instance.connection_name}",
    ]);
    expect(envVars(sql).find((e) => e.name === "SECRET_ENV_VAR")?.secret?.version).toBe("latest");
    expect(sql.attrs.depends_on).toEqual(["google_secret_manager_secret_version.secret-version-data"]);
    const split = resource(all, "google_cloud_run_v2_service.split");
    expect(list(split.attrs.traffic).map((t) => t.percent)).toEqual([75, 25]);
    expect(get(split.attrs, "lifecycle", "ignore_changes")).toEqual(["template[0].containers[0].image", "client"]);
    const v1 = resource(all, "google_cloud_run_service.default");
    expect(envVars(v1)[0].secret).toEqual({ name: "${google_secret_manager_secret.secret.secret_id}", key: "1" });
    expect(all.view.dataSources["data.google_iam_policy.noauth"]).toEqual({
      binding: { role: "roles/run.invoker", members: ["allUsers"] },
    });
    const gpu = resource(all, "google_cloud_run_v2_service.gpu");
    expect(get(gpu.attrs, "template", "containers", "resources", "limits", "nvidia.com/gpu")).toBe("1");
    const many = resource(all, "google_cloud_run_v2_service.many");
    expect(many.attrs.for_each).toBe('${{ for k, v in var.services : k => v if v.image != "" }}');
    expect(isExpression(get(many.attrs, "template", "service_account"))).toBe(true);
    expect(all.view.backend).toEqual({
      type: "cloud",
      config: { organization: "acme", workspaces: { name: "serving" } },
    });
  });
});

describe("every rule on every shape", () => {
  let configurations: Configuration[];
  beforeAll(async () => {
    const fixtures = await read([
      `${F}/hcl`,
      `${F}/hcl/services.tf`,
      `${F}/json/service.tf.json`,
      `${F}/cdktf/cdk.tf.json`,
      `${F}/plan/plan.json`,
    ]);
    const samples = await readPaths(["."], { root: false, cwd: folder(SAMPLES) });
    configurations = [...fixtures.configurations, ...samples.configurations];
    expect([...fixtures.problems, ...samples.problems]).toEqual([]);
  });

  const outcome = (outcomes: RuleOutcome[], id: string, address?: string) =>
    outcomes.find((o) => o.rule.id === id && o.resource?.address === address)?.result;

  test("no rule throws, and every result is one of the four", () => {
    for (const c of configurations) {
      const outcomes = evaluateView(c.view, RULES);
      expect(outcomes.length).toBeGreaterThan(0);
      for (const o of outcomes)
        expect(["compliant", "non-compliant", "not-applicable", "unknown"]).toContain(o.result.status);
    }
  });

  test("the rules see what the shapes say", () => {
    const [hcl, , json, cdk, plan] = configurations.map((c) => evaluateView(c.view, RULES));
    expect(outcome(hcl, "RUN-001", "google_cloud_run_v2_service_iam_member.status_public")?.status).toBe(
      "non-compliant",
    );
    expect(outcome(hcl, "RUN-003", "google_cloud_run_v2_service.batch")?.status).toBe("non-compliant");
    expect(outcome(hcl, "RUN-003", "google_cloud_run_v2_service.api")?.status).toBe("compliant");
    expect(outcome(hcl, "RUN-004", "google_cloud_run_v2_service.batch")?.status).toBe("non-compliant");
    expect(outcome(hcl, "RUN-004", "google_cloud_run_v2_service.api")?.status).toBe("compliant");
    expect(outcome(hcl, "RUN-004", "google_cloud_run_v2_job.worker")?.status).toBe("unknown");
    expect(outcome(hcl, "RUN-005", "google_cloud_run_v2_service.batch")?.status).toBe("non-compliant");
    expect(outcome(hcl, "RUN-010", "google_cloud_run_v2_service.api")?.status).toBe("compliant");
    expect(outcome(hcl, "STATE-001")?.status).toBe("compliant");
    expect(outcome(hcl, "LABEL-001", "google_cloud_run_v2_service.api")?.status).toBe("unknown");
    expect(outcome(json, "RUN-001", "google_cloud_run_v2_service_iam_binding.search_invokers")?.status).toBe(
      "non-compliant",
    );
    expect(outcome(json, "RUN-003", "google_cloud_run_v2_service.search")?.status).toBe("non-compliant");
    expect(outcome(json, "RUN-004", "google_cloud_run_v2_service.search")?.status).toBe("unknown");
    expect(outcome(cdk, "RUN-008", "google_cloud_run_v2_service.predict_service_5F6A3C1B")?.status).toBe("compliant");
    expect(outcome(plan, "RUN-001", "google_cloud_run_v2_service_iam_member.status_public")?.status).toBe(
      "non-compliant",
    );
    expect(outcome(plan, "RUN-003", "google_cloud_run_v2_service.edge[0]")?.status).toBe("unknown");
    expect(outcome(plan, "RUN-003", "module.jobs.google_cloud_run_v2_job.nightly")?.status).toBe("unknown");
    expect(outcome(plan, "RUN-004", "module.jobs.google_cloud_run_v2_job.nightly")?.status).toBe("non-compliant");
    expect(outcome(plan, "RUN-008", "google_cloud_run_v2_service.edge[0]")?.status).toBe("non-compliant");
    expect(outcome(plan, "RUN-010", "google_cloud_run_v2_service.api")?.status).toBe("compliant");
    expect(outcome(plan, "STATE-001")?.status).toBe("unknown");
  });
});

/**
 * What reading loads, in a thread of its own: jest's module registry is not Node's, and the
 * readers load @cdktf/hcl2json through Node's require. Threads, not processes: only e2e tests
 * start processes (__tests__/layout.test.ts).
 */
function loadedBy(paths: string[], evaluate: boolean): Promise<string[]> {
  const code = `
    const { parentPort, workerData } = require("worker_threads");
    const path = require("path");
    require(path.join(workerData.root, "scripts/register.cjs"));
    const { readPaths } = require(path.join(workerData.root, "lib/check/read/index.ts"));
    readPaths(workerData.paths, { root: true, cwd: workerData.root }).then((read) => {
      if (workerData.evaluate) {
        const { evaluateView } = require(path.join(workerData.root, "lib/policies/evaluate.ts"));
        const { RULES } = require(path.join(workerData.root, "lib/policies/rules/index.ts"));
        for (const c of read.configurations) evaluateView(c.view, RULES);
      }
      parentPort.postMessage(Object.keys(require.cache));
    });
  `;
  return new Promise((resolve, reject) => {
    const worker = new Worker(code, { eval: true, workerData: { root: ROOT, paths, evaluate } });
    worker.once("message", (files: string[]) => {
      void worker.terminate();
      resolve(files.map((f) => path.relative(ROOT, f).split(path.sep).join("/")));
    });
    worker.once("error", reject);
  });
}

describe("what reading loads", () => {
  const heavy = /^node_modules\/(cdktf|constructs|@cdktf\/provider-google)\//;

  test("neither cdktf, nor constructs, nor the provider's classes, to read and to evaluate", async () => {
    const files = await loadedBy([`${F}/hcl`, `${F}/json/service.tf.json`, `${F}/plan/plan.json`], true);
    expect(files).toContain("lib/check/read/hcl.ts");
    expect(files).toContain("node_modules/@cdktf/hcl2json/lib/index.js");
    expect(files).toContain("lib/policies/rules/index.ts");
    expect(files.filter((f) => heavy.test(f))).toEqual([]);
  }, 30_000);

  test("HCL's parser only when there is HCL to read", async () => {
    const files = await loadedBy([`${F}/json/service.tf.json`, `${F}/plan/plan.json`], false);
    expect(files).toContain("node_modules/jsonc-parser/lib/umd/main.js");
    expect(files.filter((f) => f.startsWith("node_modules/@cdktf/hcl2json/"))).toEqual([]);
  }, 30_000);
});
