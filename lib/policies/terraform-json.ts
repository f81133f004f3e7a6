import {
  GcsBackend,
  TerraformDataSource,
  TerraformElement,
  TerraformProvider,
  TerraformResource,
  TerraformStack,
} from "cdktf";
import { IConstruct } from "constructs";
import { resolveTokens } from "../gcp/terraform";

/**
 * A stack as the policy rules read it: every resource, data source and provider block as it will
 * be written to `cdk.tf.json` (snake_case, tokens resolved to Terraform expressions), whoever
 * created it. Rules never look at constructs, only at this.
 */

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

/** An element's Terraform JSON, tokens resolved (`${…}` expressions). */
function terraformOf(element: TerraformElement): Record<string, unknown> {
  return resolveTokens(element, element.toTerraform()) as Record<string, unknown>;
}

/** The resources, data sources and providers of a stack, as they will be synthesized. */
export function stackView(stack: TerraformStack): StackView {
  const resources: ResourceView[] = [];
  const dataSources: Record<string, Record<string, unknown>> = {};
  const providers: Record<string, Record<string, unknown>[]> = {};
  const view: StackView = { stack, resources, dataSources, providers };
  for (const node of stack.node.findAll()) {
    if (node instanceof TerraformResource) {
      const body = terraformOf(node).resource as Record<string, Record<string, Record<string, unknown>>>;
      for (const [type, byId] of Object.entries(body)) {
        for (const attrs of Object.values(byId))
          resources.push({ type, path: node.node.path, attrs, construct: node, stack: view });
      }
    } else if (node instanceof TerraformDataSource) {
      const body = terraformOf(node).data as Record<string, Record<string, Record<string, unknown>>>;
      for (const [type, byId] of Object.entries(body)) {
        for (const [id, attrs] of Object.entries(byId)) dataSources[`data.${type}.${id}`] = attrs;
      }
    } else if (node instanceof TerraformProvider) {
      const body = terraformOf(node).provider as Record<string, Record<string, unknown>[]>;
      for (const [name, blocks] of Object.entries(body)) (providers[name] ??= []).push(...blocks);
    }
  }
  return view;
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

/** The bucket of the stack's GCS backend, if it has one: the bucket its own state lives in. */
export function backendBucket(view: StackView): string | undefined {
  const backend = view.stack.node.children.find((c): c is GcsBackend => c instanceof GcsBackend);
  return (backend?.toTerraform() as { terraform?: { backend?: { gcs?: { bucket?: string } } } } | undefined)?.terraform
    ?.backend?.gcs?.bucket;
}
