/** `npm run parity` as a process, as CI runs it: exit 0 on clean stacks, 1 naming the drift. */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PARITY_ENVIRONMENTS, synthesizeAll } from "../fixtures/parity";
import { Json } from "../helpers";

const root = path.resolve(__dirname, "..", "..");
const service = (stack: Json) => Object.values(stack.resource.google_cloud_run_v2_service)[0] as Json;
let outdir: string;

beforeAll(() => {
  outdir = fs.mkdtempSync(path.join(os.tmpdir(), "cdktf-cloud-run-parity-cli-"));
  synthesizeAll(PARITY_ENVIRONMENTS, outdir);
});
afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

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

  test("passes on clean stacks, fails naming the attribute when a stack is edited after synth", () => {
    expect(run(["--dir", outdir])).toMatchObject({ status: 0 });
    const copy = fs.mkdtempSync(path.join(os.tmpdir(), "cdktf-cloud-run-parity-edit-"));
    fs.cpSync(outdir, copy, { recursive: true });
    const file = path.join(copy, "stacks", "beta", "cdk.tf.json");
    const stack = JSON.parse(fs.readFileSync(file, "utf8"));
    service(stack).ingress = "INGRESS_TRAFFIC_INTERNAL_ONLY";
    fs.writeFileSync(file, JSON.stringify(stack, null, 2));
    const result = run(["--dir", copy]);
    fs.rmSync(copy, { recursive: true, force: true });
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(/Configuration drift: 1 undeclared difference/);
    expect(result.stdout).toMatch(
      /google_cloud_run_v2_service\.predict_service\.ingress\s+"INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER"\s+"INGRESS_TRAFFIC_INTERNAL_ONLY"\s+"INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER"/,
    );
  }, 60_000);
});
