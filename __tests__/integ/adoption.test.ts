/**
 * A team's first changes, done as the README says, in a temporary copy of environments/: an
 * environment copied from another with its own identity, and a service added to the shared
 * configuration. Each must synthesize with no policy error and no parity drift, and be found by
 * everything that lists environments, with no test edited. Whatever environments/ holds is the
 * starting point.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { STAGES } from "../../lib";
import {
  EnvironmentConfig,
  environmentFiles,
  environmentMatrix,
  parseEnvironmentConfig,
  repositoryUrl,
  synthesize,
} from "../../lib/app";
import { runRelease } from "../../lib/app/release/cli";
import { compareStacks } from "../../lib/app/parity";
import { schemaProblems } from "../helpers";

import { docBlocks } from "../../scripts/doc-blocks.cjs";

const root = path.resolve(__dirname, "..", "..");
const blocks = docBlocks();
const existing = environmentFiles().map((f) => f.name);
/** A new environment's name: qa, unless environments/ already has one (then qa-2, …). */
const NEW = ["qa", "qa-2", "qa-3", "qa-4"].find((n) => !existing.includes(n))!;
const temporary: string[] = [];
afterAll(() => temporary.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

/** A copy of environments/ beside a link to lib/, so that its imports resolve as in the repository. */
function copyEnvironments(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cdktf-cloud-run-adoption-"));
  temporary.push(dir);
  fs.cpSync(path.join(root, "environments"), path.join(dir, "environments"), { recursive: true });
  fs.symlinkSync(path.join(root, "lib"), path.join(dir, "lib"), "dir");
  return path.join(dir, "environments");
}

/** README step: `cp environments/<from>.ts environments/qa.ts`, then a new name, project and state bucket. */
function addEnvironment(dir: string, name: string): EnvironmentConfig {
  const cp = blocks.map((b) => /cp environments\/([\w-]+)\.ts environments\/[\w-]+\.ts/.exec(b.text)).find(Boolean);
  const files = environmentFiles();
  const from = files.find((f) => f.name === cp?.[1]) ?? files[0];
  const config = parseEnvironmentConfig(from.config);
  let text = fs.readFileSync(path.join(root, "environments", `${from.name}.ts`), "utf8");
  // As a person would: acme-ml-staging becomes acme-ml-qa, and its state bucket follows.
  const project = config.project.includes(config.name)
    ? config.project.replace(config.name, name)
    : `${config.project.slice(0, 30 - name.length - 1)}-${name}`;
  const bucket = config.stateBucket.includes(config.project)
    ? config.stateBucket.replace(config.project, project)
    : `${name}-${config.stateBucket}`.slice(0, 63);
  const identity: [string, string][] = [
    [config.name, name],
    [config.project, project],
    [config.stateBucket, bucket],
  ];
  for (const [was, now] of identity) {
    const literal = JSON.stringify(was);
    // The README's step is an edit of these three values in the copy.
    expect({ file: `${from.name}.ts`, has: literal, found: text.includes(literal) }).toMatchObject({ found: true });
    text = text.split(literal).join(JSON.stringify(now));
  }
  fs.writeFileSync(path.join(dir, `${name}.ts`), text);
  return { ...config, name, project: identity[1][1], stateBucket: identity[2][1] };
}

/**
 * README step: the service block added under `services` in base.ts, under a key the
 * configuration does not have yet (the README's, unless a team already added it: then embed-2, …).
 */
function addService(dir: string): string {
  // The guide's "add a service" block (other pages show service fragments too: a rollout, say).
  const block = blocks.find((b) => b.marker?.kind === "service" && b.doc === "docs/environments.md");
  expect(block).toBeDefined();
  const readmeKey = /^(\w[\w-]*):/.exec(block!.text)![1];
  const taken = new Set(environmentFiles().flatMap((f) => Object.keys(parseEnvironmentConfig(f.config).services)));
  const key = [readmeKey, ...[2, 3, 4, 5].map((n) => `${readmeKey}-${n}`)].find((k) => !taken.has(k))!;
  const file = path.join(dir, "base.ts");
  const text = fs.readFileSync(file, "utf8");
  const at = /^(\s*)services: \{\n/m.exec(text);
  expect({ file: "environments/base.ts", has: "services: {", found: at !== null }).toMatchObject({ found: true });
  const indent = `${at![1]}  `;
  const entry = block!.text
    .replace(new RegExp(`^${readmeKey}:`), `${JSON.stringify(key)}:`)
    .replace(/image: "([^"]+)"/, (_, image: string) => `image: "${image}${key.slice(readmeKey.length)}"`)
    .trimEnd()
    .split("\n")
    .map((l) => (l === "" ? l : indent + l))
    .join("\n");
  fs.writeFileSync(
    file,
    text.slice(0, at!.index + at![0].length) + entry + "\n" + text.slice(at!.index + at![0].length),
  );
  return key;
}

/** Runs a release command in the copy, as `npm run release -- …` would; fails with what it printed. */
function release(dir: string, ...argv: string[]): void {
  const r = runRelease(argv, dir);
  expect({ argv: argv.join(" "), code: r.code, stderr: r.stderr }).toMatchObject({ code: 0 });
}

/** The environments of a folder, in promotion order. */
function byStage(dir: string): EnvironmentConfig[] {
  return environmentFiles(dir)
    .map((f) => parseEnvironmentConfig(f.config))
    .sort((a, b) => STAGES.indexOf(a.stage) - STAGES.indexOf(b.stage) || a.name.localeCompare(b.name));
}

/** An environment of the stage before `config`'s, to promote from: the README's, if it names one that fits. */
function earlier(dir: string, config: EnvironmentConfig): EnvironmentConfig | undefined {
  const readme = blocks.map((b) => /npm run release -- promote ([\w-]+) [\w-]+/.exec(b.text)).find(Boolean)?.[1];
  const before = byStage(dir).filter((c) => STAGES.indexOf(c.stage) < STAGES.indexOf(config.stage));
  return before.find((c) => c.name === readme) ?? before[before.length - 1];
}

/** Synthesizes a folder of environments; returns the stacks, parsed. */
function synthesizeAll(dir: string): Record<string, Record<string, unknown>> {
  const out = path.join(path.dirname(dir), "cdktf.out");
  const result = synthesize({ dir, outdir: out });
  expect(result.errors).toEqual([]);
  const read = (s: string) => JSON.parse(fs.readFileSync(path.join(out, "stacks", s, "cdk.tf.json"), "utf8"));
  // Every stack of the changed folder, bootstrap stacks included, holds against the provider's schema.
  expect(schemaProblems(Object.fromEntries(result.stacks.map((s) => [s, read(s)])))).toEqual({});
  return Object.fromEntries((result.environments ?? []).map((s) => [s, read(s)]));
}

/** The services an environment of the folder has a release of (none in a fresh start). */
function releasedIn(dir: string, environment: string): string[] {
  const file = environmentFiles(dir).find((f) => f.name === environment);
  return Object.keys((file?.release as { services?: object } | undefined)?.services ?? {});
}

/** Whether a stack deploys the service `key`. */
function deploys(stack: Record<string, unknown>, key: string): boolean {
  const services = (stack.resource as Record<string, Record<string, unknown>>).google_cloud_run_v2_service ?? {};
  return Object.keys(services).some((id) => id.startsWith(`${key}_`));
}

test("an environment copied from another, with its own identity, synthesizes and is clean", () => {
  const dir = copyEnvironments();
  const qa = addEnvironment(dir, NEW);
  // Its first apply, before any release: clean, with its repository and no service yet (past
  // development), so the first promotion has a repository to copy images into.
  const before = synthesizeAll(dir);
  expect(compareStacks(before)).toMatchObject({ drift: [], stale: [] });
  // README step: `npm run release -- promote dev qa`: it runs what the stage before runs.
  const from = earlier(dir, qa);
  if (from && releasedIn(dir, from.name).length > 0) release(dir, "promote", from.name, NEW);
  const stacks = synthesizeAll(dir);
  // What the stage before has released is deployed in the new environment.
  const releasedBefore = from ? releasedIn(dir, from.name) : [];
  for (const key of Object.keys(qa.services)) {
    expect({ key, deployed: deploys(stacks[NEW], key) }).toEqual({ key, deployed: releasedBefore.includes(key) });
  }
  expect(Object.keys(stacks).sort()).toEqual([...existing, NEW].sort());
  expect((stacks[NEW].terraform as { backend: unknown }).backend).toEqual({
    gcs: { bucket: qa.stateBucket, prefix: `${qa.app}/${NEW}` },
  });
  const report = compareStacks(stacks);
  expect({ drift: report.drift, stale: report.stale }).toEqual({ drift: [], stale: [] });
  // The CI matrix finds it in its stage.
  expect(environmentMatrix(dir)[qa.stage].map((e) => e.environment)).toContain(NEW);
});

test("a service added to the shared configuration reaches every environment, clean", () => {
  const dir = copyEnvironments();
  const qa = addEnvironment(dir, NEW);
  const from = earlier(dir, qa);
  if (from && releasedIn(dir, from.name).length > 0) release(dir, "promote", from.name, NEW);
  const key = addService(dir);
  jest.resetModules(); // base.ts changed: environment files are read again
  const [first, ...rest] = byStage(dir);
  // Another environment of the first stage runs the placeholder until something is pinned there.
  const later = rest.filter((c) => c.stage !== first.stage);
  // The pull request that adds it, before any image is built: clean, with the placeholder in
  // development and the service not deployed past it.
  const added = synthesizeAll(dir);
  expect(compareStacks(added)).toMatchObject({ drift: [], stale: [] });
  for (const config of later)
    expect({ env: config.name, deployed: deploys(added[config.name], key) }).toEqual({
      env: config.name,
      deployed: false,
    });
  // README steps: the build workflow pins the new image in the first environment; promotions
  // take it through the later stages.
  const image = `${repositoryUrl(first)}/${first.services[key].image}@sha256:${"e".repeat(64)}`;
  release(dir, "pin", first.name, key, image);
  for (const config of later) release(dir, "promote", earlier(dir, config)!.name, config.name, key);
  const stacks = synthesizeAll(dir);
  for (const [name, stack] of Object.entries(stacks))
    expect({ name, has: deploys(stack, key) }).toEqual({ name, has: true });
  const report = compareStacks(stacks);
  expect({ drift: report.drift, stale: report.stale }).toEqual({ drift: [], stale: [] });
});
