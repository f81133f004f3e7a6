import * as fs from "fs";
import { parseArgs } from "util";
import { REASON_LETTERS } from "../gcp/validation";
import {
  CHANGE_ACTIONS,
  ChangeAction,
  DestructiveChange,
  GuardReport,
  PlanFormatError,
  describeActionReason,
  guardPlan,
} from "./guard";
import { InputError } from "./input";
import type { CommandResult } from "./result";

/*
 * `cdktf-cloud-run guard PLAN.json`: the destroy guard (guard.ts) on a plan file made by
 * `terraform show -json PLANFILE`. Prints every change by action, then what it blocks, what was
 * allowed and why, and how to allow a deliberate replacement. Writes nothing.
 */

export const GUARD_USAGE = `Usage: cdktf-cloud-run guard PLAN.json [--allow-destroy ADDRESS]… [--reason TEXT] [--format text|json] [--markdown]

Blocks a Terraform plan that deletes or replaces a protected resource (a Cloud Run service or
job, a bucket, an image repository, a secret, a KMS key, a service account, a workload identity
pool or provider, …). PLAN.json is the output of \`terraform show -json PLANFILE\`.

  --allow-destroy ADDRESS  let the plan delete or replace this resource (its address exactly as
                           the plan names it); repeat for each; the plan must destroy every one
  --reason TEXT            why (at least ${REASON_LETTERS} letters); required with --allow-destroy
  --format text|json       text (the default), or the report as one JSON object
  --markdown               the text as Markdown (for a GitHub job summary)

Exit code: 0 nothing protected is destroyed without an allowance; 1 something is (the plan must
not be applied); 2 a usage error, an allowance the plan does not need, or a file that is not a
readable plan.`;

const usageError = (message: string): CommandResult => ({
  code: 2,
  stdout: "",
  stderr: `${message}\n\n${GUARD_USAGE}\n`,
});

/**
 * Where the first JSON syntax error in `text` is, and what it is. JSON.parse's messages give a
 * position for some errors only ("Unexpected token '}', … is not valid JSON" has none), so the
 * text is scanned again, by the grammar of RFC 8259, when JSON.parse has refused it.
 */
export function jsonSyntaxError(text: string): { offset: number; problem: string } | undefined {
  let i = 0;
  const fail = (problem: string): never => {
    throw { offset: i, problem };
  };
  const space = () => {
    while (i < text.length && " \t\n\r".includes(text[i])) i++;
  };
  const string = () => {
    i++;
    for (;;) {
      if (i >= text.length) fail("a string is not closed");
      const c = text[i];
      if (c === '"') return void i++;
      if (c === "\\") {
        const next = text[i + 1];
        if (next !== undefined && '"\\/bfnrt'.includes(next)) i += 2;
        else if (next === "u" && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) i += 6;
        else fail("a string has an invalid escape");
      } else if (c < " ") fail("a string has a raw control character (a line break?)");
      else i++;
    }
  };
  const value = (): void => {
    space();
    const c = text[i];
    if (c === undefined) fail("the file ends where a value should be");
    if (c === "{") {
      i++;
      space();
      if (text[i] === "}") return void i++;
      for (;;) {
        space();
        if (text[i] !== '"') fail("expected a property name in double quotes");
        string();
        space();
        if (text[i] !== ":") fail("expected ':' after a property name");
        i++;
        value();
        space();
        if (text[i] === ",") i++;
        else if (text[i] === "}") return void i++;
        else fail("expected ',' or '}' after a property value");
      }
    }
    if (c === "[") {
      i++;
      space();
      if (text[i] === "]") return void i++;
      for (;;) {
        value();
        space();
        if (text[i] === ",") i++;
        else if (text[i] === "]") return void i++;
        else fail("expected ',' or ']' after a value in a list");
      }
    }
    if (c === '"') return string();
    const number = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
    number.lastIndex = i;
    if ((c === "-" || (c >= "0" && c <= "9")) && number.test(text)) return void (i = number.lastIndex);
    for (const literal of ["true", "false", "null"]) if (text.startsWith(literal, i)) return void (i += literal.length);
    fail(`unexpected ${JSON.stringify(c)}`);
  };
  try {
    value();
    space();
    if (i < text.length) fail("unexpected text after the JSON value");
    return undefined;
  } catch (e) {
    // A nesting deep enough to exhaust the stack: JSON.parse's own message is all there is.
    if (e instanceof RangeError) return undefined;
    return e as { offset: number; problem: string };
  }
}

