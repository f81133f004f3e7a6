/**
 * The documentation's code blocks are tests (scripts/doc-blocks.cjs says how each is marked): the
 * README, CONTRIBUTING.md and every page of docs/. Every TypeScript block is written to
 * __tests__/docs/generated/ by scripts/doc-examples.cjs, which `npm test` runs before `tsc -b`: so
 * each is type-checked with the project. Here, fragments and whole programs are run, and the
 * stacks they synthesize are held against the google provider's schema (the offline `terraform
 * validate`); every output a page shows is produced by code and compared byte for byte; and every
 * link between pages (and into the API reference) leads somewhere. The consumer app's blocks are
 * built and run again from the packed library by e2e/consumer.test.ts.
 */
import { App, TerraformStack, Testing } from "cdktf";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { describeFailure, extendEnvironment, synthesize, SharedConfig } from "../../lib/app";
import { compareStacks, renderText, StackJson } from "../../lib/app/parity";
import { runBootstrap } from "../../lib/app/bootstrap-cli";
import { runRelease, runReleaseAsync } from "../../lib/app/release/cli";
import { runCli } from "../../lib/check/cli";
import { runGuard } from "../../lib/check/guard-cli";
import { load as loadReleases, templateRevisions } from "../../lib/app/release/workspace";
import { fixtureEnvironment, fixtureFile, fixtureService, fixtureTrainingEnvironment } from "../fixtures/environment";
import { environmentsFolder } from "../fixtures/release";
import * as ts from "typescript";
import { POLICY_PAGE, policyPage } from "../../scripts/policy-page";
import { PolicyError, PolicyRule, RULES } from "../../lib/policies";
import { Case, runCases } from "../policies/builders";
import { Json, schemaProblems } from "../helpers";
import { ROOT, docBlocks, docFiles } from "../../scripts/doc-blocks.cjs";
import { OUT, generatedFiles, generatedName } from "../../scripts/doc-examples.cjs";

const blocks = docBlocks();

