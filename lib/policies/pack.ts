import { POLICY_PACK } from "../gcp/terraform";
import { Annotations, Aspects, IAspect, TerraformStack } from "cdktf";
// cdktf's hook for work at synthesis, after every aspect has run (its assets use it); not in the
// package's index, so imported by path. The one place this library reaches into cdktf's internals.
import { addCustomSynthesis } from "cdktf/lib/synthesize/synthesizer";
import { Construct, IConstruct } from "constructs";
import { StackMetadata } from "../gcp/terraform";
import { Constraint, Problems, reasonText } from "../gcp/validation";
import { PolicyRule, RuleField, RuleResult, STAGES, Severity, Stage } from "./rule";
import { RULES } from "./rules";
import { evaluateView, rulesAt } from "./evaluate";
import { stackView } from "./terraform-json";

/**
 * The policy pack: GCP security and reliability rules (lib/policies/rules/), applied as a cdktf Aspect
 * to every resource that will be synthesized, whether our constructs made it or not.
 *
 *   Aspects.of(stack).add(new PolicyPack({ stage: "production" }));
 *
 * Findings of severity error fail synthesis (cdktf's error annotations); warnings are reported
 * and synthesis goes on. `acknowledge(scope, ruleId, reason)` accepts a finding on a construct
 * and everything under it; the acknowledgement is recorded in the stack's metadata.
 */

/** One finding: a rule a resource (or a stack) does not meet. */
export interface Finding {
  readonly ruleId: string;
  /** `warning` also for a check that could not be made (`unknown`). */
  readonly severity: Severity;
  readonly path: string;
  readonly resourceType?: string;
  /** What is wrong, with the values found. */
  readonly message: string;
  readonly fix: string;
  /** The setting the rule points at, when it has one. */
  readonly field?: RuleField;
  readonly construct: IConstruct;
  /** Where the finding comes from in the configuration, when the pack's `locate` knows it. */
  readonly source?: string;
  /** Set when an acknowledgement accepts the finding: its reason. */
  readonly acknowledged?: string;
}

/** What {@link PolicyPackProps.locate} is asked about: a finding, before it is located. */
export type Unlocated = Omit<Finding, "source" | "acknowledged">;

export interface PolicyReport {
  /** Findings no acknowledgement accepts. */
  readonly findings: readonly Finding[];
  /** Findings accepted by an acknowledgement. */
  readonly acknowledged: readonly Finding[];
  /** Acknowledgements that accepted nothing: reported as errors, so they do not rot. */
  readonly unusedAcknowledgements: readonly AcknowledgementRecord[];
}

export interface PolicyPackProps {
  /**
   * The stage of the stack's environment, which picks the rules that apply: `development`,
   * `preproduction` (production's guardrails except those that only cost money) or
   * `production`. Each rule lists its stages (docs/policy-rules.md).
   */
  readonly stage: Stage;
  /**
   * The environment's name, for messages only: it never picks the rules.
   * @default - none
   */
  readonly environment?: string;
  /**
   * Where a finding comes from in your configuration, such as
   * `environments/prod.ts services.predict.ingress`: printed with the finding, beside the
   * construct path. Return `undefined` when it comes from no configuration.
   * @default - findings name construct paths only
   */
  readonly locate?: (finding: Unlocated) => string | undefined;
  /**
   * The rules to apply.
   * @default - every rule of the pack (RULES)
   */
  readonly rules?: readonly PolicyRule[];
}

export interface AcknowledgementRecord {
  readonly path: string;
  readonly ruleId: string;
  readonly reason: string;
}

/** The key under the stack's `"//".metadata` where acknowledgements are recorded. */
const POLICY_METADATA_KEY = "cdktf-cloud-run-policy";
const RECORDER_ID = "policy-acknowledgements";

/** Records a stack's acknowledgements in its `"//"` metadata, for reviewers of the synthesized output. */
class AcknowledgementRecorder extends StackMetadata {
  readonly entries: { scope: IConstruct; ruleId: string; reason: string }[] = [];

