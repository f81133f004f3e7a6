/**
 * The example configuration, environments/, as a team changes it: each environment held to the
 * policy pack at its stage, using every acknowledgement it declares, and the environments
 * differing only where they declare it. (The tests of the code read their own configurations.)
 */
import { Testing } from "cdktf";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { EnvironmentStack, environmentFiles, parseEnvironmentConfig, synthesize } from "../../lib/app";
import { compareStacks } from "../../lib/app/parity";
import { parseRelease, releasedEverywhere } from "../../lib/app/release/deployment";

describe("the pack on each environment of environments/", () => {
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