/** Replaces the text of the output block named `name` in its page (DOCS_UPDATE=1). */
function writeOutput(name: string, text: string): void {
  const now = docBlocks().find((b) => b.marker?.kind === "output" && b.marker.arg === name)!;
  const page = path.join(ROOT, now.doc);
  const lines = fs.readFileSync(page, "utf8").split("\n");
  const end = lines.findIndex((l, i) => i >= now.line && /^\s*```\s*$/.test(l));
  const indent = /^\s*/.exec(lines[now.line - 1])![0]; // a block inside a list item is indented
  lines.splice(
    now.line,
    end - now.line,
    ...text
      .trimEnd()
      .split("\n")
      .map((l) => (l === "" ? l : indent + l)),
  );
  fs.writeFileSync(page, lines.join("\n"));
}
const KINDS = [
  "program",
  "fragment",
  "environment",
  "environment-fields",
  "service",
  "rule",
  "rule-case",
  "output",
  "file",
];

let outdir: string;
beforeAll(() => {
  // Fragments make an App, which writes to CDKTF_OUTDIR when it is constructed.
  outdir = fs.mkdtempSync(path.join(os.tmpdir(), "cdktf-cloud-run-readme-"));
  process.env.CDKTF_OUTDIR = outdir;
});
afterAll(() => {
  delete process.env.CDKTF_OUTDIR;
  fs.rmSync(outdir, { recursive: true, force: true });
});

describe("the documentation", () => {
  test("every TypeScript block is marked with how it is tested, and every marker is known", () => {
    const ts = blocks.filter((b) => b.language === "ts");
    expect(ts.length).toBeGreaterThanOrEqual(8);
    expect(ts.filter((b) => b.marker === undefined).map((b) => `line ${b.line}`)).toEqual([]);
    const unknown = blocks.filter((b) => b.marker && !KINDS.includes(b.marker.kind));
    expect(unknown.map((b) => `line ${b.line}: ${b.marker?.kind}`)).toEqual([]);
  });

  test("the generated files are the pages' blocks as they are now (npm test writes them)", () => {
    const expected = generatedFiles(blocks);
    const onDisk = fs.existsSync(OUT) ? fs.readdirSync(OUT).sort() : [];
    expect(onDisk).toEqual([...expected.keys()].sort());
    for (const [name, content] of expected) expect(fs.readFileSync(path.join(OUT, name), "utf8")).toBe(content);
  });

  const fragments = blocks.filter((b) => b.marker?.kind === "fragment");
  test.each(fragments.map((b) => [`${b.doc} line ${b.line}`, b] as const))(
    "the fragment of %s runs as shown, and its stacks hold against the provider's schema",
    (_at, block) => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { run } = require(path.join(OUT, generatedName(block)!)) as { run: () => App };
      const next = blocks[blocks.indexOf(block) + 1];
      const shows = next?.marker?.kind === "output" && next.marker.arg === "previous" ? next.text : undefined;
      let thrown: string | undefined;
      let app: App | undefined;
      try {
        app = run();
      } catch (e) {
        thrown = `${(e as Error).message}\n`;
      }
      // A fragment followed by an output block throws exactly that; any other runs cleanly, and
      // the stacks it synthesizes hold against the google provider's schema (a stack the policy
      // pack refuses, as a page may show, is never written).
      expect(thrown).toBe(shows);
      if (app === undefined) return;
      const stacks = app.node.children.filter(TerraformStack.isStack);
      expect(stacks.length).toBeGreaterThan(0);
      const written: [string, Json][] = [];
      for (const stack of stacks) {
        try {
          written.push([stack.node.id, JSON.parse(Testing.synth(stack))]);
        } catch (e) {
          if (!(e instanceof PolicyError)) throw e;
        }
      }
      expect(schemaProblems(Object.fromEntries(written))).toEqual({});
    },
  );

  // The pages' whole programs, run here as `cdktf synth` runs them (e2e/consumer.test.ts runs
  // them again from the packed library): each writes its stacks, and every one holds against the
  // google provider's schema.
  const programs = blocks.filter((b) => b.marker?.kind === "program" && b.language === "ts");
  test.each(programs.map((b) => [b.marker!.arg!, b] as const))(
    "the %s program synthesizes stacks that hold against the provider's schema",
    (_name, block) => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cdktf-cloud-run-program-"));
      process.env.CDKTF_OUTDIR = dir;
      try {
        require(path.join(OUT, generatedName(block)!)); // eslint-disable-line @typescript-eslint/no-require-imports
        const names = fs.readdirSync(path.join(dir, "stacks"));
        expect(names.length).toBeGreaterThan(0);
        const read = (n: string) => JSON.parse(fs.readFileSync(path.join(dir, "stacks", n, "cdk.tf.json"), "utf8"));
        expect(schemaProblems(Object.fromEntries(names.map((n) => [n, read(n)])))).toEqual({});
      } finally {
        process.env.CDKTF_OUTDIR = outdir;
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  test("there are programs, and fragments, to run", () => {
    expect(programs.length).toBeGreaterThanOrEqual(3);
    expect(fragments.length).toBeGreaterThanOrEqual(3);
  });

  // A rule shown as an example runs its shown cases as the pack's own rules run theirs, in a pack
  // of the rules beside it (an example's id may be taken by a real rule later: the example wins).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const load = (b: (typeof blocks)[number]) => require(path.join(OUT, generatedName(b)!));
  const exampleRules: PolicyRule[] = blocks
    .filter((b) => b.marker?.kind === "rule")
    .flatMap((b) => Object.values(load(b) as Record<string, PolicyRule>));
  const exampleCases: Case[] = blocks.filter((b) => b.marker?.kind === "rule-case").flatMap((b) => load(b).CASES);
  describe("the example rules and their cases", () => {
    test("every example rule has its cases, and every case its rule", () => {
      expect(exampleRules.length).toBeGreaterThanOrEqual(1);
      expect([...new Set(exampleCases.map(([id]) => id))].sort()).toEqual(exampleRules.map((r) => r.id).sort());
    });
    const ids = new Set(exampleRules.map((r) => r.id));
    runCases(exampleCases, [...RULES.filter((r) => !ids.has(r.id)), ...exampleRules]);
  });

  /**
   * The environments the shown outputs name, one per stage. The outputs are made from
   * fixtures of these names, never from environments/, which a team replaces on day one.
   */
  const SHOWN = [
    { name: "dev", stage: "development" },
    { name: "staging", stage: "preproduction" },
    { name: "prod", stage: "production" },
  ] as const;
  const [DEV, STAGING, PROD] = SHOWN;

  /** A training environment as the example's: scheduled in development only. */
  const withoutScheduleAfterDev = (overrides: Parameters<typeof fixtureTrainingEnvironment>[0]) => {
    const env = fixtureTrainingEnvironment(overrides);
    if (env.stage === "development") return env;
    const { schedule: _schedule, ...train } = env.jobs!.train;
    return { ...env, jobs: { train } };
  };
  const bootstrapFolder = () =>
    environmentsFolder(
      SHOWN.map(({ name, stage }) =>
        withoutScheduleAfterDev({
          name,
          stage,
          project: `acme-ml-${name}`,
          stateBucket: `acme-ml-${name}-tfstate`,
          app: "predict",
          github: { repository: "acme/ml-platform", repositoryId: "812345678", ownerId: "91234567" },
        }),
      ),
    );
  const bootstrapOutput = (...argv: string[]) => {
    const folder = bootstrapFolder();
    const out = runBootstrap(argv, folder);
    fs.rmSync(path.dirname(folder), { recursive: true, force: true });
    expect(out.code).toBe(0);
    return out.stdout;
  };

  /**
   * What the canaries guide shows: `analyze --apply` on a canary in flight in production (healthy:
   * an advance; erroring: a rollback, and the decision it records), and a drill in preproduction,
   * each from a release made with the commands and metrics a reader stands in for.
   */
  const canaryOutput = async (what: "advance" | "rollback" | "record" | "drill"): Promise<string> => {
    const envs = SHOWN.map((shown) => fixtureTrainingEnvironment(shown));
    const folder = environmentsFolder(envs);
    const t0 = "2026-12-01T09:00:00.000Z";
    const provenance = { time: t0 };
    const run = (...argv: string[]) => expect(runRelease(argv, folder, { provenance }).code).toBe(0);
    const image = (c: string) => `europe-west1-docker.pkg.dev/acme-fx-dev/images/predict-api@sha256:${c.repeat(16)}`;
    run("pin", DEV.name, "predict", image("3b1f"), "--model", "sentiment/train-2k7xq");
    run("promote", DEV.name, STAGING.name);
    run("promote", STAGING.name, PROD.name);
    run("pin", DEV.name, "predict", image("8d2e"), "--model", "sentiment/train-7dk2m");
    run("promote", DEV.name, STAGING.name);
    const env = what === "drill" ? STAGING.name : PROD.name;
    if (what === "drill") run("drill", STAGING.name, "predict");
    else run("canary", PROD.name, "predict", "--percent", "10", "--from", STAGING.name);
    const bad = what !== "advance";
    const readMetrics = async (q: { revisions: readonly string[] }) => ({
      [q.revisions[0]]: bad ? { requests: 412, errors: 37, p99Ms: 412 } : { requests: 436, errors: 1, p99Ms: 388 },
      [q.revisions[1]]: { requests: 3921, errors: 4, p99Ms: 371 },
    });
    const minutes = what === "drill" ? 11 : 34;
    const now = new Date(Date.parse(t0) + minutes * 60_000);
    // Deployed as released: the stable revision and the canary's, at the file's shares.
    const readLive = async () => {
      const r = JSON.parse(fs.readFileSync(path.join(folder, "releases", `${env}.json`), "utf8")).services.predict;
      const loaded = loadReleases(folder);
      if ("problems" in loaded) throw new Error(loaded.problems.join("\n"));
      const canaryRevision = templateRevisions(loaded.files.find((f) => f.name === env)!, loaded.releases[env]).predict;
      const type = "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION";
      return {
        traffic: [
          { type, revision: r.canary.stableRevision, percent: 100 - r.canary.percent },
          { type, revision: canaryRevision, percent: r.canary.percent },
        ],
      };
    };
    const result = await runReleaseAsync(["analyze", env, "predict", "--apply"], folder, {
      provenance,
      now,
      readMetrics,
      readLive,
    });
    expect(result.code).toBe(0);
    const file = fs.readFileSync(path.join(folder, "releases", `${env}.json`), "utf8");
    fs.rmSync(path.dirname(folder), { recursive: true, force: true });
    if (what === "record") {
      return `${JSON.stringify({ decisions: [JSON.parse(file).services.predict.decisions[0]] }, null, 2)}\n`;
    }
    return result.stdout;
  };

  /** The outputs the pages show that no fragment prints: each made here, from the tests' own configurations. */
  const OUTPUTS: Record<string, () => string | Promise<string>> = {
    "bootstrap-github": () => bootstrapOutput("github"),
    "bootstrap-identities": () => bootstrapOutput("identities", PROD.name),
    "release-status": () => {
      const envs = SHOWN.map((shown) => fixtureTrainingEnvironment(shown));
      const folder = environmentsFolder(envs);
      const provenance = { time: "2026-11-27T10:00:00.000Z" };
      const run = (...argv: string[]) => expect(runRelease(argv, folder, { provenance }).code).toBe(0);
      const image = (c: string) => `europe-west1-docker.pkg.dev/acme-fx-dev/images/predict-api@sha256:${c.repeat(16)}`;
      run("pin", DEV.name, "train", image("5e7a").replace("predict-api", "trainer"));
      run("pin", DEV.name, "predict", image("3b1f"), "--model", "sentiment/train-2k7xq");
      run("promote", DEV.name, STAGING.name);
      run("promote", STAGING.name, PROD.name);
      run("pin", DEV.name, "predict", image("8d2e"), "--model", "sentiment/train-7dk2m");
      run("promote", DEV.name, STAGING.name);
      run("canary", PROD.name, "predict", "--percent", "10", "--from", STAGING.name);
      // 42 minutes after the canary began: the status says how long it has been at its step.
      const status = runRelease(["status"], folder, { now: new Date("2026-11-27T10:42:00.000Z") }).stdout;
      fs.rmSync(path.dirname(folder), { recursive: true, force: true });
      return status;
    },
    "canary-advance": () => canaryOutput("advance"),
    "canary-rollback": () => canaryOutput("rollback"),
    "canary-record": () => canaryOutput("record"),
    "drill-report": () => canaryOutput("drill"),
    "check-public-service": async () =>
      (await runCli(["check", "__tests__/fixtures/check/public-service"], path.resolve(__dirname, "..", ".."))).stdout,
    "guard-blocked": () => runGuard(["__tests__/fixtures/plans/replace-service-delete-bucket.json"]).stdout,
    "config-validation": () => {
      const qa = fixtureEnvironment({
        name: "qa",
        stage: "preproduction",
        deletionProtection: false,
        services: { predict: { ...fixtureService({ cpu: "1", memory: "8Gi" }), ...{ minInstance: 1 } } },
      });
      const result = synthesize({ files: [{ ...fixtureFile(qa), file: "environments/qa.ts" }], outdir });
      return `${describeFailure(result)}\n`;
    },
    "policy-findings": () => {
      const {
        name: _n,
        stage: _s,
        project: _p,
        stateBucket: _b,
        ...shared
      } = fixtureEnvironment({
        services: { predict: fixtureService({ ingress: "all" }) },
      });
      const prod = extendEnvironment(shared as SharedConfig, {
        ...PROD,
        project: "acme-ml-prod",
        stateBucket: "acme-ml-prod-tfstate",
        services: { embed: fixtureService({ image: "embed-api", ingress: "all" }) },
      });
      const result = synthesize({ files: [{ ...fixtureFile(prod), file: `environments/${PROD.name}.ts` }], outdir });
      return `${describeFailure(result)}\n`;
    },
    parity: () => {
      const model = "google_cloud_run_v2_service.predict_service.template.containers[0].env[MODEL_NAME]";
      const envs = [
        fixtureEnvironment({
          ...DEV,
          services: { predict: fixtureService({ env: { MODEL_NAME: "sentiment-v5-candidate" } }) },
          differences: {
            [model]: "dev tries each new model first",
            // As the example's dev.ts declares: its canaries are not analyzed (rollout is off).
            "google_cloud_run_v2_service_iam_member.*_canary-guard": "canaries are not analyzed in development",
          },
        }),
        fixtureEnvironment(STAGING),
        fixtureEnvironment({
          ...PROD,
          services: { predict: fixtureService({ env: { MODEL_NAME: "sentiment-v4" }, timeoutSeconds: 30 }) },
        }),
      ];
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cdktf-cloud-run-readme-parity-"));
      const files = envs.map((config) => fixtureFile(config));
      expect(synthesize({ files, outdir: dir }).errors).toEqual([]);
      const stacks: Record<string, StackJson> = Object.fromEntries(
        envs.map((e) => [e.name, JSON.parse(fs.readFileSync(path.join(dir, "stacks", e.name, "cdk.tf.json"), "utf8"))]),
      );
      fs.rmSync(dir, { recursive: true, force: true });
      const text = renderText(compareStacks(stacks));
      // The README shows the drift table alone.
      return text.slice(text.indexOf("Configuration drift"), text.indexOf("\n\nMake the environments agree")) + "\n";
    },
  };

  const outputs = blocks.filter((b) => b.marker?.kind === "output" && b.marker.arg !== "previous");
  test.each(outputs.map((b) => [b.marker!.arg!, b] as const))(
    "the %s output is what the code prints",
    async (name, block) => {
      expect(Object.keys(OUTPUTS)).toContain(name);
      const printed = await OUTPUTS[name]();
      if (process.env.DOCS_UPDATE === "1" && printed !== block.text) writeOutput(name, printed);
      else if (printed !== block.text) {
        // Like a snapshot: review the change, then write it with DOCS_UPDATE=1.
        console.error(`${block.doc} line ${block.line} is out of date; DOCS_UPDATE=1 npx jest integ/docs writes it.`);
      }
      expect(block.text).toBe(printed);
    },
  );

  test("every output a test produces is shown in a page", () => {
    expect(outputs.map((b) => b.marker!.arg).sort()).toEqual(Object.keys(OUTPUTS).sort());
  });

  test("every page is listed, and the README is a front door: at most 250 lines", () => {
    expect(docFiles()).toEqual(expect.arrayContaining(["README.md", "CONTRIBUTING.md", "docs/constructs/README.md"]));
    expect(fs.readFileSync(path.join(ROOT, "README.md"), "utf8").split("\n").length).toBeLessThanOrEqual(251);
  });

  /** Every name the package exports, types included, as the compiler reads lib/index.ts. */
  function packageExports(): Set<string> {
    const index = path.join(ROOT, "lib", "index.ts");
    const program = ts.createProgram([index], { strict: true, skipLibCheck: true, noEmit: true });
    const checker = program.getTypeChecker();
    const module = checker.getSymbolAtLocation(program.getSourceFile(index)!)!;
    return new Set(checker.getExportsOfModule(module).map((s) => s.getName()));
  }

  /** Each relative link of a page, outside code: [text](target). */
  function linksOf(doc: string): { target: string; line: number }[] {
    const links: { target: string; line: number }[] = [];
    let fenced = false;
    fs.readFileSync(path.join(ROOT, doc), "utf8")
      .split("\n")
      .forEach((text, i) => {
        if (/^\s*```/.test(text)) fenced = !fenced;
        if (fenced) return;
        for (const m of text.replace(/`[^`]*`/g, "").matchAll(/\]\(([^)\s]+)\)/g)) {
          if (!/^(https?:|mailto:)/.test(m[1])) links.push({ target: m[1], line: i + 1 });
        }
      });
    return links;
  }

  /** The anchors a page's headings make, as GitHub makes them. */
  function anchorsOf(file: string): Set<string> {
    return new Set(
      fs
        .readFileSync(file, "utf8")
        .split("\n")
        .filter((l) => /^#{1,6} /.test(l))
        .map((l) =>
          l
            .replace(/^#+ /, "")
            .trim()
            .toLowerCase()
            .replace(/[^\w\- ]/g, "")
            .replace(/ /g, "-"),
        ),
    );
  }

  test("every link between pages leads to a page, a heading of it, or a symbol of the API reference", () => {
    const exported = packageExports();
    const broken: string[] = [];
    for (const doc of docFiles()) {
      for (const { target, line } of linksOf(doc)) {
        const [file, anchor] = target.split("#");
        const resolved = path.resolve(path.dirname(path.join(ROOT, doc)), file || path.basename(doc));
        const relative = path.relative(ROOT, resolved).split(path.sep).join("/");
        const api = /^docs\/api\/(classes|interfaces|functions|types|variables)\/(\w+)\.html$/.exec(relative);
        if (api !== null) {
          // The reference is generated (npm run docs): the symbol must be one the package exports.
          if (!exported.has(api[2])) broken.push(`${doc}:${line} ${target} (the package exports no ${api[2]})`);
          continue;
        }
        if (!fs.existsSync(resolved)) broken.push(`${doc}:${line} ${target} (no such file)`);
        else if (anchor !== undefined && resolved.endsWith(".md") && !anchorsOf(resolved).has(anchor)) {
          broken.push(`${doc}:${line} ${target} (no such heading)`);
        }
      }
    }
    expect(broken).toEqual([]);
  });

  test("the policy rules page is generated from the rules and current (npm run policy-page writes it)", () => {
    const expected = policyPage();
    const page = fs.readFileSync(POLICY_PAGE, "utf8");
    if (page !== expected) console.error("docs/policy-rules.md is stale: npm run policy-page writes it.");
    expect(page).toBe(expected);
    for (const r of RULES) expect(page).toContain(`## ${r.id}\n\n**${r.what}.**`);
  });
});
