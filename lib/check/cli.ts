import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "util";
import { STAGES, Stage } from "../policies/rule";
import { RULES } from "../policies/rules";
import { formatJson, formatSarif, formatText, summaryLine } from "./format";
import { runGuard } from "./guard-cli";
import type { Acknowledgement } from "./input";
import { InputError } from "./input";
import { readPaths } from "./read";
import { checkConfigurations, countsOf } from "./report";
import type { CommandResult } from "./result";

/*
 * `cdktf-cloud-run <command>`, the package's bin: the policy pack for any Terraform (`check`) and
 * a guard between a plan and its apply (`guard`). It loads neither cdktf nor the provider
 * bindings: a Terraform user runs it with none of the package's peer dependencies installed.
 */

export const USAGE = `Usage:
  cdktf-cloud-run check [PATH…] [--stage development|preproduction|production] [--format text|json|sarif]
                        [--output FILE] [--acknowledgements FILE] [--fail-on unknown] [--root]
      The policy pack over HCL folders and .tf files, Terraform JSON (.tf.json, cdk.tf.json) and
      plans (terraform show -json PLANFILE > plan.json). PATH defaults to the current folder.
  cdktf-cloud-run guard PLAN.json [--allow-destroy ADDRESS]… [--reason TEXT] [--format text|json] [--markdown]
      Stops a plan that destroys or replaces what production needs.

Exit codes: 0 nothing at error level, 1 findings at error level (or a blocked plan), 2 usage errors
or files that cannot be read.
`;

const FORMATS = ["text", "json", "sarif"] as const;

/** The package's version, for SARIF's tool: its package.json, wherever the package is. */
function version(): string {
  for (let dir = __dirname, i = 0; i < 4; dir = path.dirname(dir), i++) {
    const file = path.join(dir, "package.json");
    if (!fs.existsSync(file)) continue;
    const pkg = JSON.parse(fs.readFileSync(file, "utf8")) as { name?: string; version?: string };
    if (pkg.name === "cdktf-cloud-run" && typeof pkg.version === "string") return pkg.version;
  }
  return "0.0.0";
}

const usage = (problem: string): CommandResult => ({ code: 2, stdout: "", stderr: `${problem}\n\n${USAGE}` });

/** Runs one command line (without the program's name). */
export async function runCli(argv: readonly string[], cwd = process.cwd()): Promise<CommandResult> {
  const [command, ...rest] = argv;
  if (command === undefined || command === "--help" || command === "-h" || command === "help") {
    return {
      code: command === undefined ? 2 : 0,
      stdout: command === undefined ? "" : USAGE,
      stderr: command === undefined ? USAGE : "",
    };
  }
  if (command === "guard") return runGuard(rest);
  if (command === "check") return runCheck(rest, cwd);
  return usage(`unknown command ${JSON.stringify(command)}: check or guard`);
}

