/**
 * `npm run parity` (runParity): its exit codes on synthesized stacks.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { runParity } from "../../../lib/app/parity/cli";
import { parityStacks } from "../../fixtures/parity";

let outdir: string;

beforeAll(() => {
  outdir = parityStacks().outdir;
});

test("npm run parity's exit codes: 0 clean, 1 drift, 2 nothing to compare", () => {
  expect(runParity(["--dir", outdir])).toMatchObject({
    code: 0,
    stdout: expect.stringMatching(/No undeclared differences/),
  });
  expect(runParity(["--dir", outdir, "--markdown"]).stdout).toMatch(/^## Environment parity: alpha, beta, gamma\n/);
  const copy = fs.mkdtempSync(path.join(os.tmpdir(), "cdktf-cloud-run-parity-one-"));
  fs.cpSync(path.join(outdir, "stacks", "alpha"), path.join(copy, "stacks", "alpha"), { recursive: true });
  expect(runParity(["--dir", copy])).toMatchObject({
    code: 2,
    stderr: expect.stringMatching(/at least two environment stacks .*; found 1: run npm run synth first/),
  });
  expect(runParity(["--dir", path.join(copy, "nowhere")])).toMatchObject({
    code: 2,
    stderr: expect.stringMatching(/run npm run synth first/),
  });
  fs.rmSync(copy, { recursive: true, force: true });
});

test.each([
  [["--dir"], /--dir/],
  [["--dir", "--markdown"], /--dir/],
  [["--markdwon"], /Unknown option '--markdwon'/],
  [["cdktf.out"], /Unexpected argument 'cdktf.out'/],
])("a usage error exits 2 with the usage, never a stack: %j", (argv, message) => {
  const r = runParity(argv);
  expect(r).toEqual({ code: 2, stdout: "", stderr: expect.stringMatching(message) });
  expect(r.stderr).toContain("Usage: npm run parity [-- --markdown] [--dir <cdktf.out>]");
  expect(r.stderr).not.toMatch(/^\s+at /m);
});