/** Reads and parses the plan file; an InputError names the file, and the line and column of a JSON error. */
function readPlan(file: string, read: (file: string) => string): unknown {
  let text: string;
  try {
    text = read(file);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new InputError(file, `cannot be read: ${err.code === "ENOENT" ? "no such file" : (err.code ?? err.message)}`);
  }
  // A zip archive: Terraform's binary plan file, not its JSON.
  if (text.startsWith("PK\u0003\u0004")) {
    throw new InputError(
      file,
      "is a binary plan file: give the JSON of it, from `terraform show -json PLANFILE > plan.json`",
    );
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1); // a byte order mark, as some editors and shells write
  try {
    return JSON.parse(text);
  } catch (e) {
    const at = jsonSyntaxError(text);
    if (at === undefined) throw new InputError(file, `is not JSON: ${(e as Error).message}`);
    const before = text.slice(0, at.offset);
    const line = before.split("\n").length;
    const column = at.offset - before.lastIndexOf("\n");
    throw new InputError(file, `is not JSON: ${at.problem}`, line, column);
  }
}

/**
 * `cdktf-cloud-run guard PLAN.json [--allow-destroy ADDRESS]… [--reason TEXT] [--format text|json]
 * [--markdown]`, given the arguments after `guard`. Exit 0: nothing protected is deleted or
 * replaced without an allowance; 1: something is; 2: a usage error (a stale allowance, a reason
 * missing or not one included), or a plan file that cannot be read or is not a plan.
 */
