/**
 * `npm run parity` (runParity): its exit codes on synthesized stacks, and the environments in
 * environments/, which must differ only where they declare it.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { environmentFiles, synthesize } from "../../../lib/app";
import { compareStacks } from "../../../lib/app/parity";
import { runParity } from "../../../lib/app/parity/cli";
import { PARITY_ENVIRONMENTS, synthesizeAll } from "../../fixtures/parity";

let outdir: string;

beforeAll(() => {
  outdir = fs.mkdtempSync(path.join(os.tmpdir(), "cdktf-cloud-run-parity-"));
  synthesizeAll(PARITY_ENVIRONMENTS, outdir);
});
afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

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

test("the environments in environments/ differ only where they declare it", () => {
  const files = environmentFiles();
  if (files.length < 2) return; // nothing to compare
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cdktf-cloud-run-parity-example-"));
  expect(synthesize({ files, outdir: dir, environmentsOnly: true }).errors).toEqual([]);
  const stacks = Object.fromEntries(
    files.map((f) => [f.name, JSON.parse(fs.readFileSync(path.join(dir, "stacks", f.name, "cdk.tf.json"), "utf8"))]),
  );
  fs.rmSync(dir, { recursive: true, force: true });
  const report = compareStacks(stacks);
  expect({ drift: report.drift, stale: report.stale }).toEqual({ drift: [], stale: [] });
});
