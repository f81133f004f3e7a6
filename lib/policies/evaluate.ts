import type { PolicyRule, RuleResult, Stage } from "./rule";
import type { ResourceView, StackView } from "./view";

/*
 * The rules applied to a configuration, with nothing else: no cdktf, no acknowledgements, no
 * output. The pack (pack.ts) runs it on a stack at synthesis; `cdktf-cloud-run check` (lib/check/)
 * on HCL, Terraform JSON and plans.
 */

/** One rule's result on one resource, or on the whole configuration (a stack rule). */
export interface RuleOutcome {
  readonly rule: PolicyRule;
  readonly result: RuleResult;
  /** The resource judged; none for a rule of the whole configuration. */
  readonly resource?: ResourceView;
}

/** The rules of `rules` that apply at `stage`. */
export function rulesAt(stage: Stage, rules: readonly PolicyRule[]): PolicyRule[] {
  return rules.filter((r) => r.stages.includes(stage));
}

/** True when a rule looks at resources of this type. */
export function looksAt(rule: PolicyRule, type: string): boolean {
  const types = rule.resourceTypes;
  return types === undefined ? false : types instanceof RegExp ? types.test(type) : types.includes(type);
}

/** Every rule's result on the configuration: each stack rule once, each resource rule per resource it looks at. */
export function evaluateView(view: StackView, rules: readonly PolicyRule[]): RuleOutcome[] {
  const outcomes: RuleOutcome[] = [];
  for (const rule of rules) {
    if (rule.checkStack) outcomes.push({ rule, result: rule.checkStack(view) });
    if (rule.check) {
      for (const resource of view.resources) {
        if (looksAt(rule, resource.type)) outcomes.push({ rule, result: rule.check(resource), resource });
      }
    }
  }
  return outcomes;
}
