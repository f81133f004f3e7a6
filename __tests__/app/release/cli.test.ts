/**
 * The release command line, read against the verb table (VERBS): the usage, the argument and
 * option checks, and the dispatch all come from it. The cases are derived from the table, so a
 * new verb is covered as soon as it is declared. In process, on a folder of the tests' own
 * environments (alpha, development; beta, preproduction).
 */
import * as fs from "fs";
import * as path from "path";
import { OptionSpec } from "../../../lib/app/command-line";
import {
  USAGE,
  VERBS,
  Verb,
  parseReleaseCommand as parseCommand,
  runRelease,
  runReleaseAsync,
} from "../../../lib/app/release/cli";
import { fixtureEnvironment } from "../../fixtures/environment";
import { environmentsFolder, releaseTexts } from "../../fixtures/release";

let dir: string;
beforeAll(() => {
  dir = environmentsFolder([
    fixtureEnvironment({ name: "alpha", stage: "development" }),
    fixtureEnvironment({ name: "beta", stage: "preproduction" }),
  ]);
});
afterAll(() => fs.rmSync(path.dirname(dir), { recursive: true, force: true }));

/** Every option a verb takes, the members of a one-of group included. */
const optionsOf = (verb: Verb): OptionSpec[] => verb.options.flatMap((o) => ("oneOf" in o ? o.oneOf : [o]));
const required = (verb: Verb) => verb.args.filter((a) => !a.optional && !a.repeated);
const unbounded = (verb: Verb) => verb.args.some((a) => a.repeated);

/** The options a verb must be given, with a value each: every required one and the first of each group. */
function requiredOptions(verb: Verb): string[] {
  return verb.options.flatMap((o) => {
    const option = "oneOf" in o ? o.oneOf[0] : o.required ? o : undefined;
    if (option === undefined) return [];
    return option.value === undefined ? [`--${option.name}`] : [`--${option.name}`, "10"];
  });
}

/** A command line that `verb` accepts, with `count` arguments. */
const commandLine = (verb: Verb, count = required(verb).length) => [
  verb.name,
  ...Array.from({ length: count }, (_, i) => `arg${i}`),
  ...requiredOptions(verb),
];

/** What a usage error prints: the reason, then the usage. */
const usageError = (why: string) => ({ code: 2, stdout: "", stderr: `${why}\n\nUsage:\n${USAGE}\n` });

/** Runs a command line that must be a usage error, and checks that it changed nothing. */
function refusedUsage(argv: string[]) {
  const before = releaseTexts(dir);
  const result = runRelease(argv, dir);
  expect(releaseTexts(dir)).toEqual(before);
  return result;
}

