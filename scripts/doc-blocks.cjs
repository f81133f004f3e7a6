// The code blocks of the documentation (README.md, CONTRIBUTING.md and every page of docs/) and
// what each is for, read by scripts/doc-examples.cjs (which writes the TypeScript blocks out as
// files that `tsc -b` type-checks) and by __tests__/integ/docs.test.ts (which runs them, compares
// the outputs the pages show with what the code prints, and checks the links between pages).
//
// A block is tested when an HTML comment right before it says how (Cloud Foundation Fabric's
// README examples work the same way):
//
//   <!-- test: program NAME -->          a whole program: type-checked, and run by a test; the
//                                        stacks it writes are held against the provider's schema
//   <!-- test: fragment CONTEXT -->      statements, type-checked and run inside CONTEXT's setup;
//                                        the stacks it builds are held against the schema too
//   <!-- test: environment FILE -->      an environment file (environments/FILE), type-checked
//                                        and synthesized in a copy of environments/
//   <!-- test: environment-fields -->    fields of an environment's configuration, type-checked
//   <!-- test: service -->               a service entry of `services`, type-checked
//   <!-- test: rule -->                  a policy rule's file, as in lib/policies/rules/<service>/:
//                                        type-checked, and its rule-case blocks run against it
//   <!-- test: rule-case -->             cases of a rule, as in __tests__/policies/rules/cases/,
//                                        with `service` of its builders: type-checked and run
//   <!-- test: output NAME -->           text a test produces and compares, byte for byte
//   <!-- test: file NAME -->             a file a test uses (the consumer app's package.json)
//
// Every TypeScript block must have one; the test fails on a block without.
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const ROOT = path.join(__dirname, "..");
const README = path.join(ROOT, "README.md");

/** Every page of the documentation, relative to the repository's root, sorted; the README first. */
function docFiles() {
  const docs = fs.existsSync(path.join(ROOT, "docs"))
    ? fs
        .readdirSync(path.join(ROOT, "docs"), { recursive: true, encoding: "utf8" })
        .map((f) => `docs/${f.split(path.sep).join("/")}`)
        .filter((f) => f.endsWith(".md") && !f.startsWith("docs/api/"))
        .sort()
    : [];
  return ["README.md", "CONTRIBUTING.md", ...docs].filter((f) => fs.existsSync(path.join(ROOT, f)));
}

/**
 * Every fenced block of one page: its page (`doc`), language, text, the line it starts on (1-based,
 * the fence), and the test marker before it, if any ({ kind, arg }).
 */
function pageBlocks(doc, text = fs.readFileSync(path.join(ROOT, doc), "utf8")) {
  const lines = text.split("\n");
  const blocks = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)```(\w*)\s*$/.exec(lines[i]);
    if (!open) continue;
    const indent = open[1];
    const body = [];
    let j = i + 1;
    for (; j < lines.length && !new RegExp(`^${indent}\`\`\`\\s*$`).test(lines[j]); j++) {
      body.push(lines[j].startsWith(indent) ? lines[j].slice(indent.length) : lines[j]);
    }
    let k = i - 1;
    while (k >= 0 && lines[k].trim() === "") k--;
    const marker = k >= 0 ? /^\s*<!-- test: ([\w-]+)(?: (\S+))? -->\s*$/.exec(lines[k]) : null;
    blocks.push({
      doc,
      language: open[2],
      text: body.join("\n") + "\n",
      line: i + 1,
      marker: marker ? { kind: marker[1], arg: marker[2] } : undefined,
    });
    i = j;
  }
  return blocks;
}

/** Every block of every page, page by page. */
function docBlocks() {
  return docFiles().flatMap((doc) => pageBlocks(doc));
}

module.exports = { ROOT, README, docBlocks, docFiles, pageBlocks };
