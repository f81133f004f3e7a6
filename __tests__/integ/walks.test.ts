/**
 * The documented walks of a team's first days, done as the docs say, then held to what CI holds
 * a change to: synthesis with no error and `npm run parity` clean. The environments are this
 * repository's (environments/), read as data; each walk changes a copy.
 */
import * as fs from "fs";
import * as path from "path";
import { EnvironmentConfig, environmentFiles, parseEnvironmentConfig, synthesize } from "../../lib/app";
import { runParity } from "../../lib/app/parity/cli";
import { STAGES } from "../../lib/policies/rule";
import { promotionOrder } from "../../lib/app/promotion";
import { environmentsFolder } from "../fixtures/release";
import { fixtureService } from "../fixtures/environment";
import { runRelease } from "../../lib/app/release/cli";
import { imageOf } from "../../lib/app/release/deployment";

const configs = promotionOrder(environmentFiles().map((f) => parseEnvironmentConfig(f.config)));
const committed = Object.fromEntries(environmentFiles().flatMap((f) => (f.release ? [[f.name, f.release]] : [])));

/** Synthesizes a folder of environments, then runs parity on what it wrote. */
function synthAndParity(envs: readonly EnvironmentConfig[], releases: Record<string, unknown>) {
  const dir = environmentsFolder(envs, releases);
  try {
    const out = path.join(dir, "out");
    const result = synthesize({ dir, outdir: out });
    const parity = result.errors.length === 0 ? runParity(["--dir", out]) : undefined;
    return { errors: result.errors, notices: result.notices ?? [], parity };
  } finally {
    fs.rmSync(path.dirname(dir), { recursive: true, force: true });
  }
}

test("from zero: no release file anywhere, synth and parity pass, and every later service is noted as not deployed", () => {
  const r = synthAndParity(configs, {});
  expect(r.errors).toEqual([]);
  expect(r.parity).toMatchObject({ code: 0 });
  const later = configs.filter((c) => c.stage !== configs[0].stage);
  expect(r.notices.length).toBe(
    later.reduce((n, c) => n + Object.keys(c.services).length + Object.keys(c.jobs ?? {}).length, 0),
  );
});

test("a new development environment copied from the first one (new name and project) passes synth and parity", () => {
  const first = configs[0];
  const copy: EnvironmentConfig = {
    ...structuredClone(first),
    name: `${first.name}2`,
    project: `${first.project.slice(0, 26)}-two`,
    stateBucket: "acme-second-dev-state", // any name: it is the environment's own
  };
  const r = synthAndParity([...configs, copy], committed);
  expect(r.errors).toEqual([]);
  expect(r.parity).toMatchObject({ code: 0 });
});

test("a service added everywhere, released through every stage, then retired from the last stage back and removed: each step passes synth and parity", () => {
  const key = "extra";
  const extra = fixtureService({
    image: "extra-api",
    monitoring: { uptimeCheck: { path: "/health", host: "extra.acme-fixture.example" } },
    customAudiences: ["https://extra.acme-fixture.example"],
  });
  const withExtra = configs.map((c) => ({ ...structuredClone(c), services: { ...c.services, [key]: extra } }));
  const dir = environmentsFolder(withExtra, committed);
  const check = (step: string) => {
    const out = path.join(dir, `out-${step}`);
    const result = synthesize({ dir, outdir: out });
    expect({ step, errors: result.errors }).toEqual({ step, errors: [] });
    const parity = runParity(["--dir", out]);
    expect({ step, code: parity.code, drift: parity.code === 0 ? "" : parity.stdout.slice(0, 2000) }).toEqual({
      step,
      code: 0,
      drift: "",
    });
  };
  const release = (argv: string[]) => {
    const r = runRelease(argv, dir);
    expect({ argv, code: r.code, stderr: r.stderr }).toEqual({ argv, code: 0, stderr: "" });
  };
  try {
    check("added");
    const first = withExtra[0];
    release(["pin", first.name, key, imageOf(first, key, `sha256:${"7".repeat(64)}`)]);
    // Each later stage's environments take it from an environment of the stage before; another
    // environment of the first stage gets its own pin (builds reach the first one only).
    for (const c of withExtra.slice(1)) {
      const before = withExtra.filter((x) => STAGES.indexOf(x.stage) < STAGES.indexOf(c.stage)).pop();
      if (before === undefined) release(["pin", c.name, key, imageOf(c, key, `sha256:${"7".repeat(64)}`)]);
      else release(["promote", withExtra.filter((x) => x.stage === before.stage)[0].name, c.name, key]);
    }

    check("released");
    // Retiring the first stage while a later one runs it is refused, naming the later one.
    const stages = new Set(withExtra.map((c) => c.stage));
    const early = runRelease(["retire", first.name, key], dir);
    expect(early.code).toBe(stages.size > 1 ? 1 : 0);
    if (early.code === 0) release(["pin", first.name, key, imageOf(first, key, `sha256:${"7".repeat(64)}`)]);
    for (const c of [...withExtra].reverse()) release(["retire", c.name, key]);
    check("retired");
    for (const c of withExtra) {
      fs.writeFileSync(
        path.join(dir, `${c.name}.ts`),
        `export default ${JSON.stringify({ ...c, services: configs.find((x) => x.name === c.name)!.services }, null, 2)};\n`,
      );
    }
    check("removed");
  } finally {
    fs.rmSync(path.dirname(dir), { recursive: true, force: true });
  }
}, 120_000);
