// npm run package: the published library as its own folder, dist/, ready for `npm pack ./dist` or
// `npm publish ./dist`.
//
// The repository's package.json is the development project (private, with the app's
// dependencies, the test tools and the git-hook `prepare` script); the package users install is
// the construct library alone. So its manifest is written here from the repository's: name,
// version, description, license, keywords, engines and peer dependencies, no scripts and no
// dependencies (installing it runs nothing and pulls nothing but the peers the app already has),
// and `files` listing exactly what lib/ compiles to (lib/app/ excluded), so a stale file in dist/
// is never shipped.
import { copyFileSync, existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";

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

const manifest = {
  name: pkg.name,
  version: pkg.version,
  description: pkg.description,
  license: pkg.license,
  keywords: pkg.keywords,
  engines: pkg.engines,
  main: "index.js",
  types: "index.d.ts",
  files,
  peerDependencies: pkg.peerDependencies,
};
writeFileSync(join(root, "dist", "package.json"), JSON.stringify(manifest, null, 2) + "\n");
copyFileSync(join(root, "README.md"), join(root, "dist", "README.md"));
console.log(
  `${relative(process.cwd(), join(root, "dist")) || "."}: ${pkg.name}@${pkg.version}, ${sources.length} modules`,
);
