import type { TerraformStack } from "cdktf";
import type { IConstruct } from "constructs";

/*
 * Terraform as the policy rules read it: resources, data sources and provider blocks in Terraform
 * JSON's shape (snake_case attributes; a value known only at plan or apply is an expression,
 * `${…}`). Made from a cdktf stack at synthesis (terraform-json.ts), or from HCL, Terraform JSON
 * or a plan by `cdktf-cloud-run check` (lib/check/). Nothing here loads cdktf: the imports above
 * are types only, so the check command runs without cdktf installed.
 */

/** A Terraform resource: its type, name, address and attributes. */
export interface ResourceView {
  readonly type: string;
  /** Its name in the configuration (`resource "TYPE" "NAME"`): what references use. */
  readonly name: string;
  /** Its address, such as `google_cloud_run_v2_service.predict` or `module.api.google_….x[0]`. */
  readonly address: string;
  /** Where it comes from: a construct path (`prod/predict/service`) at synthesis, else the address. */
  readonly path: string;
  /** The attributes, as Terraform JSON writes them (snake_case; blocks as lists or objects). */
  readonly attrs: Record<string, unknown>;
  /** The construct that made it, at synthesis; none when the Terraform was read from files. */
  readonly construct?: IConstruct;
  /** The whole configuration, for rules that follow a reference (an IAM policy's data source). */
  readonly stack: StackView;
}

/** A Terraform configuration as the rules read it. */
export interface StackView {
  /** The cdktf stack, at synthesis. */
  readonly stack?: TerraformStack;
  readonly resources: readonly ResourceView[];
  /** Data sources by address (`data.google_iam_policy.x`). */
  readonly dataSources: Readonly<Record<string, Record<string, unknown>>>;
  /** The provider blocks (`provider.google[0]`). */
  readonly providers: Readonly<Record<string, Record<string, unknown>[]>>;
  /**
   * The state backend: its type (`gcs`, `local`, …) and settings; `null` when the configuration
   * has none; undefined when the input cannot say (a plan, a file that is not a whole root module).
   */
  readonly backend?: { readonly type: string; readonly config: Readonly<Record<string, unknown>> } | null;
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

/**
 * Where each Cloud Run workload type keeps its revision template (containers, volumes, service
 * account): services (v2 and v1), jobs and worker pools, the types that run containers.
 */
const REVISION_TEMPLATE: Readonly<Record<string, readonly string[]>> = {
  google_cloud_run_v2_service: ["template"],
  google_cloud_run_v2_job: ["template", "template"],
  google_cloud_run_v2_worker_pool: ["template"],
  google_cloud_run_service: ["template", "spec"],
};

/** The Cloud Run workloads that run containers: services (v2 and v1), jobs and worker pools. */
export const CLOUD_RUN_WORKLOADS = Object.keys(REVISION_TEMPLATE);

/** A Cloud Run workload's revision template, or undefined for another type. */
export function revisionTemplateOf(resource: ResourceView): unknown {
  const path = REVISION_TEMPLATE[resource.type];
  return path === undefined ? undefined : get(resource.attrs, ...path);
}

/** The containers of a Cloud Run service, job or worker pool, wherever the type keeps them. */
export function containersOf(resource: ResourceView): Record<string, unknown>[] {
  return list(get(revisionTemplateOf(resource), "containers"));
}

/**
 * The volumes of a Cloud Run service, job or worker pool, wherever the type keeps them: each
 * `{ name, secret | empty_dir | nfs | gcs | cloud_sql_instance }` (v2), or `{ name, secret:
 * { secret_name, items: [{ key, path }] } }` (the v1 service, whose `key` is the version).
 */
export function volumesOf(resource: ResourceView): Record<string, unknown>[] {
  return list(get(revisionTemplateOf(resource), "volumes"));
}

/** Every environment variable of every container: name, plain value, secret reference. */
export function envVars(resource: ResourceView): { name: string; value?: unknown; secret?: Record<string, unknown> }[] {
  // Each value and secret is read when a rule reads it, not before: what a rule never looks at
  // (a plain value, for a rule about secrets) is not something it decided on (evaluate.ts).
  return containersOf(resource).flatMap((c) =>
    list(c.env).map((e) => ({
      name: String(e.name),
      get value() {
        return e.value;
      },
      get secret() {
        return (get(e, "value_source", "secret_key_ref") ?? get(e, "value_from", "secret_key_ref")) as
          | Record<string, unknown>
          | undefined;
      },
    })),
  );
}

/** The bucket of the configuration's GCS backend, if it has one: the bucket its own state lives in. */
export function backendBucket(view: StackView): string | undefined {
  const bucket = view.backend?.type === "gcs" ? view.backend.config.bucket : undefined;
  return typeof bucket === "string" ? bucket : undefined;
}

/**
 * A boolean as Terraform reads one: `true`, or the string `"true"` (HCL converts a string to the
 * bool an argument takes). Anything else as it is, so a rule still sees an expression.
 */
export function bool(value: unknown): unknown {
  return value === "true" ? true : value === "false" ? false : value;
}

/** A number as Terraform reads one: `2`, or the string `"2"`. Anything else as it is. */
export function num(value: unknown): unknown {
  return typeof value === "string" && /^-?[0-9]+(\.[0-9]+)?$/.test(value) ? Number(value) : value;
}
