// node scripts/doc-examples.cjs: writes each TypeScript block of the documentation (README.md,
// CONTRIBUTING.md, docs/) to __tests__/docs/generated/ (git ignores it), where `tsc -b`
// type-checks it with the rest of the project and __tests__/integ/docs.test.ts runs it. `npm test`
// runs this first; it takes milliseconds. What each block is for is said by the marker before it
// (scripts/doc-blocks.cjs).
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const { docBlocks } = require("./doc-blocks.cjs");

const OUT = path.join(__dirname, "..", "__tests__", "docs", "generated");

/**
 * The setup a fragment runs in. Each declares what fragments may use, and is wrapped,
 * with the fragment, in `export function run()`, which returns what `returns` names.
 */
const CONTEXTS = {
  // A consumer's stack: an app, a stack with its provider, a repository and a service.
  "consumer-stack": {
    imports: [
      'import { App, TerraformStack } from "cdktf";',
      'import { GoogleProvider } from "@cdktf/provider-google/lib/provider";',
      'import { ArtifactRepository, CloudRunService } from "cdktf-cloud-run";',
    ],
    setup: [
      "const app = new App();",
      'const stack = new TerraformStack(app, "consumer");',
      'new GoogleProvider(stack, "google", { project: "acme-ml-dev", region: "europe-west1" });',
      'const repo = new ArtifactRepository(stack, "images", { location: "europe-west1", repositoryId: "models" });',
      'const service = new CloudRunService(stack, "api", { location: "europe-west1", name: "api", image: repo.imageUri("api", "sha256:" + "a".repeat(64)) });',
    ],
    uses: ["app", "stack", "repo", "service"],
    // What run() returns: the app, whose stacks the test checks against the provider's schema.
    returns: "app",
  },
};

/** The generated file of a block, relative to OUT, or undefined for a block that is not TypeScript. */
function generatedName(block) {
  if (block.language !== "ts" || !block.marker) return undefined;
  const { kind, arg } = block.marker;
  if (kind === "program") return `program-${arg}.ts`;
  if (kind === "environment") return `environment-${arg}`;
  // README.md's blocks keep their names; another page's are prefixed with its path.
  const page = block.doc === "README.md" ? "" : `${block.doc.replace(/\.md$/, "").replace(/[^A-Za-z0-9]+/g, "-")}-`;
  return `${page}${kind}-L${block.line}.ts`;
}

/** Moves `import` lines to the top: fragments may show the imports they need. */
function splitImports(text) {
  const lines = text.trimEnd().split("\n");
  const imports = lines.filter((l) => /^import\b/.test(l));
  const body = lines.filter((l) => !/^import\b/.test(l));
  return { imports, body };
}

function generate(block) {
  const { kind, arg } = block.marker;
  const header = `// Generated from ${block.doc} line ${block.line} by scripts/doc-examples.cjs; edit the page, not this file.`;
  switch (kind) {
    case "program":
      return `${header}\n${block.text}`;
    case "fragment": {
      const context = CONTEXTS[arg];
      if (!context) throw new Error(`${block.doc} line ${block.line}: no fragment context "${arg}"`);
      const { imports, body } = splitImports(block.text);
      const own = new Set(imports);
      const all = [...imports, ...context.imports.filter((l) => !own.has(l))];
      return [
        header,
        ...mergeImports(all),
        "",
        "export function run() {",
        ...context.setup.map((l) => `  ${l}`),
        ...body.map((l) => (l === "" ? "" : `  ${l}`)),
        `  void [${context.uses.join(", ")}];`,
        `  return ${context.returns};`,
        "}",
        "",
      ].join("\n");
    }
    case "environment":
      // An environment file, as in environments/: its "./base" is that folder's.
      return `${header}\n${block.text.replace(/from "\.\/base"/g, 'from "../../../environments/base"')}`;
    case "environment-fields":
      return [
        header,
        'import type { EnvironmentOverrides } from "../../../lib/app";',
        "",
        "export const fields: EnvironmentOverrides = {",
        '  name: "readme",',
        '  stage: "production",',
        '  project: "acme-ml-readme",',
        '  stateBucket: "acme-ml-readme-tfstate",',
        ...indented(block.text),
        "};",
        "",
      ].join("\n");
    case "service":
      return [
        header,
        'import type { ServiceConfig } from "../../../lib/app";',
        "",
        "export const services: Record<string, ServiceConfig> = {",
        ...indented(block.text),
        "};",
        "",
      ].join("\n");
    case "rule":
      // A rule's file sits two folders under lib/policies/ (rules/<service>/).
      return `${header}\n${block.text.replace(/from "\.\.\/\.\.\/([\w-]+)"/g, 'from "../../../lib/policies/$1"')}`;
    case "rule-case":
      return [
        header,
        'import { Case, service } from "../../policies/builders";',
        "",
        "export const CASES: Case[] = [",
        ...indented(block.text),
        "];",
        "",
      ].join("\n");
    default:
      throw new Error(`${block.doc} line ${block.line}: a TypeScript block cannot be "${kind}"`);
  }
}

/** A block's lines, indented two spaces to sit inside an object literal. */
function indented(text) {
  return text
    .trimEnd()
    .split("\n")
    .map((l) => (l === "" ? "" : `  ${l}`));
}

/** One import line per module: two blocks may import from the same one. */
function mergeImports(lines) {
  const byModule = new Map();
  for (const line of lines) {
    const m = /^import (type )?\{([^}]*)\} from ("[^"]+");$/.exec(line);
    if (!m) {
      byModule.set(line, null);
      continue;
    }
    const key = `${m[1] ?? ""}${m[3]}`;
    const names = byModule.get(key) ?? new Set();
    for (const n of m[2]
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean))
      names.add(n);
    byModule.set(key, names);
  }
  return [...byModule.entries()].map(([key, names]) => {
    if (names === null) return key;
    const type = key.startsWith("type ") ? "type " : "";
    return `import ${type}{ ${[...names].sort().join(", ")} } from ${key.slice(type.length)};`;
  });
}

/** The files the documentation's TypeScript blocks become: name → content. */
function generatedFiles(blocks = docBlocks()) {
  const files = new Map();
  for (const block of blocks) {
    const name = generatedName(block);
    if (name !== undefined) files.set(name, generate(block));
  }
  return files;
}

function write() {
  const files = generatedFiles();
  fs.mkdirSync(OUT, { recursive: true });
  for (const old of fs.readdirSync(OUT)) if (!files.has(old)) fs.rmSync(path.join(OUT, old));
  for (const [name, content] of files) {
    const file = path.join(OUT, name);
    if (!fs.existsSync(file) || fs.readFileSync(file, "utf8") !== content) fs.writeFileSync(file, content);
  }
}

module.exports = { OUT, generatedFiles, generatedName };

if (require.main === module) write();