/** `check [PATH…] [options]`. */
export async function runCheck(argv: readonly string[], cwd = process.cwd()): Promise<CommandResult> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        stage: { type: "string" },
        format: { type: "string" },
        output: { type: "string" },
        acknowledgements: { type: "string" },
        "fail-on": { type: "string" },
        root: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (e) {
    return usage((e as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) return { code: 0, stdout: USAGE, stderr: "" };
  const problems: string[] = [];
  const stage = (values.stage ?? "production") as Stage;
  if (!STAGES.includes(stage)) problems.push(`--stage must be one of ${STAGES.join(", ")}; got ${values.stage}`);
  const format = (values.format ?? "text") as (typeof FORMATS)[number];
  if (!FORMATS.includes(format)) problems.push(`--format must be one of ${FORMATS.join(", ")}; got ${values.format}`);
  if (values["fail-on"] !== undefined && values["fail-on"] !== "unknown") {
    problems.push(`--fail-on takes unknown; got ${values["fail-on"]}`);
  }
  let fileAcknowledgements: Acknowledgement[] = [];
  if (values.acknowledgements !== undefined) {
    const read = readAcknowledgements(path.resolve(cwd, values.acknowledgements), values.acknowledgements);
    if (typeof read === "string") problems.push(read);
    else fileAcknowledgements = read;
  }
  const output = values.output === undefined ? undefined : path.resolve(cwd, values.output);
  if (values.output !== undefined) problems.push(...outputProblems(values.output, output!));
  if (problems.length > 0) return usage(problems.join("\n"));

  const paths = positionals.length > 0 ? positionals : ["."];
  const { configurations, problems: unreadable } = await readPaths(paths, { root: values.root === true, cwd });
  if (unreadable.length > 0) {
    return {
      code: 2,
      stdout: "",
      stderr: `${capped(unreadable.map((p) => (p instanceof InputError ? { file: p.file, text: p.message } : { file: "", text: String(p) })))}${unreadable.length} problem(s) in the input; nothing was checked\n`,
    };
  }
  if (output !== undefined && configurations.some((c) => c.files.some((f) => path.resolve(cwd, f) === output))) {
    return usage(`--output ${values.output} is a file this command reads: the report would replace it`);
  }
  const report = checkConfigurations(configurations, stage, RULES, fileAcknowledgements);
  const counts = countsOf(report);
  const failed =
    counts.error > 0 ||
    report.badAcknowledgements.length > 0 ||
    (values["fail-on"] === "unknown" && counts.unknown > 0);
  const text =
    format === "sarif"
      ? formatSarif(report, RULES, version(), cwd)
      : format === "json"
        ? formatJson(report)
        : formatText(report);
  const code = failed ? 1 : 0;
  if (values.output !== undefined) {
    return {
      code,
      stdout: `${summaryLine(report)}\nwrote ${values.output}\n`,
      stderr: "",
      output: { file: path.resolve(cwd, values.output), text },
    };
  }
  return { code, stdout: text, stderr: "" };
}

/** Where `--output` may write: a new or ordinary file in a folder that exists, never Terraform. */
function outputProblems(given: string, file: string): string[] {
  if (given === "") return ["--output needs a file name"];
  if (/\.tf(\.json)?$/.test(file)) return [`--output ${given} would write over Terraform: name a report file`];
  if (fs.existsSync(file) && !fs.statSync(file).isFile()) return [`--output ${given} is not a file`];
  if (!fs.existsSync(path.dirname(file))) return [`--output ${given}: its folder does not exist`];
  return [];
}

/**
 * The problems of the input, at most five a file: a parser that loses its way (an unclosed quote)
 * reports every line after it, and the first is the one to fix.
 */
function capped(problems: readonly { file: string; text: string }[]): string {
  const shown = new Map<string, number>();
  const lines: string[] = [];
  for (const p of problems) {
    const n = (shown.get(p.file) ?? 0) + 1;
    shown.set(p.file, n);
    if (n <= 5) lines.push(p.text);
    else if (n === 6) lines.push(`${p.file}: … and more after these (fix the first: the rest may follow from it)`);
  }
  return lines.map((l) => `${l}\n`).join("");
}

/**
 * `--acknowledgements FILE`: a JSON list of `{ "rule": "RUN-001", "address": "…", "reason": "…" }`,
 * for Terraform JSON and plans, which have no comments. Reasons are checked with the findings (the
 * same rules as at synthesis); the shape here.
 */
function readAcknowledgements(file: string, shown: string): Acknowledgement[] | string {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (e) {
    return `--acknowledgements ${shown} cannot be read as JSON: ${(e as Error).message}`;
  }
  if (!Array.isArray(raw)) return `--acknowledgements ${shown} must be a JSON list of { "rule", "address", "reason" }`;
  const list: Acknowledgement[] = [];
  const problems: string[] = [];
  raw.forEach((entry: unknown, i) => {
    const e = entry as Record<string, unknown>;
    const keys = typeof entry === "object" && entry !== null ? Object.keys(e).sort().join(",") : "";
    if (keys !== "address,reason,rule" || ![e.rule, e.address, e.reason].every((v) => typeof v === "string")) {
      problems.push(`--acknowledgements ${shown} [${i}] must be { "rule", "address", "reason" }, each a string`);
      return;
    }
    list.push({
      ruleId: e.rule as string,
      address: e.address as string,
      reason: e.reason as string,
      location: { file: shown },
    });
  });
  return problems.length > 0 ? problems.join("\n") : list;
}

/** The bin: runs the command line, writes `--output`, and exits with its code. */
export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  try {
    const result = await runCli(argv);
    if (result.output !== undefined) fs.writeFileSync(result.output.file, result.output.text);
    process.stdout.write(result.stdout);
    process.stderr.write(result.stderr);
    process.exitCode = result.code;
  } catch (e) {
    // A crash on valid Terraform is a defect of this command: said in one line, exit 2.
    process.stderr.write(`cdktf-cloud-run: internal error: ${(e as Error).message}\n`);
    process.exitCode = 2;
  }
}

if (require.main === module) void main();