  constructor(stack: TerraformStack) {
    super(stack, RECORDER_ID, POLICY_METADATA_KEY);
  }

  protected metadata(): unknown {
    return {
      acknowledgements: this.entries.map((e) => ({ path: e.scope.node.path, rule: e.ruleId, reason: e.reason })),
    };
  }
}

function recorderOf(stack: TerraformStack, create: boolean): AcknowledgementRecorder | undefined {
  const existing = stack.node.tryFindChild(RECORDER_ID);
  if (existing instanceof AcknowledgementRecorder) return existing;
  return create ? new AcknowledgementRecorder(stack) : undefined;
}

/**
 * Accepts findings of one rule on `scope` and everything under it (a stack included). The reason
 * (at least 10 letters) is recorded in the synthesized stack's metadata. An acknowledgement
 * that accepts no finding is reported as an error by the pack.
 */
export function acknowledge(
  scope: IConstruct,
  ruleId: string,
  reason: string,
  rules: readonly PolicyRule[] = RULES,
): void {
  const problems = new Problems().check("ruleId", ruleId, knownRule(rules)).check("reason", reason, reasonText);
  let stack: TerraformStack | undefined;
  try {
    stack = TerraformStack.of(scope);
  } catch {
    problems.add("scope", scope.node.path || "(app)", "must be a stack or a construct inside one");
  }
  problems.throwIfAny(`acknowledge(${scope.node.path || "(app)"}, ${JSON.stringify(ruleId)})`);
  recorderOf(stack!, true)!.entries.push({ scope, ruleId, reason: reason.trim() });
}

/** A rule id of the pack, such as `RUN-009`. */
export function knownRule(rules: readonly PolicyRule[] = RULES): Constraint<string> {
  return (id) =>
    rules.some((r) => r.id === id)
      ? undefined
      : `must be a rule of the policy pack: ${rules.map((r) => r.id).join(", ")}`;
}

export class PolicyPack implements IAspect {
  /** Marks a pack for the constructs' placement check (guardPolicyPlacement), which cannot import this module. */
  readonly [POLICY_PACK] = true;
  readonly stage: Stage;
  /** The rules that apply at this stage. */
  readonly rules: readonly PolicyRule[];
  /** The report of each stack checked, which synthesis reuses. */
  private readonly checked = new WeakMap<TerraformStack, PolicyReport>();

  constructor(readonly props: PolicyPackProps) {
    if (!STAGES.includes(props.stage)) {
      new Problems()
        .add("stage", props.stage, `must be one of ${STAGES.map((x) => `"${x}"`).join(", ")}`)
        .throwIfAny("PolicyPack");
    }
    this.stage = props.stage;
    this.rules = Object.freeze(rulesAt(this.stage, props.rules ?? RULES));
  }

  /**
   * Called by cdktf for every construct under the scope the pack was added to. In each stack,
   * the first visit (or an earlier {@link check}) evaluates the whole stack. Warnings become cdktf
   * warning annotations and synthesis goes on. Errors (a finding no acknowledgement accepts, an
   * unused acknowledgement) throw a {@link PolicyError} listing them all, so synthesis fails
   * before the stack is written. It throws rather than adding error annotations: cdktf lets
   * those through when `CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS` is set (the cdktf CLI sets it
   * for the app it runs, and cdktf's own error message suggests it), and `acknowledge` is the
   * one way past a finding.
   */
  visit(node: IConstruct): void {
    if (!TerraformStack.isStack(node)) return;
    const report = this.check(node);
    if (hasErrors(report)) throw new PolicyError(node.node.path, report);
    FinalCheck.of(node).packs.add(this);
  }

