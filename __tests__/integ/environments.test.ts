/**
 * Drift tests: one snapshot per environment of the whole synthesized stack, as `npm run synth`
 * writes it (backend included), with one difference: each released service runs a fixed digest
 * with no canary. Which digest runs where is release state, changed by `npm run release` in a
 * pull request that shows it (and by `release status`); a release must not need a snapshot update.
 * A change to configuration or construct code that changes what Terraform will apply fails here,
 * with a diff of the attributes that moved. Review the diff; accept it with `npm test -- -u`.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
  EnvironmentConfig,
  EnvironmentFile,
  SharedConfig,
  environmentFiles,
  extendEnvironment,
  parseEnvironmentConfig,
  synthesize,
} from "../../lib/app";
import { fixtureEnvironment, fixtureFile, fixtureRelease, fixtureService } from "../fixtures/environment";
import { environmentsFolder } from "../fixtures/release";
import { Json, schemaProblems } from "../helpers";
import { EMPTY_RELEASE, releasables } from "../../lib/app/release/model";
import { releasedEverywhere } from "../../lib/app/release/deployment";
import { EnvironmentStack } from "../../lib/app/environment-stack";
import { RESERVED_KEYS } from "../../lib/app/config/checks";
import { Testing } from "cdktf";

const root = path.resolve(__dirname, "..", "..");
// Whatever environments/ holds: adding a file adds a stack, a snapshot and every check below.
const configs = environmentFiles().map((f) => parseEnvironmentConfig(f.config));
const names = configs.map((c) => c.name);
/** Every stack: each environment's, and its day-one bootstrap stack. */
const allStacks = names.flatMap((n) => [n, `bootstrap-${n}`]).sort();

/** The digest every released service runs in the snapshots. */
const SNAPSHOT_DIGEST = `sha256:${"0".repeat(64)}`;

/** The model version every service with a model serves in the snapshots. */
const SNAPSHOT_MODEL = "snapshot/model";

/**
 * Every service and job of the configuration released on {@link SNAPSHOT_DIGEST} (and a service
 * with a model on {@link SNAPSHOT_MODEL}), with no canary: the snapshots never read the release
 * files, so no release (a first one included) changes them.
 */
function fixedRelease(config: EnvironmentConfig) {
  const fixed = (key: string) => ({
    digest: SNAPSHOT_DIGEST,
    ...(config.services[key]?.model === undefined ? {} : { model: SNAPSHOT_MODEL, modelsRan: [SNAPSHOT_MODEL] }),
    ran: [SNAPSHOT_DIGEST],
    provenance: { verb: "pin", time: "2026-01-01T00:00:00.000Z" },
  });
  return { services: Object.fromEntries(releasables(config).map((key) => [key, fixed(key)])) };
}

function tmp(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `cdktf-cloud-run-${prefix}-`));
}

function readStacks(outdir: string): Record<string, string> {
  const dir = path.join(outdir, "stacks");
  return Object.fromEntries(
    fs
      .readdirSync(dir)
      .sort()
      .map((env) => [env, fs.readFileSync(path.join(dir, env, "cdk.tf.json"), "utf8")]),
  );
}

/**
 * The stacks of `files` synthesized twice, as the snapshot test does (every service on the fixed
 * digest) and as `npm run synth` does (the release files), each with what a release decides
 * taken out: image, revision name and traffic, and everything of a service its release file does
 * not release yet (with cdktf's and our bookkeeping, which follows what is deployed).
 */