export function runGuard(
  argv: readonly string[],
  read: (file: string) => string = (file) => fs.readFileSync(file, "utf8"),
): CommandResult {
  let parsed: ReturnType<typeof parseOptions>;
  try {
    parsed = parseOptions(argv);
  } catch (e) {
    return usageError((e as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help === true) return { code: 0, stdout: `${GUARD_USAGE}\n`, stderr: "" };
  if (positionals.length !== 1) {
    return usageError(
      positionals.length === 0 ? "guard needs the plan: PLAN.json" : `guard takes one plan, not ${positionals.length}`,
    );
  }
  // One reason for the run: with --reason given twice, the first would be dropped without a word.
  if (argv.filter((a) => a === "--reason" || a.startsWith("--reason=")).length > 1) {
    return usageError("give --reason once: one reason covers every --allow-destroy of the run");
  }
  const format = values.format ?? "text";
  if (format !== "text" && format !== "json") return usageError(`--format must be text or json, not ${format}`);
  if (format === "json" && values.markdown === true) return usageError("--markdown is for the text format, not json");
  const [file] = positionals;

  let report: GuardReport;
  try {
    report = guardPlan(readPlan(file, read), { allow: values["allow-destroy"] ?? [], reason: values.reason });
  } catch (e) {
    if (e instanceof InputError) return { code: 2, stdout: "", stderr: `${e.message}\n` };
    if (e instanceof PlanFormatError) return { code: 2, stdout: "", stderr: `${file}: ${e.message}\n` };
    throw e;
  }
  const stdout =
    format === "json"
      ? `${JSON.stringify({ plan: file, ...report }, null, 2)}\n`
      : formatGuard(report, { file, markdown: values.markdown === true });
  // A refused run prints no verdict: an ALLOWED line in the log of a run that failed for its
  // reason would read as an approval.
  if (report.problems.length > 0) {
    return { code: 2, stdout: "", stderr: `${report.problems.map((p) => `${file}: ${p}`).join("\n")}\n` };
  }
  return { code: report.blocked.length > 0 ? 1 : 0, stdout, stderr: "" };
}

function parseOptions(argv: readonly string[]) {
  // Node's own parser, strict: an unknown option, or --reason without a value, is a usage error.
  return parseArgs({
    args: [...argv],
    options: {
      "allow-destroy": { type: "string", multiple: true },
      reason: { type: "string" },
      format: { type: "string" },
      markdown: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
    allowPositionals: true,
  });
}

/** A Markdown code span that holds any text: a longer fence around backticks, `|` escaped for a table cell. */
function code(text: string, inTable = false): string {
  const flat = text.replace(/\s+/g, " ");
  const longest = Math.max(0, ...(flat.match(/`+/g) ?? []).map((r) => r.length));
  const fence = "`".repeat(longest + 1);
  const pad = flat.startsWith("`") || flat.endsWith("`") ? " " : "";
  const span = `${fence}${pad}${flat}${pad}${fence}`;
  return inTable ? span.replace(/\|/g, "\\|") : span;
}

/** A word for a POSIX shell: as it is when it is plain, else in single quotes. */
function shellWord(text: string): string {
  return /^[A-Za-z0-9_.:/@=-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

const PHRASES: Record<ChangeAction, string> = {
  create: "to create",
  update: "to update",
  replace: "to replace",
  delete: "to delete",
  read: "to read",
  "no-op": "unchanged",
  forget: "to forget",
};

/** `(forced by: location; cannot be updated in place)`, or "" when the plan says nothing of why. */
function cause(change: DestructiveChange, markdown: boolean): string {
  const parts: string[] = [];
  if (change.replacePaths.length > 0) {
    parts.push(`forced by: ${change.replacePaths.map((p) => (markdown ? code(p) : p)).join(", ")}`);
  }
  if (change.actionReason !== undefined) parts.push(describeActionReason(change.actionReason));
  if (change.order === "create-then-delete") parts.push("create_before_destroy: the new one first");
  if (change.deposed !== undefined) parts.push(`the deposed object ${change.deposed}, left by an earlier replacement`);
  return parts.length === 0 ? "" : ` (${parts.join("; ")})`;
}

/**
 * The report as text, or as Markdown: every change by action, what is blocked and why, what was
 * allowed and the reason, and what to do about a block.
 */
export function formatGuard(report: GuardReport, options: { file: string; markdown?: boolean }): string {
  const markdown = options.markdown === true;
  const lines: string[] = [];
  const shown = CHANGE_ACTIONS.filter((a) => a !== "forget" || report.summary.forget.count > 0);
  const counts = shown.map((a) => `${report.summary[a].count} ${PHRASES[a]}`).join(", ");
  lines.push(markdown ? `**Plan ${code(options.file)}**: ${counts}.` : `Plan ${options.file}: ${counts}.`);
  lines.push("");
  if (markdown) {
    lines.push("| action | count | addresses |", "| --- | ---: | --- |");
    for (const a of shown) {
      const { count, addresses } = report.summary[a];
      const cell = a === "no-op" ? "counted only" : addresses.map((x) => code(x, true)).join("<br>");
      lines.push(`| ${a} | ${count} | ${cell} |`);
    }
  } else {
    const width = String(Math.max(...shown.map((a) => report.summary[a].count))).length;
    lines.push(`${"action".padEnd(8)} ${"count".padStart(Math.max(5, width))}  addresses`);
    for (const a of shown) {
      const { count, addresses } = report.summary[a];
      const first = `${a.padEnd(8)} ${String(count).padStart(Math.max(5, width))}  `;
      const rest = a === "no-op" ? ["(counted only)"] : addresses;
      lines.push(`${first}${rest[0] ?? ""}`.trimEnd());
      for (const address of rest.slice(1)) lines.push(`${" ".repeat(first.length)}${address}`);
    }
  }
  lines.push("");

  const item = markdown ? "- " : "";
  for (const b of report.blocked) {
    const address = markdown ? code(b.address) : b.address;
    lines.push(`${item}${markdown ? "**BLOCKED**" : "BLOCKED"} ${b.action} ${address}${cause(b, markdown)} — ${b.why}`);
  }
  for (const a of report.allowed) {
    const address = markdown ? code(a.address) : a.address;
    const reason = markdown ? code(a.reason) : JSON.stringify(a.reason);
    lines.push(
      `${item}${markdown ? "**ALLOWED**" : "ALLOWED"} ${a.action} ${address}${cause(a, markdown)} — reason: ${reason}`,
    );
  }
  if (report.blocked.length + report.allowed.length > 0) lines.push("");

  if (report.blocked.length === 0) {
    lines.push(
      report.allowed.length === 0
        ? "Nothing protected is deleted or replaced."
        : "Nothing protected is deleted or replaced without an allowance.",
    );
    return `${lines.join("\n")}\n`;
  }
  const n = report.blocked.length;
  const what = `${n} protected resource${n === 1 ? " is" : "s are"} deleted or replaced by this plan: it must not be applied.`;
  lines.push(markdown ? `**${what}**` : what, "");
  const allowArgs = report.blocked.map((b) => `--allow-destroy ${shellWord(b.address)}`).join(" ");
  const command = `cdktf-cloud-run guard ${shellWord(options.file)} ${allowArgs} --reason "…"`;
  const inputs = report.blocked.map((b) => `ENVIRONMENT:${b.address}`).join(" ");
  const line = (text: string) => (markdown ? `- ${text}` : `  ${text}`);
  lines.push(`To delete or replace ${n === 1 ? "it" : "them"} on purpose, allow each by its address, with a reason:`);
  lines.push(line(`here: ${markdown ? code(command) : command}`));
  lines.push(
    line(
      `in cdktf-cloud-run's own deploy workflow (docs/ci-cd.md): run Deploy by hand on main with allow-destroy ${markdown ? code(inputs) : `'${inputs}'`} (each address after the name of its environment) and a reason; an environment with required reviewers still waits for their approval`,
    ),
  );
  lines.push(
    "Or change the code so that the plan keeps them: put a forcing attribute back as it was, and move a renamed resource (a moved block; cdktf: moveTo) rather than delete it.",
  );
  return `${lines.join("\n")}\n`;
}
