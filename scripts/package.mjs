// npm run package: the published library as its own folder, dist/, ready for `npm pack ./dist` or
// `npm publish ./dist`.
//
// The repository's package.json is the development project (private, with the app's
// dependencies, the test tools and the git-hook `prepare` script); the package users install is
// the construct library alone. So its manifest is written here from the repository's: name,
// version, description, license, keywords, engines and peer dependencies (optional: the check
// command needs none of them), the check command's bin and its two dependencies, no scripts
// (installing it runs nothing),
// and `files` listing exactly what lib/ compiles to (lib/app/ excluded), so a stale file in dist/
// is never shipped.
import { copyFileSync, cpSync, existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));

const sources = readdirSync(join(root, "lib"), { recursive: true, encoding: "utf8" })
  .filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))
  .map((f) => f.split("\\").join("/"))
  .filter((f) => !f.startsWith("app/"))
  .sort();
const files = sources.flatMap((f) => [f.replace(/\.ts$/, ".js"), f.replace(/\.ts$/, ".d.ts")]);
const missing = files.filter((f) => !existsSync(join(root, "dist", f)));
if (missing.length > 0) {
  console.error(`dist/ lacks ${missing.join(", ")}: run npm run build first.`);
  process.exit(1);
}

// What the check command (lib/check/) needs at run time: the HCL parser (HashiCorp's, compiled to
// WebAssembly) and a JSON parser that gives positions. Nothing else: the constructs need only the
// peers, which are optional for npm, so a Terraform user who runs `npx cdktf-cloud-run check`
// installs neither cdktf nor the provider bindings.
const CHECK_DEPENDENCIES = ["@cdktf/hcl2json", "jsonc-parser"];

const manifest = {
  name: pkg.name,
  version: pkg.version,
  description: pkg.description,
  license: pkg.license,
  keywords: pkg.keywords,
  engines: pkg.engines,
  main: "index.js",
  types: "index.d.ts",
  bin: { "cdktf-cloud-run": "check/bin.js" },
  files,
  dependencies: Object.fromEntries(CHECK_DEPENDENCIES.map((name) => [name, pkg.dependencies[name]])),
  peerDependencies: pkg.peerDependencies,
  peerDependenciesMeta: Object.fromEntries(Object.keys(pkg.peerDependencies).map((name) => [name, { optional: true }])),
};
// The check command's dependencies travel inside the tarball (bundleDependencies): installing the
// package then fetches nothing, offline or behind a registry mirror, and their versions are the
// ones this repository tested. Each is copied with what it depends on, as node resolves them.
const bundled = new Map();
const bundle = (name, from) => {
  if (bundled.has(name)) return;
  let dir = from;
  while (!existsSync(join(dir, "node_modules", name, "package.json"))) {
    if (dir === root || dirname(dir) === dir) throw new Error(`${name} is not installed: run npm ci`);
    dir = dirname(dir);
  }
  const at = join(dir, "node_modules", name);
  bundled.set(name, at);
  for (const dep of Object.keys(JSON.parse(readFileSync(join(at, "package.json"), "utf8")).dependencies ?? {})) {
    bundle(dep, at);
  }
};
for (const name of CHECK_DEPENDENCIES) bundle(name, root);
rmSync(join(root, "dist", "node_modules"), { recursive: true, force: true });
for (const [name, at] of bundled) {
  cpSync(at, join(root, "dist", "node_modules", name), {
    recursive: true,
    // Their own nested node_modules are bundled flat beside them.
    filter: (src) => !relative(at, src).split(sep).includes("node_modules"),
  });
}
manifest.bundleDependencies = CHECK_DEPENDENCIES;

writeFileSync(join(root, "dist", "package.json"), JSON.stringify(manifest, null, 2) + "\n");
copyFileSync(join(root, "README.md"), join(root, "dist", "README.md"));
console.log(
  `${relative(process.cwd(), join(root, "dist")) || "."}: ${pkg.name}@${pkg.version}, ${sources.length} modules`,
);