function releaseOnlyComparison(files: readonly EnvironmentFile[]): { env: string; snapshot: Json; synth: Json }[] {
  const unreleased = Object.fromEntries(
    files.map((f) => {
      const inFile = Object.keys((f.release as { services?: object } | undefined)?.services ?? {});
      return [f.name, releasables(parseEnvironmentConfig(f.config)).filter((k) => !inFile.includes(k))];
    }),
  );
  const synthesized = (withFiles: readonly EnvironmentFile[]) => {
    const outdir = tmp("compare");
    expect(synthesize({ files: withFiles, outdir, environmentsOnly: true }).errors).toEqual([]);
    const read = readStacks(outdir);
    fs.rmSync(outdir, { recursive: true, force: true });
    return read;
  };
  const fixed = synthesized(files.map((f) => ({ ...f, release: fixedRelease(parseEnvironmentConfig(f.config)) })));
  const real = synthesized(files);
  const withoutRelease = (env: string, text: string) => {
    const tf = JSON.parse(text);
    for (const key of unreleased[env]) {
      for (const section of [...Object.values<Json>(tf.resource), tf.output ?? {}]) {
        for (const id of Object.keys(section)) if (id.startsWith(`${key}_`)) delete section[id];
      }
    }
    const models = parseEnvironmentConfig(files.find((f) => f.name === env)!.config).services;
    const variables = Object.values(models).map((m) => m.model?.variable ?? "MODEL_PATH");
    for (const service of Object.values<Json>(tf.resource?.google_cloud_run_v2_service ?? {})) {
      delete service.traffic;
      delete service.template.revision;
      for (const container of service.template.containers) {
        delete container.image;
        container.env = (container.env ?? []).filter((e: Json) => !variables.includes(e.name));
      }
    }
    for (const job of Object.values<Json>(tf.resource?.google_cloud_run_v2_job ?? {})) {
      for (const container of job.template.template.containers) delete container.image;
    }
    for (const type of Object.keys(tf.resource))
      if (Object.keys(tf.resource[type]).length === 0) delete tf.resource[type];
    if (unreleased[env].length > 0) delete tf["//"];
    return tf;
  };
  return files.map((f) => ({
    env: f.name,
    snapshot: withoutRelease(f.name, fixed[f.name]),
    synth: withoutRelease(f.name, real[f.name]),
  }));
}

describe("environments", () => {
  const outdir = tmp("synth");
  let stacks: Record<string, string>;

  beforeAll(() => {
    const files = environmentFiles().map((f) => ({ ...f, release: fixedRelease(parseEnvironmentConfig(f.config)) }));
    const result = synthesize({ outdir, files });
    expect(result.errors).toEqual([]);
    stacks = readStacks(outdir);
  });
  afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

  test("one stack per file in environments/, named after it, and its bootstrap stack", () => {
    expect(names.length).toBeGreaterThan(0);
    expect(Object.keys(stacks)).toEqual(allStacks);
  });

  test("synth writes exactly today's stacks: a deleted environment's stack folder goes, anything else stays", () => {
    const again = tmp("stale");
    try {
      const stale = path.join(again, "stacks", "retired");
      fs.mkdirSync(stale, { recursive: true });
      fs.writeFileSync(path.join(stale, "cdk.tf.json"), "{}");
      fs.mkdirSync(path.join(again, "stacks", "notes"));
      fs.writeFileSync(path.join(again, "stacks", "notes", "README"), "mine");
      const files = environmentFiles().map((f) => ({ ...f, release: fixedRelease(parseEnvironmentConfig(f.config)) }));
      expect(synthesize({ outdir: again, files }).errors).toEqual([]);
      expect(fs.readdirSync(path.join(again, "stacks")).sort()).toEqual([...allStacks, "notes"].sort());
    } finally {
      fs.rmSync(again, { recursive: true, force: true });
    }
  });

  test.each(allStacks)("%s matches its snapshot", (env) => {
    expect(JSON.parse(stacks[env])).toMatchSnapshot();
  });

  test("every stack holds against the google provider's schema, as terraform validate holds it", () => {
    const parsed = Object.fromEntries(Object.entries(stacks).map(([name, text]) => [name, JSON.parse(text)]));
    expect(Object.keys(parsed)).toEqual(allStacks);
    expect(schemaProblems(parsed)).toEqual({});
  });

  test("the snapshots differ from what npm run synth writes only in the release: image, revision, traffic", () => {
    for (const pair of releaseOnlyComparison(environmentFiles())) expect(pair.snapshot).toEqual(pair.synth);
  });

  test("the same holds with services not released yet: a placeholder in development, not deployed later", () => {
    // explain is declared in both, released in neither: a placeholder in alpha, left out of live.
    const dev = fixtureEnvironment({
      name: "alpha",
      stage: "development",
      services: { predict: fixtureService(), explain: fixtureService() },
    });
    const live = fixtureEnvironment({
      name: "live",
      stage: "production",
      services: { predict: fixtureService(), explain: fixtureService({ ingress: "all" }) },
      acknowledgements: [{ rule: "RUN-009", service: "explain", reason: "called by the partner gateway" }],
    });
    const files = [
      fixtureFile(dev, { services: { predict: fixtureRelease(dev).services.predict } }),
      fixtureFile(live, { services: { predict: fixtureRelease(live).services.predict } }),
    ];
    const pairs = releaseOnlyComparison(files);
    expect(pairs.map((p) => p.env)).toEqual(["alpha", "live"]);
    for (const pair of pairs) expect(pair.snapshot).toEqual(pair.synth);
  });

  test("no absolute paths, user names or host names in any stack", () => {
    for (const text of Object.values(stacks)) {
      expect(text).not.toContain(root);
      expect(text).not.toContain(os.tmpdir());
      expect(text).not.toContain(os.homedir());
      expect(text).not.toContain(os.hostname());
      expect(text).not.toMatch(/"(\/|[A-Z]:\\\\)(tmp|home|root|Users|work)/);
    }
  });

  test("every stack has its own GCS backend, in its environment's bucket; none falls back to local state", () => {
    const places = configs.flatMap((config) =>
      [config.name, `bootstrap-${config.name}`].map((stack) => {
        const tf = JSON.parse(stacks[stack]);
        expect(tf.terraform.backend).toEqual({ gcs: { bucket: config.stateBucket, prefix: `${config.app}/${stack}` } });
        return `${config.stateBucket}/${config.app}/${stack}`;
      }),
    );
    // No prefix is another's, nor nested in another's (the GCS backend's rule).
    expect(new Set(places).size).toBe(allStacks.length);
    for (const a of places) for (const b of places) if (a !== b) expect(b.startsWith(`${a}/`)).toBe(false);
  });

  test("stacks never reference each other", () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(outdir, "manifest.json"), "utf8"));
    for (const stack of allStacks) expect(manifest.stacks[stack].dependencies).toEqual([]);
    for (const text of Object.values(stacks)) expect(text).not.toContain("terraform_remote_state");
  });
});

