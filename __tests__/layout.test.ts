/**
 * The architecture, as the imports show it: the app (main.ts, scripts/, environments/,
 * lib/app/) → the library's constructs and policies → the shared GCP facts and validation
 * (lib/gcp/) → the provider classes (lib/providers.ts). Nothing in the library imports the app;
 * policies read synthesized Terraform JSON and import no construct. Read from the sources, in
 * process: every relative import of every TypeScript file.
 */
import * as fs from "fs";
import * as path from "path";

const root = path.resolve(__dirname, "..");

type Layer = "app" | "index" | "constructs" | "policies" | "gcp" | "providers";

/** What each layer may import, besides itself and packages. */
const ALLOWED: Record<Layer, readonly Layer[]> = {
  app: ["index", "constructs", "policies", "gcp", "providers"],
  index: ["constructs", "policies", "gcp"],
  constructs: ["gcp", "providers"],
  policies: ["gcp"],
  gcp: [],
  providers: [],
};

function layerOf(file: string): Layer | undefined {
  const rel = path.relative(root, file).split(path.sep).join("/");
  if (rel === "lib/index.ts") return "index";
  if (rel === "lib/providers.ts") return "providers";
  const m = /^lib\/(app|constructs|policies|gcp)\//.exec(rel);
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
  test("lib/ has the constructs, the policies, the shared GCP facts and the app in folders of their own", () => {
    const folders = fs
      .readdirSync(path.join(root, "lib"), { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .sort();
    expect(folders).toEqual(["app", "constructs", "gcp", "policies"]);
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

  test("test tiers: only __tests__/e2e/ starts processes, so `npm run test:unit` is in-process", () => {
    const spawning = fs
      .readdirSync(path.join(root, "__tests__"), { recursive: true, encoding: "utf8" })
      .filter((f) => f.endsWith(".ts") && !f.startsWith("e2e") && !f.startsWith(`readme${path.sep}generated`))
      .filter((f) =>
        /from "(node:)?child_process"|require\("(node:)?child_process"\)/.test(
          fs.readFileSync(path.join(root, "__tests__", f), "utf8"),
        ),
      );
    expect(spawning).toEqual([]);
    const scripts = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")).scripts;
    expect(scripts["test:unit"]).toContain("--testPathIgnorePatterns=/e2e/");
  });

  test("the check sees imports: lib/app imports the library, main.ts imports lib/app", () => {
    const appImports = sources("lib/app").flatMap(importsOf).map(layerOf);
    expect(new Set(appImports)).toEqual(new Set(["app", "constructs", "policies", "gcp", "providers"]));
    expect(importsOf(path.join(root, "main.ts")).map(layerOf)).toContain("app");
  });
});
