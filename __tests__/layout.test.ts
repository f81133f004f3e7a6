/**
 * The architecture, as the imports show it: the app (main.ts, scripts/, environments/,
 * lib/app/) → the library's constructs and policies → the shared GCP facts and validation
 * (lib/gcp/) → the provider classes (lib/providers.ts). Nothing in the library imports the app;
 * policies read synthesized Terraform JSON and import no construct. The check command
 * (lib/check/) reads Terraform from files and runs the policies on it: it imports policies and
 * GCP facts only, never constructs or providers (it runs without cdktf installed). Read from the sources, in
 * process: every relative import of every TypeScript file.
 */
import * as fs from "fs";
import * as path from "path";
import { UNIT_FOLDERS, unitTestFiles } from "./unit/bundle";

const root = path.resolve(__dirname, "..");

type Layer = "app" | "index" | "check" | "constructs" | "policies" | "gcp" | "providers";

/** What each layer may import, besides itself and packages. */
const ALLOWED: Record<Layer, readonly Layer[]> = {
  app: ["index", "check", "constructs", "policies", "gcp", "providers"],
  index: ["constructs", "policies", "gcp"],
  check: ["policies", "gcp"],
  constructs: ["gcp", "providers"],
  policies: ["gcp"],
  gcp: [],
  providers: [],
};

function layerOf(file: string): Layer | undefined {
  const rel = path.relative(root, file).split(path.sep).join("/");
  if (rel === "lib/index.ts") return "index";
  if (rel === "lib/providers.ts") return "providers";
  const m = /^lib\/(app|check|constructs|policies|gcp)\//.exec(rel);
  if (m) return m[1] as Layer;
  if (/^(main\.ts|scripts\/|environments\/)/.test(rel)) return "app";
  return undefined;
}

function sources(dir: string): string[] {
  return fs
    .readdirSync(path.join(root, dir), { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))
    .map((f) => path.join(root, dir, f));
}

/** Every relative import of a file, resolved to the file it names. */
function importsOf(file: string): string[] {
  const text = fs.readFileSync(file, "utf8");
  const specifiers = [
    ...text.matchAll(/^(?:import|export)\b[^;]*?\sfrom\s+"([^"]+)"/gms),
    ...text.matchAll(/^import\s+"([^"]+)"/gm),
    ...text.matchAll(/require\("([^"]+)"\)/g),
  ].map((m) => m[1]);
  return specifiers
    .filter((s) => s.startsWith("."))
    .map((s) => {
      const target = path.resolve(path.dirname(file), s);
      for (const candidate of [`${target}.ts`, path.join(target, "index.ts"), target]) {
        if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return candidate;
      }
      throw new Error(`${path.relative(root, file)} imports ${s}, which does not exist`);
    });
}

const files = [...sources("lib"), ...sources("scripts"), ...sources("environments"), path.join(root, "main.ts")];

