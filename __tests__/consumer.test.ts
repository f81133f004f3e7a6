/**
 * The consumer's view: build the package as it is published (`npm run package` writes dist/ with
 * its own manifest), pack it, install the tarball into a fresh cdktf app outside this repository,
 * compile that app with `tsc --strict`, synthesize it, and read what it wrote.
 *
 * The package has no dependencies of its own, so npm installs it offline with nothing to fetch.
 * The peer dependencies (cdktf, constructs, the provider) and TypeScript belong to the consuming
 * app; they are linked from this repository's node_modules rather than installed again (the
 * provider alone unpacks to about 300 MB).
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const repo = path.resolve(__dirname, "..");
const PEERS = ["cdktf", "constructs", "@cdktf/provider-google", "typescript"];

const CONTRACT = `import { App, TerraformStack } from "cdktf";
import { GoogleProvider } from "@cdktf/provider-google/lib/provider";
import { ArtifactRepository, CloudRunService, ProjectServices } from "cdktf-cloud-run";

const app = new App();
const stack = new TerraformStack(app, "consumer");
new GoogleProvider(stack, "google", { project: "acme-ml-dev", region: "europe-west1" });

const apis = new ProjectServices(stack, "apis", {
  project: "acme-ml-dev",
  services: ["run.googleapis.com", "artifactregistry.googleapis.com"],
});
const repo = new ArtifactRepository(stack, "images", {
  project: "acme-ml-dev",
  location: "europe-west1",
  repositoryId: "models",
  dependsOn: [apis],
});
const api = new CloudRunService(stack, "predict", {
  project: "acme-ml-dev",
  location: "europe-west1",
  name: "predict-api",
  image: repo.imageUri("predict-api", "sha256:" + "a".repeat(64)),
  dependsOn: [apis],
});
repo.grantReader(\`serviceAccount:\${api.serviceAccountEmail}\`);
api.grantInvoker("serviceAccount:gateway@acme-ml-dev.iam.gserviceaccount.com");
app.synth();
`;

const BAD_NAME = `import { TerraformStack, Testing } from "cdktf";
import { CloudRunService } from "cdktf-cloud-run";

const stack = new TerraformStack(Testing.app(), "consumer");
try {
  new CloudRunService(stack, "svc", { location: "europe-west1", name: "Predict_API", image: "nginx:1.27" });
  console.log("no error");
} catch (e) {
  console.log((e as Error).message);
}
`;

/** Runs a command; a failure shows what the command printed. */
/** Runs a command; returns what it printed (stderr after stdout), or fails showing it. */
function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): string {
  const r = spawnSync(cmd, args, { cwd, env: { ...process.env, ...env }, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed:\n${r.stdout}${r.stderr}`);
  return r.stdout + r.stderr;
}

describe("the packed library, in a consumer's cdktf app", () => {
  let app: string;
  let packDir: string;
  let installOutput: string;

  beforeAll(() => {
    packDir = fs.mkdtempSync(path.join(os.tmpdir(), "cdktf-cloud-run-pack-"));
    app = fs.mkdtempSync(path.join(os.tmpdir(), "cdktf-cloud-run-consumer-"));
    // What `npm run package` does. `tsc -b` is incremental: after `npm test` has built dist/,
    // this is a no-op.
    run(
      process.execPath,
      [path.join(repo, "node_modules", "typescript", "bin", "tsc"), "-b", "tsconfig.build.json"],
      repo,
    );
    run(process.execPath, [path.join(repo, "scripts", "package.mjs")], repo);
    const tarball = run("npm", ["pack", "--silent", "--pack-destination", packDir, "./dist"], repo)
      .trim()
      .split("\n")
      .pop()!;

    fs.writeFileSync(path.join(app, "package.json"), JSON.stringify({ name: "consumer", private: true }));
    // Scripts are not ignored: a package that ships an install-time script makes npm warn here.
    installOutput = run(
      "npm",
      ["install", "--offline", "--no-audit", "--no-fund", "--legacy-peer-deps", path.join(packDir, tarball)],
      app,
      { npm_config_loglevel: "warn" },
    );
    for (const peer of PEERS) {
      const link = path.join(app, "node_modules", peer);
      fs.mkdirSync(path.dirname(link), { recursive: true });
      fs.symlinkSync(path.join(repo, "node_modules", peer), link, "dir");
    }
    fs.writeFileSync(
      path.join(app, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          target: "ES2022",
          module: "commonjs",
          moduleResolution: "node",
          strict: true,
          // As in cdktf's project template. The library's declarations are checked for what
          // they import by the test below, and are emitted by tsc from type-checked sources.
          skipLibCheck: true,
          types: [],
        },
        files: ["main.ts", "bad-name.ts"],
      }),
    );
    fs.writeFileSync(path.join(app, "main.ts"), CONTRACT);
    fs.writeFileSync(path.join(app, "bad-name.ts"), BAD_NAME);
  }, 120_000);

  afterAll(() => {
    fs.rmSync(app, { recursive: true, force: true });
    fs.rmSync(packDir, { recursive: true, force: true });
  });

  test("the tarball holds the compiled library and its declarations, not the app, the sources or tests", () => {
    const installed = path.join(app, "node_modules", "cdktf-cloud-run");
    const pkg = JSON.parse(fs.readFileSync(path.join(installed, "package.json"), "utf8"));
    expect(pkg.main).toBe("index.js");
    expect(pkg.types).toBe("index.d.ts");
    expect(Object.keys(pkg.peerDependencies).sort()).toEqual(["@cdktf/provider-google", "cdktf", "constructs"]);
    // Nothing runs at install time and nothing else is installed: no scripts, no dependencies.
    expect(pkg.scripts).toBeUndefined();
    expect(pkg.dependencies).toBeUndefined();
    expect(installOutput).toMatch(/^added 1 package\b/m);
    expect(installOutput).not.toMatch(/warn/i);
    expect(fs.existsSync(path.join(installed, "index.d.ts"))).toBe(true);
    const shipped = fs.readdirSync(installed, { recursive: true, encoding: "utf8" });
    expect(shipped.filter((f) => /(^|\/)app(\/|$)|\.ts$/.test(f) && !f.endsWith(".d.ts"))).toEqual([]);
    expect(shipped.filter((f) => /__tests__|\.tsbuildinfo/.test(f))).toEqual([]);
  });

  test("the package root exports the constructs, the policy pack and errors, and nothing of the app", () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the installed package, as a consumer loads it
    const exported = Object.keys(require(path.join(app, "node_modules", "cdktf-cloud-run"))).sort();
    expect(exported).toEqual([
      "ArtifactRepository",
      "CloudRunService",
      "PolicyError",
      "PolicyPack",
      "ProjectServices",
      "RULES",
      "STAGES",
      "ValidationError",
      "acknowledge",
      "formatReport",
      "hasErrors",
      "runtimeServiceAccountId",
    ]);
  });

  test("the declarations import nothing a consumer lacks: only the peers and the library itself", () => {
    const dist = path.join(app, "node_modules", "cdktf-cloud-run");
    const allowed = /^(cdktf|constructs|@cdktf\/provider-google\/lib\/[a-z0-9-]+|(\.\.?\/)+[\w./-]+)$/;
    const imported = new Set<string>();
    const declarations = fs.readdirSync(dist, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".d.ts"));
    for (const file of declarations) {
      const text = fs.readFileSync(path.join(dist, file), "utf8");
      for (const m of text.matchAll(/^(?:import|export)\b[^;]*?\sfrom "([^"]+)";/gms)) imported.add(m[1]);
      for (const m of text.matchAll(/import\("([^"]+)"\)/g)) imported.add(m[1]);
    }
    expect(imported.size).toBeGreaterThan(10);
    for (const name of imported) expect(name).toMatch(allowed);
  });

  test("the contract compiles under tsc --strict", () => {
    expect(() =>
      run(process.execPath, [path.join(repo, "node_modules", "typescript", "bin", "tsc"), "-p", "."], app),
    ).not.toThrow();
  }, 60_000);

  let badNameOutput: string;

  test("the contract synthesizes the safe version", () => {
    const out = path.join(app, "out");
    // One process for both programs: main.js synthesizes, bad-name.js prints its error. Then it
    // says whether zod is loaded.
    const zodLoaded = "Object.keys(require.cache).some((f) => /[\\\\/]node_modules[\\\\/]zod[\\\\/]/.test(f))";
    const script = [
      'require("./main.js");',
      'require("./bad-name.js");',
      `console.log("zod loaded on import: " + ${zodLoaded});`,
    ].join(" ");
    badNameOutput = run(process.execPath, ["-e", script], app, { CDKTF_OUTDIR: out });
    const tf = JSON.parse(fs.readFileSync(path.join(out, "stacks", "consumer", "cdk.tf.json"), "utf8"));
    const r = tf.resource;

    for (const api of Object.values<Record<string, unknown>>(r.google_project_service)) {
      expect(api).toMatchObject({ disable_on_destroy: false, disable_dependent_services: false });
    }
    const [svc] = Object.values<Record<string, any>>(r.google_cloud_run_v2_service); // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(svc.name).toBe("predict-api");
    expect(svc.deletion_protection).toBe(true);
    expect(svc.template.containers[0].image).toBe(
      "europe-west1-docker.pkg.dev/acme-ml-dev/models/predict-api@sha256:" + "a".repeat(64),
    );
    expect(svc.template.service_account).toMatch(/^\$\{google_service_account\./);
    expect(svc.template.scaling.max_instance_count).toBe(10);
    expect(svc.depends_on).toHaveLength(2);

    const readers = Object.values<Record<string, string>>(r.google_artifact_registry_repository_iam_member);
    expect(readers.map((m) => m.role)).toEqual(["roles/artifactregistry.reader"]);
    expect(readers[0].member).toMatch(
      /^serviceAccount:\$\{google_service_account\.predict_service-account_[0-9A-F]+\.email\}$/,
    );
    const invokers = Object.values<Record<string, string>>(r.google_cloud_run_v2_service_iam_member);
    expect(invokers.map((m) => [m.role, m.member])).toEqual([
      ["roles/run.invoker", "serviceAccount:gateway@acme-ml-dev.iam.gserviceaccount.com"],
    ]);
    expect(Object.values<Record<string, unknown>>(r.google_artifact_registry_repository)[0]).toMatchObject({
      lifecycle: { prevent_destroy: true },
      docker_config: { immutable_tags: true },
    });
  }, 60_000);

  test("importing the library loads no zod: the configuration schema belongs to the app", () => {
    expect(badNameOutput).toMatch(/zod loaded on import: false\n$/);
  });

  test("a bad name throws an error that names the prop, the value and the rule", () => {
    expect(badNameOutput).toContain(
      'name: got "Predict_API"; must be 1-49 characters of lowercase letters, digits and hyphens',
    );
  }, 60_000);
});