describe("invalid configuration", () => {
  const fixtures = path.join(__dirname, "..", "fixtures", "invalid-environments");

  test("synthesize writes nothing and reports every environment's problems", () => {
    const outdir = tmp("invalid");
    const result = synthesize({ dir: fixtures, outdir });
    expect(result.stacks).toEqual([]);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatch(/beta\.ts: environment "beta" has 2 invalid fields/);
    expect(fs.readdirSync(outdir)).toEqual([]);
    fs.rmSync(outdir, { recursive: true, force: true });
  });

  test("a problem of the shared configuration is reported once, naming the environments it breaks", () => {
    const {
      name: _n,
      stage: _s,
      project: _p,
      stateBucket: _b,
      ...base
    } = fixtureEnvironment({
      services: {
        predict: fixtureService({ sidecars: [{ name: "main", image: "otel/opentelemetry-collector:0.98.0" }] }),
      },
    });
    const shared = base as SharedConfig;
    const dir = tmp("shared");
    fs.writeFileSync(path.join(dir, "base.ts"), "// the shared configuration\n");
    const env = (name: string, stage: "development" | "preproduction" | "production", extra = {}) =>
      extendEnvironment(shared, {
        name,
        stage,
        project: `acme-fx-${name}`,
        stateBucket: `acme-fx-${name}-tfstate`,
        ...extra,
      });
    const files = [
      env("dev", "development"),
      env("prod", "production", { services: { predict: { maxInstances: 0 } } }),
      env("staging", "preproduction"),
    ].map((config) => ({ ...fixtureFile(config), file: path.join(dir, `${config.name}.ts`) }));
    const result = synthesize({ files, outdir: path.join(dir, "out") });
    expect(result.failure).toBe("configuration");
    // What prod's file states is prod's; what the files inherit is the shared configuration's,
    // once, with the environments it breaks (a tag is refused past development only).
    const where = `${path.join(dir, "base.ts")} (the shared configuration)`;
    expect(result.errors).toEqual([
      `${path.join(dir, "prod.ts")}: environment "prod" has 1 invalid field:\n` +
        "  - services.predict.maxInstances: got 0; must be a whole number from 1 to 1000",
      `${where}, inherited by environments dev, prod, staging, has 1 invalid field:\n` +
        `  - services.predict.sidecars[0].name: got "main"; is already the name of the main container ("main", the default of containerName); container names must be unique`,
      `${where}, inherited by environment prod, has 1 invalid field:\n` +
        "  - services.predict.minInstances: got 1; must not exceed maxInstances (0)",
      `${where}, inherited by environments prod, staging, has 1 invalid field:\n` +
        `  - services.predict.sidecars[0].image: got "otel/opentelemetry-collector:0.98.0"; must be pinned by digest (IMAGE@sha256:<64 hex>): a tag can be moved to other content after review`,
    ]);
    expect(fs.existsSync(path.join(dir, "out"))).toBe(false);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test("a mistake is blamed on the file that holds it: a misspelled service key, a missing project", () => {
    const { name: _n, stage: _s, project: _p, stateBucket: _b, ...base } = fixtureEnvironment();
    const shared = base as SharedConfig;
    const dir = tmp("blame");
    fs.writeFileSync(path.join(dir, "base.ts"), "// the shared configuration\n");
    const dev = extendEnvironment(shared, {
      name: "dev",
      stage: "development",
      project: "acme-fx-dev",
      stateBucket: "acme-fx-dev-tfstate",
      services: { predcit: { maxInstances: 3 } },
    });
    const qa = extendEnvironment(shared, {
      name: "qa",
      stage: "development",
      stateBucket: "acme-fx-qa-tfstate",
    } as never);
    const files = [dev, qa].map((config) => ({ ...fixtureFile(config), file: path.join(dir, `${config.name}.ts`) }));
    const result = synthesize({ files, outdir: path.join(dir, "out") });
    expect(result.errors).toHaveLength(2);
    expect(result.errors[0]).toMatch(
      new RegExp(
        `^${escape(path.join(dir, "dev.ts"))}: environment "dev" has \\d+ invalid fields?:\n  - services\\.predcit\\.image: `,
      ),
    );
    expect(result.errors[0]).toContain('is services.predcit a misspelling of "predict"?');
    expect(result.errors[1]).toMatch(
      new RegExp(`^${escape(path.join(dir, "qa.ts"))}: environment "qa" has 1 invalid field:\n  - project: `),
    );
    expect(result.errors.join("\n")).not.toContain("base.ts");
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test("an environment file whose name field differs from its file name is refused", () => {
    const dir = tmp("misnamed");
    fs.writeFileSync(
      path.join(dir, "qa.ts"),
      `export { default } from ${JSON.stringify(path.join(__dirname, "..", "fixtures", "invalid-environments", "alpha"))};\n`,
    );
    const result = synthesize({ dir, outdir: path.join(dir, "out") });
    expect(result.errors).toEqual([expect.stringMatching(/qa\.ts: name is "alpha"; it must be "qa", the file's name/)]);
    expect(fs.existsSync(path.join(dir, "out"))).toBe(false);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test("two environments sharing a project or a state bucket are refused, naming the second and the first", () => {
    const dir = tmp("shared-project");
    const files = [
      fixtureEnvironment({ name: "dev", stage: "development", project: "acme-fx-one", stateBucket: "acme-fx-state" }),
      fixtureEnvironment({ name: "prod", stage: "production", project: "acme-fx-two", stateBucket: "acme-fx-state" }),
      fixtureEnvironment({ name: "staging", stage: "preproduction", project: "acme-fx-one", stateBucket: "acme-fx-s" }),
    ].map((config) => ({ ...fixtureFile(config), file: `environments/${config.name}.ts` }));
    const result = synthesize({ files, outdir: path.join(dir, "out") });
    expect(result.failure).toBe("configuration");
    expect(result.errors).toEqual([
      `environments/prod.ts: environment "prod" has 1 invalid field:\n` +
        `  - stateBucket: got "acme-fx-state"; is also environment dev's stateBucket; each environment needs its own state bucket: each bootstrap stack creates it`,
      `environments/staging.ts: environment "staging" has 1 invalid field:\n` +
        `  - project: got "acme-fx-one"; is also environment dev's project; each environment needs its own project: pools, accounts and API settings would merge`,
    ]);
    expect(fs.existsSync(path.join(dir, "out"))).toBe(false);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test("the keys refused as the stack's own ids are every id the stack gives its own constructs", () => {
    // Built with a service, a job and a bucket, as the example's are and as prod is (alerts,
    // acknowledgements): every top-level id is a key's, a bucket's, an output's, or reserved.
    for (const file of environmentFiles()) {
      const config = parseEnvironmentConfig(file.config);
      const app = Testing.app();
      const stack = new EnvironmentStack(app, config.name, file.config, {
        release: releasedEverywhere(config, EMPTY_RELEASE),
      });
      stack.policyPack.check(stack);
      const keys = new Set([...Object.keys(config.services), ...Object.keys(config.jobs ?? {})]);
      const buckets = new Set(Object.keys(config.buckets ?? {}).map((k) => `bucket-${k}`));
      const own = stack.node.children.map((c) => c.node.id).filter((id) => !keys.has(id) && !buckets.has(id));
      expect(own.filter((id) => !id.includes("_") && !RESERVED_KEYS.includes(id))).toEqual([]);
    }
  });

  test("every accepted finding is reported with its stack, rule, resource, field and reason, for CI's log", () => {
    const live = fixtureEnvironment({
      name: "live",
      services: { predict: fixtureService({ ingress: "all" }) },
      acknowledgements: [{ rule: "RUN-009", service: "predict", reason: "called by the partner gateway" }],
    });
    const dir = environmentsFolder([live], { live: fixtureRelease(live) });
    const outdir = tmp("acknowledged");
    const result = synthesize({ dir, outdir });
    expect(result.errors).toEqual([]);
    expect(result.acknowledged).toEqual([
      [
        "stack live: accepted findings",
        "ACK   RUN-009 live/predict/service (google_cloud_run_v2_service)",
        `      in ${path.relative(process.cwd(), path.join(dir, "live.ts"))} services.predict.ingress`,
        "      Cloud Run services do not take traffic from the whole internet (ingress is not INGRESS_TRAFFIC_ALL): ingress is INGRESS_TRAFFIC_ALL.",
        '      Accepted: "called by the partner gateway"',
      ].join("\n"),
    ]);
    fs.rmSync(path.dirname(dir), { recursive: true, force: true });
    fs.rmSync(outdir, { recursive: true, force: true });
  });

  test("a policy error (a finding no acknowledgement accepts) writes nothing, naming rule, path, config field and fix", () => {
    const outdir = tmp("policy");
    // As under `cdktf synth`, which sets it for the app: it must not let findings through.
    process.env.CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS = "true";
    const result = synthesize({ dir: path.join(__dirname, "..", "fixtures", "policy-violation"), outdir });
    delete process.env.CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS;
    expect(result.failure).toBe("policy");
    expect(result.errors).toHaveLength(1);
    const fixture = path.relative(process.cwd(), path.join(__dirname, "..", "fixtures", "policy-violation", "live.ts"));
    // Each finding names the construct path, then the file and the field it comes from.
    expect(result.errors[0]).toContain(
      [
        "stack live: policy findings",
        "ERROR RUN-009 live/embed/service (google_cloud_run_v2_service)",
        `      in ${fixture} services.embed.ingress`,
        "      Cloud Run services do not take traffic from the whole internet (ingress is not INGRESS_TRAFFIC_ALL): ingress is INGRESS_TRAFFIC_ALL.",
      ].join("\n"),
    );
    expect(result.errors[0]).toContain(
      [
        "ERROR RUN-009 live/predict/service (google_cloud_run_v2_service)",
        `      in ${fixture} services.predict.ingress (not set there: it comes from the shared configuration)`,
      ].join("\n"),
    );
    expect(result.errors[0]).toMatch(
      /ingress is INGRESS_TRAFFIC_ALL\.\n\s+Fix: Set ingress to internal-and-cloud-load-balancing/,
    );
    expect(fs.readdirSync(outdir)).toEqual([]);
    fs.rmSync(outdir, { recursive: true, force: true });
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
