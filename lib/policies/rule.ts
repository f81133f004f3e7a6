import type { ResourceView, StackView } from "./view";

/**
 * The shape of a policy rule. One rule per file in lib/policies/rules/<service>/; the pack
 * (lib/policies/rules/index.ts) lists them.
 */

/**
 * Where an environment stands in the promotion order, which picks the rules that apply:
 * `development`, then `preproduction` (held to production's guardrails except those that only
 * cost money), then `production`.
 */
export type Stage = "development" | "preproduction" | "production";

/** The stages, in promotion order. */
export const STAGES: readonly Stage[] = Object.freeze(["development", "preproduction", "production"] as const);

/** Every stage: a rule that always applies. */
export const ALL_STAGES = STAGES;

/** Preproduction and production: the guardrails that protect what users (or their rehearsal) run. */
export const GUARDED_STAGES: readonly Stage[] = Object.freeze(["preproduction", "production"] as const);

export type Severity = "error" | "warning";

/** What a rule found on one resource (or the stack). */
export type RuleResult =
  | { readonly status: "compliant" }
  | { readonly status: "not-applicable" }
  /** `detail` says what is wrong with this resource, with the values found. */
  | { readonly status: "non-compliant"; readonly detail: string }
  /** The rule could not resolve a value (a reference known only at apply): reported, never passed. */
  | { readonly status: "unknown"; readonly detail: string };

/**
 * The setting a rule's finding points at, where a user fixes it: a prop of the construct that
 * made the resource, which is also the field of the environment configuration that sets it.
 */
export interface RuleField {
  /** The prop or field, such as `minInstances` or `monitoring.emails`. */
  readonly path: string;
  /**
   * The same setting on a Cloud Run job, when a job names it otherwise: who may call a service
   * are its `invokers`, who may start a job its `runners`.
   * @default - `path`
   */
  readonly jobPath?: string;
  /**
   * Whose it is: a Cloud Run service's, job's or worker pool's (`services.<key>.minInstances`,
   * `workerPools.<key>.image`), the repository's (`repository.cleanup`), or the environment's
   * (`labels`). Of a workload, the rule's `resourceTypes` say which kinds of workload it is of.
   */
  readonly of: "workload" | "repository" | "environment";
}

export interface PolicyRule {
  /** `PREFIX-NNN`, such as `RUN-001`. Stable: acknowledgements refer to it. */
  readonly id: string;
  /** What the rule requires, in one line. */
  readonly what: string;
  /** Why it matters. */
  readonly why: string;
  /** How to fix a finding. */
  readonly fix: string;
  readonly severity: Severity;
  /** The stages it applies to. */
  readonly stages: readonly Stage[];
  /**
   * The setting a finding points at, when one prop or configuration field decides it.
   * @default - none: the resource is not made from one setting (an IAM grant, a bucket's fixed settings)
   */
  readonly field?: RuleField;
  /** The equivalent rule of a public scanner, if any (checkov `CKV_GCP_…`, KICS). */
  readonly equivalent?: string;
  /**
   * Resource types it looks at, by name or by pattern (every IAM resource of any family); a stack
   * rule has none and implements `checkStack`.
   */
  readonly resourceTypes?: readonly string[] | RegExp;
  /**
   * The rule judges what the whole configuration holds (monitoring beside a service): a finding
   * on part of a configuration (`cdktf-cloud-run check` of a file or a folder without `--root`)
   * may be elsewhere, so it is a note there. A stack rule (`checkStack`) always is one.
   * @default false
   */
  readonly wholeConfiguration?: boolean;
  /**
   * Attributes whose being set at all is the rule's finding, whatever their value (a breakglass
   * justification): on files, a finding that read one of them left open by the files (a variable,
   * a function) stands, where any other verdict on an open value is unknown. Paths as
   * `binary_authorization.breakglass_justification`, list indexes left out.
   * @default - none
   */
  readonly findingOnPresence?: readonly string[];
  check?(resource: ResourceView): RuleResult;
  checkStack?(stack: StackView): RuleResult;
}

export const compliant: RuleResult = { status: "compliant" };
export const notApplicable: RuleResult = { status: "not-applicable" };
export const nonCompliant = (detail: string): RuleResult => ({ status: "non-compliant", detail });
export const unknown = (detail: string): RuleResult => ({ status: "unknown", detail });

/**
 * A rule that cannot be changed once made: the rule, its stages, its resource types (a list; a
 * pattern has no settable state that matters) and its field are frozen, so code that imports the
 * pack (an environment file, a consumer's program) cannot switch a check off, narrow its stages
 * or swap its function before synthesis. Assigning to a frozen rule throws in strict code.
 */
export function frozenRule(rule: PolicyRule): PolicyRule {
  Object.freeze(rule.stages);
  if (Array.isArray(rule.resourceTypes)) Object.freeze(rule.resourceTypes);
  if (rule.field !== undefined) Object.freeze(rule.field);
  return Object.freeze(rule);
}