  /**
   * The stack as it will be written, after every aspect has run: an aspect that runs after the
   * pack visited the stack (one added later, or on a construct inside it) can change what the
   * pack checked. So when any aspect other than a pack is in the stack's tree, the stack is
   * evaluated again at synthesis, and its errors fail it before it is written; with none, the
   * stack cannot have changed since {@link check}, whose report stands.
   * @internal
   */
  checkFinal(stack: TerraformStack): void {
    const others = stack.node.findAll().some((n) => Aspects.of(n).all.some((a) => !(a instanceof PolicyPack)));
    if (!others) return;
    const earlier = this.checked.get(stack);
    const report = this.evaluate(stack);
    this.checked.set(stack, report);
    const key = (f: Finding) => `${f.ruleId} ${f.path} ${f.message}`;
    const seen = new Set([...(earlier?.findings ?? []), ...(earlier?.acknowledged ?? [])].map(key));
    this.annotate({
      ...report,
      findings: report.findings.filter((f) => !seen.has(key(f))),
      acknowledged: report.acknowledged.filter((f) => !seen.has(key(f))),
    });
    if (hasErrors(report)) throw new PolicyError(stack.node.path, report);
  }

  /**
   * Evaluates a complete stack once, as synthesis will: warnings become annotations, and the
   * report is kept, so that synthesis reuses it (and still fails on its errors) instead of
   * evaluating the stack again. For a check before anything is written, such as one over every
   * stack of an app; call it when the stack is complete.
   */
  check(stack: TerraformStack): PolicyReport {
    const known = this.checked.get(stack);
    if (known !== undefined) return known;
    const report = this.evaluate(stack);
    this.checked.set(stack, report);
    this.annotate(report);
    return report;
  }

  /** Warnings become warning annotations; accepted findings info ones (the cdktf CLI prints both). */
  private annotate(report: PolicyReport): void {
    for (const f of report.findings) {
      if (f.severity === "warning") Annotations.of(f.construct).addWarning(`${f.ruleId} ${f.message} Fix: ${f.fix}`);
    }
    for (const f of report.acknowledged) {
      Annotations.of(f.construct).addInfo(`${f.ruleId} accepted: ${f.message} Reason: ${f.acknowledged}`);
    }
  }

  /** Evaluates every rule of this stage on one stack. Pure: adds nothing to the tree. */
  evaluate(stack: TerraformStack): PolicyReport {
    const view = stackView(stack);
    const raw: Finding[] = [];
    const add = (rule: PolicyRule, result: RuleResult, path: string, construct: IConstruct, type?: string) => {
      if (result.status === "non-compliant" || result.status === "unknown") {
        const finding: Unlocated = {
          ruleId: rule.id,
          severity: result.status === "unknown" ? "warning" : rule.severity,
          path,
          resourceType: type,
          message:
            result.status === "unknown" ? `could not be checked: ${result.detail}.` : `${rule.what}: ${result.detail}.`,
          fix: rule.fix,
          ...(rule.field === undefined ? {} : { field: rule.field }),
          construct,
        };
        const source = this.props.locate?.(finding);
        raw.push(source === undefined ? finding : { ...finding, source });
      }
    };
    for (const { rule, result, resource } of evaluateView(view, this.rules)) {
      // At synthesis every resource has its construct (terraform-json.ts).
      if (resource === undefined) add(rule, result, stack.node.path, stack);
      else add(rule, result, resource.path, resource.construct!, resource.type);
    }

    const entries = recorderOf(stack, false)?.entries ?? [];
    const used = new Set<(typeof entries)[number]>();
    const findings: Finding[] = [];
    const acknowledged: Finding[] = [];
    for (const f of raw) {
      const scopes = new Set(f.construct.node.scopes);
      const ack = entries.find((e) => e.ruleId === f.ruleId && scopes.has(e.scope));
      if (ack) {
        used.add(ack);
        acknowledged.push({ ...f, acknowledged: ack.reason });
      } else {
        findings.push(f);
      }
    }
    const unusedAcknowledgements = entries
      .filter((e) => !used.has(e))
      .map((e) => ({ path: e.scope.node.path, ruleId: e.ruleId, reason: e.reason }));
    return { findings, acknowledged, unusedAcknowledgements };
  }
}