describe("layout", () => {
  test("lib/ has the constructs, the policies, the check command, the shared GCP facts and the app in folders of their own", () => {
    const folders = fs
      .readdirSync(path.join(root, "lib"), { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .sort();
    expect(folders).toEqual(["app", "check", "constructs", "gcp", "policies"]);
    const loose = fs.readdirSync(path.join(root, "lib")).filter((f) => f.endsWith(".ts"));
    expect(loose.sort()).toEqual(["index.ts", "providers.ts"]);
  });

  test("imports run one way: app → constructs and policies → GCP facts → providers", () => {
    const wrong: string[] = [];
    for (const file of files) {
      const from = layerOf(file);
      if (from === undefined) continue;
      for (const target of importsOf(file)) {
        const to = layerOf(target);
        if (to === undefined || to === from) continue;
        if (!ALLOWED[from].includes(to))
          wrong.push(`${path.relative(root, file)} (${from}) imports ${path.relative(root, target)} (${to})`);
      }
    }
    expect(wrong).toEqual([]);
  });

  test("no import circle anywhere in lib/: each names its files in order", () => {
    const libFiles = sources("lib");
    const graph = new Map(libFiles.map((f) => [f, importsOf(f)]));
    const circles: string[] = [];
    const state = new Map<string, "open" | "done">();
    const stack: string[] = [];
    const visit = (file: string): void => {
      state.set(file, "open");
      stack.push(file);
      for (const next of graph.get(file) ?? []) {
        if (state.get(next) === "open") {
          const circle = [...stack.slice(stack.indexOf(next)), next];
          circles.push(circle.map((f) => path.relative(root, f)).join(" → "));
        } else if (!state.has(next)) visit(next);
      }
      stack.pop();
      state.set(file, "done");
    };
    for (const file of libFiles) if (!state.has(file)) visit(file);
    expect(circles).toEqual([]);
  });

  test("the circle check sees a circle", () => {
    // Two modules that import each other, as the check reads them.
    const a = path.join(root, "lib", "a.ts");
    const b = path.join(root, "lib", "b.ts");
    const graph = new Map([
      [a, [b]],
      [b, [a]],
    ]);
    const found: string[][] = [];
    const open = new Set<string>();
    const walk = (f: string, trail: string[]): void => {
      if (open.has(f)) return void found.push([...trail.slice(trail.indexOf(f)), f]);
      open.add(f);
      for (const n of graph.get(f) ?? []) walk(n, [...trail, f]);
      open.delete(f);
    };
    walk(a, []);
    expect(found[0].map((f) => path.basename(f))).toEqual(["a.ts", "b.ts", "a.ts"]);
  });

  test("tests mirror the sources: __tests__/<constructs|policies|app|gcp>/… names a file or folder of lib/", () => {
    const tests = fs
      .readdirSync(path.join(root, "__tests__"), { recursive: true, encoding: "utf8" })
      .map((f) => f.split(path.sep).join("/"))
      .filter((f) => f.endsWith(".test.ts"));
    const mirrored = tests.filter((f) => /^(constructs|policies|app|gcp|check)\//.test(f));
    const orphans = mirrored.filter((f) => {
      const base = path.join(root, "lib", f.replace(/\.test\.ts$/, ""));
      return !fs.existsSync(`${base}.ts`) && !fs.existsSync(base);
    });
    expect(orphans).toEqual([]);
    // Everything else is a tier of its own: whole-app tests (integ/), child processes (e2e/), this file.
    const elsewhere = tests.filter((f) => !mirrored.includes(f) && !/^(integ|e2e)\//.test(f) && !f.startsWith("docs/"));
    expect(elsewhere).toEqual(["layout.test.ts"]);
  });

  test("every construct and every rule folder has its test file", () => {
    const has = (rel: string) => fs.existsSync(path.join(root, "__tests__", rel));
    const constructs = sources("lib/constructs").filter((f) =>
      /export class \w+ extends Construct\b/.test(fs.readFileSync(f, "utf8")),
    );
    const untested = constructs
      .map((f) => path.relative(path.join(root, "lib"), f).split(path.sep).join("/"))
      .map((rel) => rel.replace(/\.ts$/, ".test.ts"))
      .map((rel) =>
        /\/(service|job|worker-pool)\.test\.ts$/.test(rel)
          ? rel.replace(/\/(service|job|worker-pool)\.test\.ts$/, ".test.ts")
          : rel,
      )
      .filter((rel) => !has(rel));
    expect(untested).toEqual([]);
    const rules = fs
      .readdirSync(path.join(root, "lib", "policies", "rules"), { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => `policies/rules/${d.name}.test.ts`)
      .filter((rel) => !has(rel));
    expect(rules).toEqual([]);
  });

  test("test tiers: only __tests__/e2e/ starts processes, so `npm run test:unit` is in-process", () => {
    const spawning = fs
      .readdirSync(path.join(root, "__tests__"), { recursive: true, encoding: "utf8" })
      .filter((f) => f.endsWith(".ts") && !f.startsWith("e2e") && !f.startsWith(`docs${path.sep}generated`))
      .filter((f) =>
        /from "(node:)?child_process"|require\("(node:)?child_process"\)/.test(
          fs.readFileSync(path.join(root, "__tests__", f), "utf8"),
        ),
      );
    expect(spawning).toEqual([]);
    // The unit tier is the mirrored folders, loaded as one test file; no integ or e2e file in it.
    const scripts = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")).scripts;
    expect(scripts["test:unit"]).toBe("jest -c jest.unit.config.js");
    expect(UNIT_FOLDERS).toEqual(["constructs", "policies", "app", "gcp", "check"]);
    const unit = unitTestFiles();
    expect(unit.filter((f) => /^(integ|e2e)\//.test(f))).toEqual([]);
    expect(unit).toContain("constructs/state-bucket.test.ts");
  });

  test("the check sees imports: lib/app imports the library, main.ts imports lib/app", () => {
    const appImports = sources("lib/app").flatMap(importsOf).map(layerOf);
    expect(new Set(appImports)).toEqual(new Set(["app", "constructs", "policies", "gcp", "providers"]));
    expect(importsOf(path.join(root, "main.ts")).map(layerOf)).toContain("app");
  });
});