describe("the verb table", () => {
  test("each verb is declared once, its optional and repeated arguments last, its options once", () => {
    const names = VERBS.map((v) => v.name);
    expect(new Set(names).size).toBe(names.length);
    for (const verb of VERBS) {
      const firstLeftOut = verb.args.findIndex((a) => a.optional || a.repeated);
      const shape = {
        verb: verb.name,
        requiredFirst: firstLeftOut < 0 || verb.args.slice(firstLeftOut).every((a) => a.optional || a.repeated),
        repeatedLast: verb.args.every((a, i) => !a.repeated || i === verb.args.length - 1),
        optionsOnce: new Set(optionsOf(verb).map((o) => o.name)).size === optionsOf(verb).length,
      };
      expect(shape).toEqual({ verb: verb.name, requiredFirst: true, repeatedLast: true, optionsOnce: true });
    }
  });

  test("the usage has one line per verb of the table, with its arguments and options", () => {
    const lines = USAGE.split("\n");
    expect(lines).toHaveLength(VERBS.length);
    VERBS.forEach((verb, i) => {
      expect(lines[i]).toMatch(new RegExp(`^npm run release -- ${verb.name}( |$)`));
      for (const a of verb.args) expect(lines[i]).toContain(`<${a.name}>`);
      for (const o of optionsOf(verb)) expect(lines[i]).toContain(o.value ? `--${o.name} ${o.value}` : `--${o.name}`);
      if (verb.help !== undefined) expect(lines[i]).toMatch(new RegExp(`   # ${escapeRegExp(verb.help)}$`));
    });
  });

  test("the usage's notation: optional, repeated and required arguments and options, a one-of group", () => {
    const line = (name: string) => USAGE.split("\n").find((l) => l.startsWith(`npm run release -- ${name} `));
    expect(line("pin")).toBe("npm run release -- pin <env> <service> [<image@sha256:…>] [--model <MODEL/VERSION>]");
    expect(line("promote")).toBe("npm run release -- promote <from-env> <to-env> [<service>…]");
    expect(line("canary")).toBe(
      "npm run release -- canary <env> <service> --percent N (--image <image@sha256:…> | --from <env>) [--model <MODEL/VERSION>]",
    );
    expect(USAGE.split("\n")[0]).toBe("npm run release -- status [--markdown]");
  });

  test("the release guide's table of commands is the usage, a row per verb", () => {
    const section = fs.readFileSync(path.join(__dirname, "..", "..", "..", "docs", "releasing.md"), "utf8");
    const rows = section.split("\n").filter((l) => l.startsWith("| `npm run release -- "));
    const commands = rows.map((r) => /^\| `(.*?)`\s+\|/.exec(r)![1].replace(/\\\|/g, "|"));
    expect(commands).toEqual(USAGE.split("\n").map((l) => l.replace(/ {3}# .*$/, "")));
  });

  test("--help, -h and help print the usage and exit 0; anything after them is a usage error", () => {
    for (const ask of ["--help", "-h", "help"]) {
      expect(runRelease([ask], "/nonexistent")).toEqual({ code: 0, stdout: `Usage:\n${USAGE}\n`, stderr: "" });
    }
    expect(runRelease(["help", "pin"], "/nonexistent").code).toBe(2);
  });

  test("a command line each verb accepts reads back as its arguments, values and flags", () => {
    for (const verb of VERBS) {
      const parsed = parseCommand(commandLine(verb));
      expect(parsed).toEqual({
        verb,
        call: expect.objectContaining({ args: commandLine(verb).slice(1, 1 + required(verb).length) }),
      });
    }
    const pin = parseCommand(["pin", "alpha", "predict", "--model", "sentiment/v1", "image@sha256:x"]);
    expect(pin).toMatchObject({
      call: { args: ["alpha", "predict", "image@sha256:x"], values: { model: "sentiment/v1" }, flags: new Set() },
    });
    // A flag takes no value: the word after it is an argument.
    expect(parseCommand(["status", "--markdown"])).toMatchObject({ call: { args: [], flags: new Set(["markdown"]) } });
    expect(runRelease(["status", "--markdown", "alpha"], dir)).toEqual(usageError("status takes 0 arguments"));
  });
});

describe("usage errors exit 2 with the usage and change nothing", () => {
  test("an unknown verb, no verb, and an option in the verb's place", () => {
    expect(refusedUsage(["deploy", "alpha"])).toEqual(usageError('unknown verb "deploy"'));
    expect(refusedUsage([])).toEqual(usageError('unknown verb ""'));
    expect(refusedUsage(["--markdown", "status"])).toEqual(usageError('unknown verb "--markdown"'));
    // The name of a property every object has is no verb either.
    expect(refusedUsage(["constructor"])).toEqual(usageError('unknown verb "constructor"'));
  });

  test.each(VERBS.map((v) => [v.name, v] as const))("%s with too few or too many arguments", (_name, verb) => {
    const min = required(verb).length;
    const max = unbounded(verb) ? Infinity : verb.args.length;
    const takes = min === max ? `${min}` : max === Infinity ? `${min} or more` : `${min} or ${max}`;
    const wrong = [...(min > 0 ? [min - 1] : []), ...(max < Infinity ? [max + 1] : [])];
    expect(wrong.length).toBeGreaterThan(0);
    for (const count of wrong) {
      expect(refusedUsage(commandLine(verb, count))).toEqual(usageError(`${verb.name} takes ${takes} arguments`));
    }
  });

  test("the arity messages users see", () => {
    expect(refusedUsage(["pin", "alpha"]).stderr).toMatch(/^pin takes 2 or 3 arguments\n\nUsage:\n/);
    expect(refusedUsage(["promote", "alpha"]).stderr).toMatch(/^promote takes 2 or more arguments\n/);
    expect(refusedUsage(["complete", "alpha", "predict", "x"]).stderr).toMatch(/^complete takes 2 arguments\n/);
    expect(refusedUsage(["status", "alpha"]).stderr).toMatch(/^status takes 0 arguments\n/);
  });

  test.each(VERBS.map((v) => [v.name, v] as const))("%s with an option it does not take", (_name, verb) => {
    expect(refusedUsage([...commandLine(verb), "--nope", "x"])).toEqual(usageError(`${verb.name} takes no --nope`));
    // Another verb's option is no option of this one.
    const foreign = VERBS.flatMap(optionsOf).find((o) => !optionsOf(verb).some((own) => own.name === o.name))!;
    expect(refusedUsage([...commandLine(verb), `--${foreign.name}`, "x"])).toEqual(
      usageError(`${verb.name} takes no --${foreign.name}`),
    );
  });

  const valued = VERBS.flatMap((verb) =>
    optionsOf(verb)
      .filter((o) => o.value !== undefined)
      .map((o) => [`${verb.name} --${o.name}`, verb, o] as const),
  );
  test("every option that takes a value is in the table", () => {
    expect(valued.map(([name]) => name)).toEqual(
      expect.arrayContaining(["pin --model", "canary --percent", "canary --image", "canary --from"]),
    );
  });

  test.each(valued)("%s without its value", (_name, verb, option) => {
    // Last on the line, or followed by another option: never an empty value.
    const missing = usageError(`${verb.name} --${option.name} needs a value: --${option.name} ${option.value}`);
    const line = commandLine(verb);
    const without = (at: number) => line.filter((_, i) => i !== at && i !== at + 1);
    const at = line.indexOf(`--${option.name}`);
    const rest = at < 0 ? line : without(at);
    expect(refusedUsage([...rest, `--${option.name}`])).toEqual(missing);
  });

  test("an option followed by another option has no value", () => {
    expect(refusedUsage(["canary", "alpha", "predict", "--percent", "--from", "beta"])).toEqual(
      usageError("canary --percent needs a value: --percent N"),
    );
  });

  test("an option given twice", () => {
    expect(
      refusedUsage(["canary", "alpha", "predict", "--percent", "10", "--percent", "20", "--from", "beta"]),
    ).toEqual(usageError("canary takes --percent once"));
  });

  test("canary with both or neither of --image and --from, or without --percent", () => {
    const needs = usageError("canary takes --percent N and one of --image <image@sha256:…> or --from <env>");
    const image = `europe-west1-docker.pkg.dev/acme-fx-alpha/images/predict-api@sha256:${"a".repeat(64)}`;
    expect(refusedUsage(["canary", "alpha", "predict", "--percent", "10"])).toEqual(needs);
    expect(refusedUsage(["canary", "alpha", "predict", "--percent", "10", "--image", image, "--from", "beta"])).toEqual(
      needs,
    );
    expect(refusedUsage(["canary", "alpha", "predict", "--from", "beta"])).toEqual(needs);
  });
});

describe("dispatch", () => {
  test.each(VERBS.filter((v) => v.writes).map((v) => [v.name, v] as const))(
    "%s runs its own function, under the lock, and a refusal names it and changes nothing",
    async (_name, verb) => {
      const argv = commandLine(verb).map((a) => (a === "arg0" ? "nowhere" : a));
      const before = releaseTexts(dir);
      const result = await runReleaseAsync(argv, dir);
      expect(result).toMatchObject({ code: 1, stdout: "" });
      expect(result.stderr).toMatch(new RegExp(`^release ${verb.name} refused; nothing was changed:\n  - `));
      expect(result.stderr).toMatch(/nowhere/);
      expect(releaseTexts(dir)).toEqual(before);
      expect(fs.readdirSync(dir).filter((f) => !f.endsWith(".ts") && f !== "releases")).toEqual([]);
    },
  );

  test("canary --from takes its source's model: --model with it is refused, and nothing changes", () => {
    const before = releaseTexts(dir);
    const result = runRelease(
      ["canary", "beta", "predict", "--percent", "10", "--from", "alpha", "--model", "m/1"],
      dir,
    );
    expect(result).toEqual({
      code: 1,
      stdout: "",
      stderr:
        "release canary refused; nothing was changed:\n  - --model goes with --image: a canary --from alpha takes its model\n",
    });
    expect(releaseTexts(dir)).toEqual(before);
  });

  test("the verbs that only read run without writing: status, in-flight, drills, images, models", () => {
    expect(VERBS.filter((v) => !v.writes).map((v) => v.name)).toEqual([
      "status",
      "in-flight",
      "drills",
      "images",
      "models",
    ]);
    const before = releaseTexts(dir);
    expect(runRelease(["status"], dir)).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(/^environment {2}stage/),
    });
    expect(runRelease(["images", "nowhere", "beta"], dir)).toEqual({
      code: 1,
      stdout: "",
      stderr: 'from "nowhere" is not an environment\n',
    });
    expect(runRelease(["models", "alpha", "beta"], dir)).toMatchObject({
      code: 0,
      stderr: expect.stringMatching(/^nothing to copy: alpha has no release of a model of beta\n/),
    });
    expect(releaseTexts(dir)).toEqual(before);
  });

  test("a change goes through the verb that was asked for: pin, then complete is refused, not rolled back", () => {
    const image = `europe-west1-docker.pkg.dev/acme-fx-alpha/images/predict-api@sha256:${"d".repeat(64)}`;
    const provenance = { time: "2026-11-27T10:00:00.000Z" };
    expect(runRelease(["pin", "alpha", "predict", image], dir, { provenance })).toMatchObject({ code: 0 });
    const before = releaseTexts(dir);
    const complete = runRelease(["complete", "alpha", "predict"], dir, { provenance });
    expect(complete).toMatchObject({ code: 1, stderr: expect.stringMatching(/^release complete refused/) });
    const rollback = runRelease(["rollback", "alpha", "predict"], dir, { provenance });
    expect(rollback).toMatchObject({ code: 1, stderr: expect.stringMatching(/^release rollback refused/) });
    expect(releaseTexts(dir)).toEqual(before);
  });

  test("a promotion that changes nothing says so, exits 0 and writes nothing, provenance included", () => {
    const image = `europe-west1-docker.pkg.dev/acme-fx-alpha/images/predict-api@sha256:${"e".repeat(64)}`;
    const provenance = { time: "2026-11-27T11:00:00.000Z" };
    expect(runRelease(["pin", "alpha", "predict", image], dir, { provenance })).toMatchObject({ code: 0 });
    expect(runRelease(["promote", "alpha", "beta"], dir, { provenance, templateRevision: () => "x" })).toMatchObject({
      code: 0,
    });
    const before = releaseTexts(dir);
    const again = runRelease(["promote", "alpha", "beta"], dir, { provenance: { time: "2026-11-28T00:00:00.000Z" } });
    expect(again).toEqual({
      code: 0,
      stdout:
        `beta predict already runs ${"e".repeat(12)}, as alpha does: nothing to change\n` +
        "nothing was written (beta's release file is as it was)\n",
      stderr: "",
    });
    expect(releaseTexts(dir)).toEqual(before);
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
