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

export interface EvaluateOptions {
  /**
   * Watch what each resource rule reads (Terraform read from files): a rule that read a value the
   * files do not fix cannot have passed, and one that read into a block they do not fix (a
   * `dynamic` block, a value known only after apply) cannot have failed either; both become
   * unknown. Off at synthesis, where a stack's references are the library's own and each rule
   * already says what it cannot resolve.
   * @default false
   */
  readonly watchUnknowns?: boolean;
}

/** Every rule's result on the configuration: each stack rule once, each resource rule per resource it looks at. */
export function evaluateView(
  view: StackView,
  rules: readonly PolicyRule[],
  options: EvaluateOptions = {},
): RuleOutcome[] {
  const outcomes: RuleOutcome[] = [];
  // Once per configuration: which values it leaves open.
  const open = options.watchUnknowns ? openIn(view) : undefined;
  for (const rule of rules) {
    if (rule.checkStack) outcomes.push({ rule, result: rule.checkStack(view) });
    if (rule.check) {
      for (const resource of view.resources) {
        if (!looksAt(rule, resource.type)) continue;
        const result = open !== undefined ? watched(rule, resource, open) : rule.check(resource);
        outcomes.push({ rule, result, resource });
      }
    }
  }
  return outcomes;
}

/** A value the files leave open: a reference, a variable, a function call (`${…}`). */
const EXPRESSION = /[$%]\{/;
/** A value that is one expression and nothing else. */
const WHOLE = /^\$\{[^}]*\}$/;
/** A whole block left open: a `dynamic` block, or a value known only after apply. */
const OPAQUE = /^\$\{(dynamic |unknown after apply)/;

interface Read {
  readonly path: string;
  readonly value: string;
}

/**
 * Which values a configuration leaves open: anything with a `${…}` or `%{…}` once the references
 * to its own resources and data sources are taken out. A reference to a resource the
 * configuration manages (`${google_service_account.api.email}`) is what cdktf writes too, and
 * the rules read such references (an account the configuration creates is a dedicated one); a
 * variable, a local, `each`, `count`, a module's output or a function call is not known.
 */
function openIn(view: StackView): (value: string) => boolean {
  const known = new Set([
    ...view.resources.map((r) => r.address.replace(/\[.*$/, "")),
    ...Object.keys(view.dataSources),
  ]);
  return (value) => {
    if (OPAQUE.test(value)) return true;
    const rest = value.replace(
      /\$\{((?:data\.)?[a-z][a-z0-9_]*\.[A-Za-z0-9_-]+)(?:\[[^\]]*\])?\.([A-Za-z0-9_]+)\}/g,
      (whole, target: string, attribute: string) => (known.has(target) && IDENTITY.has(attribute) ? "" : whole),
    );
    return /[$%]\{/.test(rest);
  };
}

/**
 * The attributes of another resource a rule may read as settled: what names or places it (an
 * account's email, a service's name, a project, a policy's data, which rules follow to the
 * resource itself). Any other attribute (`terraform_data.cfg.output.ingress`, a computed value)
 * is as open as a variable.
 */
const IDENTITY = new Set([
  "email",
  "member",
  "name",
  "id",
  "location",
  "project",
  "project_id",
  "number",
  "uri",
  "self_link",
  "repository_id",
  "account_id",
  "policy_data",
  "secret_id",
  "bucket",
]);

/** Runs a resource rule on a copy of its attributes that records every open value it reads. */
function watched(rule: PolicyRule, resource: ResourceView, open: (value: string) => boolean): RuleResult {
  const reads: Read[] = [];
  const watch = (value: unknown, at: string): unknown => {
    if (typeof value !== "object" || value === null) return value;
    return new Proxy(value as object, {
      get(target, key, receiver) {
        const inner: unknown = Reflect.get(target, key, receiver);
        if (typeof key === "symbol") return inner;
        const path = Array.isArray(target) ? `${at}[${key}]` : at === "" ? key : `${at}.${key}`;
        if (typeof inner === "string" && EXPRESSION.test(inner) && open(inner)) reads.push({ path, value: inner });
        return watch(inner, path);
      },
    });
  };
  const result = rule.check!({ ...resource, attrs: watch(resource.attrs, "") as Record<string, unknown> });
  if (result.status === "unknown") return result;
  // A whole block left open: no verdict on it stands. One open entry of a list of blocks (dynamic
  // blocks beside static ones): a finding on the others stands, a pass does not.
  const opaque = reads.find((r) => OPAQUE.test(r.value) && !r.path.endsWith("]"));
  const entry = reads.find((r) => OPAQUE.test(r.value) && r.path.endsWith("]"));
  if (opaque !== undefined || (entry !== undefined && result.status !== "non-compliant")) {
    const at = (opaque ?? entry)!;
    return { status: "unknown", detail: `it reads ${at.path}, ${describeOpen(at.value)}` };
  }
  // A verdict that read a value wholly left open decided nothing. (A value partly open, such as
  // `${local.registry}/api@sha256:…`, may hold what the rule decides on: the rule says.)
  // Unless the rule's finding is that the value is set at all (`findingOnPresence`).
  const presence = (r: Read) =>
    result.status === "non-compliant" && (rule.findingOnPresence ?? []).includes(r.path.replace(/\[\d+\]/g, ""));
  const whole = reads.find((r) => WHOLE.test(r.value) && !OPAQUE.test(r.value) && !presence(r));
  if (whole !== undefined) {
    return { status: "unknown", detail: `it reads ${whole.path} = ${whole.value}, which the files do not fix` };
  }
  return result;
}

function describeOpen(value: string): string {
  const dynamic = /^\$\{dynamic (.+)\}$/.exec(value);
  return dynamic ? `a dynamic "${dynamic[1]}" block the files do not expand` : "known only after apply";
}
