import { evaluateView, rulesAt } from "../policies/evaluate";
import type { PolicyRule, Stage } from "../policies/rule";
import { reasonText } from "../gcp/validation";
import type { Acknowledgement, Configuration, ModuleCall, SourceLocation } from "./input";

/*
 * The policy pack's verdict on configurations read from files: every rule of the stage applied
 * (lib/policies/evaluate.ts), and each outcome placed, leveled and matched with the
 * acknowledgements. Formats (format.ts) print it; the command (cli.ts) decides its exit code.
 *
 * An outcome's level:
 * - `error` / `warning`: a rule's finding, at the rule's severity;
 * - `unknown`: the rule could not tell (a variable, a local, a reference, a function call, a value
 *   known only after apply): never a pass, and a failure only with `--fail-on unknown`;
 * - `note`: a rule of a whole configuration (a state backend, monitoring beside a service) on an
 *   input that is not a whole root module (a file or a folder without `--root`): said, not judged.
 */

export type Level = "error" | "warning" | "unknown" | "note";

/** One finding. */
export interface CheckFinding {
  readonly rule: PolicyRule;
  readonly level: Level;
  /** What is wrong (or what could not be told), with the values found. */
  readonly message: string;
  /** The resource's address; none for a rule of the whole configuration. */
  readonly address?: string;
  readonly resourceType?: string;
  /** Where: the resource's block, or the configuration's first file. */
  readonly location: SourceLocation;
  /** The configuration it was found in (its path as given). */
  readonly configuration: string;
  /** Set when an acknowledgement accepts it. */
  readonly acknowledged?: { readonly reason: string; readonly source: "in-source" | "file" };
}

export interface CheckReport {
  readonly stage: Stage;
  readonly configurations: readonly Configuration[];
  /** Findings no acknowledgement accepts. */
  readonly findings: readonly CheckFinding[];
  /** Findings an acknowledgement accepts. */
  readonly accepted: readonly CheckFinding[];
  /** Acknowledgements that accepted nothing, or whose reason is not one. */
  readonly badAcknowledgements: readonly { readonly acknowledgement: Acknowledgement; readonly problem: string }[];
  readonly modules: readonly (ModuleCall & { readonly configuration: string })[];
  /** Resources judged, over every configuration. */
  readonly resources: number;
}

/** An acknowledgement from `--acknowledgements FILE`: the same rules as in the files. */
export type FileAcknowledgement = Acknowledgement;

/** Runs every rule of `stage` over each configuration and matches the acknowledgements. */
export function checkConfigurations(
  configurations: readonly Configuration[],
  stage: Stage,
  rules: readonly PolicyRule[],
  fileAcknowledgements: readonly FileAcknowledgement[] = [],
): CheckReport {
  const applying = rulesAt(stage, rules);
  const raw: CheckFinding[] = [];
  let resources = 0;
  for (const config of configurations) {
    resources += config.view.resources.length;
    const first: SourceLocation = { file: config.files[0] ?? config.label };
    for (const { rule, result, resource } of evaluateView(config.view, applying, { watchUnknowns: true })) {
      if (result.status !== "non-compliant" && result.status !== "unknown") continue;
      // A rule of a whole configuration on a part of one: said, not judged.
      // Modules not checked may hold what such a rule looks for (monitoring beside a service).
      const partial = !config.root || config.modules.length > 0;
      const level: Level =
        (resource === undefined || rule.wholeConfiguration === true) && partial
          ? "note"
          : result.status === "unknown"
            ? "unknown"
            : rule.severity === "error"
              ? "error"
              : "warning";
      const message =
        level === "note"
          ? `${rule.what}: ${result.detail} (judged on a whole root module only: a plan, or a folder with --root${config.root ? " whose modules are checked with it" : ""})`
          : result.status === "unknown"
            ? `could not be checked: ${result.detail}`
            : `${rule.what}: ${result.detail}`;
      raw.push({
        rule,
        level,
        message,
        ...(resource === undefined ? {} : { address: resource.address, resourceType: resource.type }),
        location: (resource && config.locations.get(resource.address)) ?? first,
        configuration: config.label,
      });
    }
  }

  // A comment accepts findings of its own configuration only; a file's entries, of any given.
  const acknowledgements = [
    ...configurations.flatMap((c) =>
      c.acknowledgements.map((a) => ({
        a,
        source: "in-source" as const,
        configuration: c.label as string | undefined,
      })),
    ),
    ...fileAcknowledgements.map((a) => ({ a, source: "file" as const, configuration: undefined })),
  ];
  const bad: { acknowledgement: Acknowledgement; problem: string }[] = [];
  const valid = acknowledgements.filter(({ a }) => {
    const problem = reasonText(a.reason);
    if (problem !== undefined) bad.push({ acknowledgement: a, problem });
    else if (!rules.some((r) => r.id === a.ruleId)) {
      bad.push({ acknowledgement: a, problem: `${a.ruleId} is not a rule of the pack` });
      return false;
    }
    return problem === undefined;
  });
  const used = new Set<Acknowledgement>();
  const findings: CheckFinding[] = [];
  const accepted: CheckFinding[] = [];
  for (const f of raw) {
    const ack = valid.find(
      ({ a, configuration }) =>
        a.ruleId === f.rule.id &&
        a.address === f.address &&
        (configuration === undefined || configuration === f.configuration),
    );
    if (ack !== undefined && f.level !== "note") {
      used.add(ack.a);
      accepted.push({ ...f, acknowledged: { reason: ack.a.reason, source: ack.source } });
    } else findings.push(f);
  }
  for (const { a } of valid) {
    if (!used.has(a)) {
      bad.push({
        acknowledgement: a,
        problem: `accepts nothing: ${a.ruleId} has no finding on ${a.address} at stage ${stage} (remove it, so it does not hide a later one)`,
      });
    }
  }
  return {
    stage,
    configurations,
    findings,
    accepted,
    badAcknowledgements: bad,
    modules: configurations.flatMap((c) => c.modules.map((m) => ({ ...m, configuration: c.label }))),
    resources,
  };
}

/** Counts by level of the findings no acknowledgement accepts. */
export function countsOf(report: CheckReport): Record<Level, number> {
  const counts: Record<Level, number> = { error: 0, warning: 0, unknown: 0, note: 0 };
  for (const f of report.findings) counts[f.level]++;
  return counts;
}