/**
 * The packs visiting a stack, checked again as it is synthesized: a construct of the stack, so
 * that cdktf calls it after every aspect has run and before the stack is written. It adds
 * nothing to the Terraform JSON.
 */
class FinalCheck extends Construct {
  static readonly ID = "policy-final-check";
  readonly packs = new Set<PolicyPack>();

  static of(stack: TerraformStack): FinalCheck {
    const existing = stack.node.tryFindChild(FinalCheck.ID);
    return existing instanceof FinalCheck ? existing : new FinalCheck(stack);
  }

  private constructor(stack: TerraformStack) {
    super(stack, FinalCheck.ID);
    addCustomSynthesis(this, { onSynthesize: () => this.packs.forEach((p) => p.checkFinal(stack)) });
  }
}

function unusedMessage(a: AcknowledgementRecord): string {
  return `acknowledgement of ${a.ruleId} on ${a.path} ("${a.reason}") accepts no finding; remove it`;
}

/**
 * Thrown when a stack has policy errors: the message lists every error of the stack (rule,
 * resource path, what is wrong, the fix), and `report` holds them.
 */
export class PolicyError extends Error {
  override readonly name = "PolicyError";

  /** The construct path of the stack. */
  declare readonly stackPath: string;
  declare readonly report: PolicyReport;

  constructor(stackPath: string, report: PolicyReport) {
    const errors: PolicyReport = { ...report, findings: report.findings.filter((f) => f.severity === "error") };
    super(
      `stack ${stackPath} breaks the policy pack; it is not synthesized. Fix each finding, or accept it with ` +
        `acknowledge(scope, ruleId, reason):\n${formatReport(errors)}`,
    );
    // Not enumerable: an uncaught PolicyError prints its message, not the whole report.
    Object.defineProperty(this, "stackPath", { value: stackPath, enumerable: false });
    Object.defineProperty(this, "report", { value: report, enumerable: false });
    // The report is the whole story: an uncaught PolicyError prints it once, without the frames
    // of cdktf's synthesis, which say nothing about the finding.
    Object.defineProperty(this, "stack", { value: `${this.name}: ${this.message}`, enumerable: false, writable: true });
  }
}

/** The findings of a report as lines for a terminal: rule, severity, path, what is wrong, the fix. */
export function formatReport(report: PolicyReport): string {
  const lines: string[] = [];
  for (const f of report.findings) {
    lines.push(
      `${f.severity === "error" ? "ERROR" : "WARN "} ${f.ruleId} ${f.path}${f.resourceType ? ` (${f.resourceType})` : ""}`,
    );
    if (f.source !== undefined) lines.push(`      in ${f.source}`);
    lines.push(`      ${f.message}`);
    lines.push(`      Fix: ${f.fix}`);
  }
  for (const a of report.unusedAcknowledgements) lines.push(`ERROR ${a.ruleId} ${a.path}`, `      ${unusedMessage(a)}`);
  return lines.join("\n");
}

/**
 * The findings an acknowledgement accepted, as lines for a terminal: rule, path, where it comes
 * from, what was found, and the reason it was accepted. Synthesis prints them, so that a
 * reviewer reads every accepted finding in CI's log, not only in the stack's metadata.
 */
export function formatAcknowledged(report: PolicyReport): string {
  return report.acknowledged
    .flatMap((f) => [
      `ACK   ${f.ruleId} ${f.path}${f.resourceType ? ` (${f.resourceType})` : ""}`,
      ...(f.source !== undefined ? [`      in ${f.source}`] : []),
      `      ${f.message}`,
      `      Accepted: ${JSON.stringify(f.acknowledged)}`,
    ])
    .join("\n");
}

/** True when the report has an error: an unaccepted error finding or an unused acknowledgement. */
export function hasErrors(report: PolicyReport): boolean {
  return report.findings.some((f) => f.severity === "error") || report.unusedAcknowledgements.length > 0;
}
