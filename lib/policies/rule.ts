import { DefaultTokenResolver, StringConcat, TerraformElement, TerraformStack, Tokenization } from "cdktf";
import { IConstruct } from "constructs";

/**
 * The shape of a policy rule and what it looks at. One rule per file in lib/policies/; the pack
 * (lib/policies/index.ts) lists them.
 */

/** Environment tiers a rule applies to. */
export type Tier = "dev" | "staging" | "prod";

export type Severity = "error" | "warning";

/** A Terraform resource as it will be synthesized: its type, construct path and attributes. */
export interface ResourceView {
  readonly type: string;
  /** The construct path, such as `prod/predict/service`. */
  readonly path: string;
  /** The attributes as they will be written to `cdk.tf.json` (snake_case, tokens resolved). */
  readonly attrs: Record<string, unknown>;
  readonly construct: IConstruct;
  /** The whole stack, for rules that follow a reference (an IAM policy's data source). */
  readonly stack: StackView;
}

/** A stack as it will be synthesized. */
export interface StackView {
  readonly stack: TerraformStack;
  readonly resources: readonly ResourceView[];
  /** Data sources by address (`data.google_iam_policy.x`), attributes resolved. */
  readonly dataSources: Readonly<Record<string, Record<string, unknown>>>;
  /** The provider blocks (`provider.google[0]`), attributes resolved. */
  readonly providers: Readonly<Record<string, Record<string, unknown>[]>>;
}

/** What a rule found on one resource (or the stack). */
export type RuleResult =
  | { readonly status: "compliant" }
  | { readonly status: "not-applicable" }
  /** `detail` says what is wrong with this resource, with the values found. */
  | { readonly status: "non-compliant"; readonly detail: string }
  /** The rule could not resolve a value (a reference known only at apply): reported, never passed. */
  | { readonly status: "unknown"; readonly detail: string };

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
  /** The tiers it applies to. */
  readonly environments: readonly Tier[];
  /** The equivalent rule of a public scanner, if any (checkov `CKV_GCP_…`, KICS). */
  readonly equivalent?: string;
  /** Resource types it looks at; a stack rule has none and implements `checkStack`. */
  readonly resourceTypes?: readonly string[];
  check?(resource: ResourceView): RuleResult;
  checkStack?(stack: StackView): RuleResult;
}

export const ALL_TIERS: readonly Tier[] = ["dev", "staging", "prod"];

export const compliant: RuleResult = { status: "compliant" };
export const notApplicable: RuleResult = { status: "not-applicable" };
export const nonCompliant = (detail: string): RuleResult => ({ status: "non-compliant", detail });
export const unknown = (detail: string): RuleResult => ({ status: "unknown", detail });

/** Resolves an element's Terraform JSON (tokens become `${…}` expressions). */
export function resolveTerraform(element: TerraformElement): Record<string, unknown> {
  return Tokenization.resolve(element.toTerraform(), {
    scope: element,
    resolver: new DefaultTokenResolver(new StringConcat()),
  }) as Record<string, unknown>;
}

/** Reads a nested value: `get(attrs, "template", "containers")`. Lists of one block are read through. */
export function get(value: unknown, ...keys: (string | number)[]): unknown {
  let at = value;
  for (const key of keys) {
    if (Array.isArray(at) && typeof key === "string") at = at[0];
    if (typeof at !== "object" || at === null) return undefined;
    at = (at as Record<string | number, unknown>)[key];
  }
  return at;
}

/** A list attribute (a block written once may come as an object). */
export function list(value: unknown): Record<string, unknown>[] {
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]) as Record<string, unknown>[];
}

/** True for a value that is a Terraform expression, known only at plan or apply. */
export function isExpression(value: unknown): value is string {
  return typeof value === "string" && value.includes("${");
}

/** The containers of a Cloud Run service or job, wherever the type keeps them. */
export function containersOf(resource: ResourceView): Record<string, unknown>[] {
  switch (resource.type) {
    case "google_cloud_run_v2_service":
      return list(get(resource.attrs, "template", "containers"));
    case "google_cloud_run_v2_job":
      return list(get(resource.attrs, "template", "template", "containers"));
    case "google_cloud_run_service":
      return list(get(resource.attrs, "template", "spec", "containers"));
    default:
      return [];
  }
}

export const CLOUD_RUN_WORKLOADS = [
  "google_cloud_run_v2_service",
  "google_cloud_run_v2_job",
  "google_cloud_run_service",
];

/** Every environment variable of every container: name, plain value, secret reference. */
export function envVars(resource: ResourceView): { name: string; value?: unknown; secret?: Record<string, unknown> }[] {
  return containersOf(resource).flatMap((c) =>
    list(c.env).map((e) => ({
      name: String(e.name),
      value: e.value,
      secret: (get(e, "value_source", "secret_key_ref") ?? get(e, "value_from", "secret_key_ref")) as
        | Record<string, unknown>
        | undefined,
    })),
  );
}
