/*
 * A command line read against a table of verbs: each verb declares its positional arguments and
 * its options once, and the usage, the checks of a command line and the dispatch come from that
 * declaration (release/cli.ts declares the release verbs).
 */

/** What a run printed and its exit code. */
export interface CliResult {
  readonly code: 0 | 1 | 2;
  readonly stdout: string;
  readonly stderr: string;
}

/** A positional argument, as the usage shows it: `<env>`, `[<image@sha256:…>]`, `[<service>…]`. */
export interface ArgumentSpec {
  readonly name: string;
  /** May be left out. Only arguments after every required one may be. */
  readonly optional?: boolean;
  /** Any number of them, none included. The last argument only. */
  readonly repeated?: boolean;
}

/** An option: `--name VALUE`, or a flag such as `--markdown` when it has no value. */
export interface OptionSpec {
  readonly name: string;
  /** The value, as the usage shows it (`N`, `<env>`); none for a flag. */
  readonly value?: string;
  /** The command is refused without it. */
  readonly required?: boolean;
}

/** Options of which exactly one must be given: `(--image <image@sha256:…> | --from <env>)`. */
export interface OneOfSpec {
  readonly oneOf: readonly OptionSpec[];
}

/** A command line as its verb reads it: the arguments after the verb, the options' values, the flags given. */
export interface Invocation {
  readonly args: readonly string[];
  readonly values: Readonly<Record<string, string>>;
  readonly flags: ReadonlySet<string>;
}

/** A verb: its name, positional arguments and options, as the usage shows them. */
export interface VerbSpec {
  readonly name: string;
  readonly args: readonly ArgumentSpec[];
  readonly options: readonly (OptionSpec | OneOfSpec)[];
  /** A one-line comment after the verb's line in the usage, where the line alone does not say enough. */
  readonly help?: string;
}

/** `--name VALUE`, or `--name` for a flag. */
function optionText(option: OptionSpec): string {
  return option.value === undefined ? `--${option.name}` : `--${option.name} ${option.value}`;
}

/** A verb's line in the usage: its arguments, its options, and its help as a comment. */
export function usageLine(command: string, verb: VerbSpec): string {
  const args = verb.args.map((a) => (a.repeated ? `[<${a.name}>…]` : a.optional ? `[<${a.name}>]` : `<${a.name}>`));
  const options = verb.options.map((o) =>
    "oneOf" in o ? `(${o.oneOf.map(optionText).join(" | ")})` : o.required ? optionText(o) : `[${optionText(o)}]`,
  );
  const line = [command, verb.name, ...args, ...options].join(" ");
  return verb.help === undefined ? line : `${line}   # ${verb.help}`;
}

/** How many arguments a verb takes: at least, at most. */
function arity(verb: VerbSpec): [number, number] {
  const min = verb.args.filter((a) => !a.optional && !a.repeated).length;
  return [min, verb.args.some((a) => a.repeated) ? Infinity : verb.args.length];
}

/** "a", "a or b", "a, b or c". */
function either(items: readonly string[]): string {
  return items.length < 2 ? items.join("") : `${items.slice(0, -1).join(", ")} or ${items[items.length - 1]}`;
}

/**
 * Reads a command line against a table of verbs: the verb and what it was given, or why the
 * command line is a usage error. The verb comes first; options may come anywhere after it.
 */
export function parseCommand<V extends VerbSpec>(
  verbs: readonly V[],
  argv: readonly string[],
): { verb: V; call: Invocation } | { usage: string } {
  const [name, ...rest] = argv;
  const verb = verbs.find((v) => v.name === name);
  if (verb === undefined) return { usage: `unknown verb ${JSON.stringify(name ?? "")}` };
  const specs = verb.options.flatMap((o) => ("oneOf" in o ? o.oneOf : [o]));
  const args: string[] = [];
  const values: Record<string, string> = {};
  const flags = new Set<string>();
  for (let i = 0; i < rest.length; i++) {
    if (!rest[i].startsWith("--")) {
      args.push(rest[i]);
      continue;
    }
    const option = rest[i].slice(2);
    const spec = specs.find((o) => o.name === option);
    if (spec === undefined) return { usage: `${verb.name} takes no --${option}` };
    if (spec.value === undefined) {
      flags.add(option);
      continue;
    }
    const value = rest[++i];
    if (value === undefined || value.startsWith("--")) {
      return { usage: `${verb.name} --${option} needs a value: ${optionText(spec)}` };
    }
    if (Object.hasOwn(values, option)) return { usage: `${verb.name} takes --${option} once` };
    values[option] = value;
  }
  const [min, max] = arity(verb);
  if (args.length < min || args.length > max) {
    return {
      usage: `${verb.name} takes ${min === max ? min : max === Infinity ? `${min} or more` : `${min} or ${max}`} argument${max === 1 ? "" : "s"}`,
    };
  }
  const given = (o: OptionSpec) => (o.value === undefined ? flags.has(o.name) : Object.hasOwn(values, o.name));
  const missing = verb.options.some((o) =>
    "oneOf" in o ? o.oneOf.filter(given).length !== 1 : o.required === true && !given(o),
  );
  if (missing) {
    const needed = verb.options.flatMap((o) =>
      "oneOf" in o ? [`one of ${either(o.oneOf.map(optionText))}`] : o.required ? [optionText(o)] : [],
    );
    return { usage: `${verb.name} takes ${needed.join(" and ")}` };
  }
  return { verb, call: { args, values, flags } };
}
