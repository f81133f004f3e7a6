import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { synthesize } from "../lib/app";
import { PARITY_METADATA_KEY, StackJson, compareStacks, isClean, renderMarkdown, renderText } from "../lib/app/parity";
import { Json } from "./helpers";

const root = path.resolve(__dirname, "..");
let outdir: string;
let original: Record<string, StackJson>;

beforeAll(() => {
  outdir = fs.mkdtempSync(path.join(os.tmpdir(), "cdktf-cloud-run-parity-"));
  expect(synthesize({ outdir }).errors).toEqual([]);
  original = Object.fromEntries(
    ["dev", "prod", "staging"].map((e) => [
      e,
      JSON.parse(fs.readFileSync(path.join(outdir, "stacks", e, "cdk.tf.json"), "utf8")) as StackJson,
    ]),
  );
});
afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

/** The default stacks with `edit` applied to a copy of one of them. */
function edited(env: string, edit: (stack: Json) => void): Record<string, StackJson> {
  const stacks = structuredClone(original);
  edit(stacks[env]);
  return stacks;
}
const service = (stack: Json) => Object.values(stack.resource.google_cloud_run_v2_service)[0] as Json;

describe("environment parity", () => {
  test("the default environments are clean: every difference is declared, with its reason", () => {
    const report = compareStacks(original);
    expect(report.drift).toEqual([]);
    expect(report.stale).toEqual([]);
    expect(isClean(report)).toBe(true);
    const minRow = report.declared.find(
      (r) => r.path === "google_cloud_run_v2_service.predict_service.template.scaling.min_instance_count",
    );
    expect(minRow).toEqual({
      path: "google_cloud_run_v2_service.predict_service.template.scaling.min_instance_count",
      values: { dev: "0", prod: "1", staging: "0" },
      reasons: { prod: "no cold starts for users" },
      kind: "attribute",
    });
  });

  test("project ids, environment names and names derived from them are not differences", () => {
    const report = compareStacks(original);
    const paths = [...report.declared, ...report.drift].map((r) => r.path);
    expect(paths.filter((p) => /backend|provider|project|labels|account_id|output/.test(p))).toEqual([]);
  });

  test("an undeclared difference injected into one stack is caught and named", () => {
    const report = compareStacks(edited("staging", (s) => (service(s).template.max_instance_request_concurrency = 32)));
    expect(isClean(report)).toBe(false);
    expect(report.drift).toEqual([
      {
        path: "google_cloud_run_v2_service.predict_service.template.max_instance_request_concurrency",
        values: { dev: "8", prod: "8", staging: "32" },
        reasons: {},
        kind: "attribute",
      },
    ]);
    expect(renderText(report)).toMatch(
      /google_cloud_run_v2_service\.predict_service\.template\.max_instance_request_concurrency\s+8\s+8\s+32/,
    );
  });

  test("a declared difference passes", () => {
    const report = compareStacks(
      edited("staging", (s) => {
        service(s).template.max_instance_request_concurrency = 32;
        s["//"].metadata[PARITY_METADATA_KEY].differences[
          "google_cloud_run_v2_service.predict_service.template.max_instance_request_concurrency"
        ] = "load test of a higher concurrency";
      }),
    );
    expect(report.drift).toEqual([]);
    expect(isClean(report)).toBe(true);
  });

  test("a resource present in one environment and missing in another is drift", () => {
    const report = compareStacks(
      edited("prod", (s) => {
        const members = s.resource.google_cloud_run_v2_service_iam_member;
        for (const id of Object.keys(members)) delete members[id];
      }),
    );
    expect(report.drift).toEqual([
      expect.objectContaining({
        kind: "resource",
        path: expect.stringMatching(/^google_cloud_run_v2_service_iam_member\.predict_invoker-/),
        values: { dev: "(present)", prod: undefined, staging: "(present)" },
      }),
    ]);
  });

  test("a declared difference that no longer exists is reported", () => {
    const report = compareStacks(
      edited("prod", (s) => {
        s["//"].metadata[PARITY_METADATA_KEY].differences["google_cloud_run_v2_service.predict_service.ingress"] =
          "only the load balancer may call prod";
      }),
    );
    expect(report.stale).toEqual([
      {
        environment: "prod",
        path: "google_cloud_run_v2_service.predict_service.ingress",
        reason: "only the load balancer may call prod",
      },
    ]);
    expect(isClean(report)).toBe(false);
    expect(renderText(report)).toMatch(/Stale declarations: 1/);
  });

  test("the markdown matrix for the job summary", () => {
    const md = renderMarkdown(compareStacks(edited("staging", (s) => (service(s).template.timeout = "90s"))));
    expect(md).toContain("| attribute | dev | prod | staging |");
    expect(md).toContain(
      '| `google_cloud_run_v2_service.predict_service.template.timeout` | `"60s"` | `"60s"` | `"90s"` |',
    );
  });
});

describe("npm run parity", () => {
  const run = (args: string[]) => {
    try {
      const stdout = execFileSync(
        process.execPath,
        ["--require", "./scripts/register.cjs", "scripts/parity.ts", ...args],
        { cwd: root, encoding: "utf8", stdio: "pipe" },
      );
      return { status: 0, stdout };
    } catch (e) {
      const { status, stdout, stderr } = e as { status: number; stdout: string; stderr: string };
      return { status, stdout: stdout + stderr };
    }
  };

  test("passes on the default environments, fails naming the attribute when a stack is edited after synth", () => {
    expect(run(["--dir", outdir])).toMatchObject({ status: 0 });
    const copy = fs.mkdtempSync(path.join(os.tmpdir(), "cdktf-cloud-run-parity-edit-"));
    fs.cpSync(outdir, copy, { recursive: true });
    const file = path.join(copy, "stacks", "staging", "cdk.tf.json");
    const stack = JSON.parse(fs.readFileSync(file, "utf8"));
    service(stack).ingress = "INGRESS_TRAFFIC_INTERNAL_ONLY";
    fs.writeFileSync(file, JSON.stringify(stack, null, 2));
    const result = run(["--dir", copy]);
    fs.rmSync(copy, { recursive: true, force: true });
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(/Configuration drift: 1 undeclared difference/);
    expect(result.stdout).toMatch(
      /google_cloud_run_v2_service\.predict_service\.ingress\s+"INGRESS_TRAFFIC_ALL"\s+"INGRESS_TRAFFIC_ALL"\s+"INGRESS_TRAFFIC_INTERNAL_ONLY"/,
    );
  }, 60_000);

  test("exits 2 when there is nothing to compare", () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), "cdktf-cloud-run-parity-empty-"));
    expect(run(["--dir", empty])).toMatchObject({
      status: 2,
      stdout: expect.stringMatching(/run npm run synth first/),
    });
    fs.rmSync(empty, { recursive: true, force: true });
  }, 60_000);
});
