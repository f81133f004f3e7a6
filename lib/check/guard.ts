import { hasOwn, reasonText } from "../gcp/validation";

/*
 * The destroy guard: reads a Terraform plan (`terraform show -json PLANFILE`) and blocks the
 * changes that would destroy a resource whose loss cannot be undone by the next apply: a delete,
 * or a replacement (a delete and a create), of a protected type. A person allows one on purpose,
 * by its address, with a reason. Pure: the command (guard-cli.ts) reads the file and prints.
 *
 * The plan format, as Terraform documents it ("JSON Output Format", developer.hashicorp.com/
 * terraform/internals/json-format, format_version 1.x): `resource_changes[]`, one per resource
 * instance (and one per deposed object, with `deposed`), each with `address`, `mode` ("managed"
 * or "data"), `type`, `change.actions` — ["no-op"], ["create"], ["read"], ["update"],
 * ["delete","create"] and ["create","delete"] (a replacement; create_before_destroy is the second
 * order), ["delete"]; and ["forget"] and ["create","forget"] (Terraform 1.7's `removed` block with
 * destroy = false: the object is left alone; terraform's internal/command/jsonplan) — then `change.replace_paths` (the attributes
 * that force a replacement, each a list of steps: a key or a list index) and `action_reason`
 * (replace_because_cannot_update, delete_because_no_resource_config, …; "display hints only", the
 * set may grow). "Callers [may] just scan the list for delete to recognize all three situations
 * where the object will be deleted, allowing for any new deletion combinations": so an unknown
 * list of actions that holds "delete" is guarded as a deletion, and any other unknown list is an
 * error, never a pass. `resource_changes` is left out of a plan that changes nothing at all.
 * `prevent_destroy` does not appear in plan JSON: it stops the plan itself; this guard is for
 * everything it does not cover (and a Cloud Run service's `deletion_protection` only fails the
 * apply, half way through).
 */

/**
 * The resource types whose destruction is blocked unless allowed, and why each must not be
 * destroyed (printed beside every blocked change). Blocked are deletions and replacements: a
 * replacement destroys the real object just the same, and for most of these a new one with the
 * same name is not the old one.
 *
 * Left out on purpose:
 * - `google_project_service`: this project's stacks set `disable_on_destroy = false`, so a removal
 *   forgets the enablement and leaves the API on; with the provider's default (true) it would turn
 *   the API off for the whole project. That is a value, not a type: fix the stack instead.
 * - IAM members (`*_iam_member`): removing one revokes a grant, which the next apply restores; the
 *   policy pack (lib/policies) judges grants.
 * - `google_secret_manager_secret_version`, `google_storage_bucket_object`: a new value or new
 *   content replaces them by design (rotation, an upload); the secret and the bucket are guarded.
 * - Monitoring (alert policies, dashboards, uptime checks, SLOs), Cloud Scheduler jobs: settings
 *   the next apply recreates as they were; only their history goes.
 * - Data stores this project does not create are guarded anyway when a plan has them (the table
 *   costs nothing where a type is absent): Cloud SQL, BigQuery, Firestore, and the project.
 *
 * Sources: the google provider's resource docs (google_kms_crypto_key and google_kms_key_ring:
 * "cannot be deleted from Google Cloud Platform", destroying a key destroys its versions;
 * google_storage_bucket `force_destroy`), Google's IAM API reference (workloadIdentityPools
 * .delete and providers: soft-deleted, undeletable for 30 days, a soft-deleted pool's ID not
 * reusable; serviceAccounts.delete: removed for good after 30 days) and IAM's "deleting service
 * accounts" (a new account of the same name does not inherit the deleted one's roles), Cloud SQL's
 * "Delete instances" (all data, backups included, is lost, unless a final backup is taken).
 */
export const PROTECTED_TYPES: Readonly<Record<string, string>> = Object.freeze({
  // Cloud Run
  google_cloud_run_v2_service:
    "a new service replaces it (with create_before_destroy it is created first, under its own name, else this one serves nothing until the new one exists), and its revisions (the rollback targets), traffic split and IAM bindings go with it",
  google_cloud_run_service:
    "a new service replaces it (with create_before_destroy it is created first, under its own name, else this one serves nothing until the new one exists), and its revisions (the rollback targets), traffic split and IAM bindings go with it",
  google_cloud_run_v2_job:
    "a job's executions and IAM bindings (who may run it) go with it, and the schedules that run it fail until it is back",
  // Data
  google_storage_bucket:
    "a bucket's objects (model versions, Terraform state) are deleted with it, or, when it is not empty and force_destroy is off, the apply fails half way through",
  google_artifact_registry_repository:
    "every image in the repository is deleted with it: the digests that services run, that promotions copy and that rollbacks go back to",
  google_secret_manager_secret:
    "every version of a secret is destroyed with it, at once and for good, and whatever reads it cannot start",
  google_kms_crypto_key:
    "a key cannot be deleted: Terraform destroys all its versions, so whatever was encrypted with it can no longer be read, and a key of the same name cannot be created again",
  google_kms_key_ring:
    "a key ring cannot be deleted: Terraform only forgets it, a new one of the same name fails to create, and the keys in it are replaced with it (their versions destroyed)",
  google_sql_database_instance:
    "an instance's databases and its backups are deleted with it, unless a final backup is taken",
  google_sql_database: "a database's tables and rows are dropped with it",
  google_bigquery_dataset:
    "a dataset's tables are deleted with it (delete_contents_on_destroy), or the apply fails half way through when it has any",
  google_bigquery_table: "a table's rows are deleted with it",
  google_firestore_database: "a database's documents are deleted with it",
  google_spanner_instance: "an instance's databases and their data are deleted with it",
  google_spanner_database: "a database's data is deleted with it",
  google_bigtable_instance: "an instance's tables and their data are deleted with it",
  google_alloydb_cluster: "a cluster's databases and their data are deleted with it",
  google_redis_instance: "an instance's data (a cache that may hold sessions or queues) is lost with it",
  google_filestore_instance: "a file share's files (models served over NFS) are deleted with it",
  google_compute_disk: "a disk's data is deleted with it, snapshots aside",
  google_secret_manager_regional_secret: "a secret's versions are deleted with it, as with a global secret",
  google_kms_crypto_key_version:
    "destroying a key version schedules its key material's destruction: what it encrypted cannot be decrypted once that happens",
  google_cloud_run_v2_worker_pool: "a worker pool stops consuming until a new one exists, and its revisions go with it",
  // Identity: what the pipeline and the services sign in as
  google_iam_workload_identity_pool:
    "the GitHub workflows sign in through the pool: while it is gone no deploy, plan or release can authenticate, and a deleted pool is kept, soft-deleted, for 30 days, its ID taken: it cannot be created again under that ID",
  google_iam_workload_identity_pool_provider:
    "the GitHub workflows sign in through the provider: while it is gone no deploy, plan or release can authenticate, and a deleted provider is kept, soft-deleted, for 30 days",
  google_service_account:
    "a new account of the same email is another identity: the roles granted to the deleted one (the pipeline's deploy and plan rights, a service's runtime rights) do not carry over, while Terraform sees no change in the grants that name the email",
  google_project: "everything in the project shuts down with it (it can be restored for 30 days)",
});

/** How a change acts on a resource, as the summary counts it. */
export type ChangeAction = "create" | "update" | "replace" | "delete" | "read" | "no-op" | "forget";

/** The actions of the summary, in the order it lists them. */
export const CHANGE_ACTIONS: readonly ChangeAction[] = [
  "create",
  "update",
  "replace",
  "delete",
  "read",
  "no-op",
  "forget",
];

/** One destructive change: a deletion or a replacement. */
export interface DestructiveChange {
  /** The resource instance's address, as the plan gives it (`module.x.google_storage_bucket.y[0]`). */
  readonly address: string;
  readonly type: string;
  readonly action: "delete" | "replace";
  /** For a replacement: `delete-then-create` (the default) or `create-then-delete` (create_before_destroy). */
  readonly order?: "delete-then-create" | "create-then-delete";
  /** The attributes that force a replacement, as `template[0].containers[0].name`; empty when the plan names none. */
  readonly replacePaths: readonly string[];
  /** Terraform's `action_reason`, such as `replace_because_cannot_update`, when the plan gives one. */
  readonly actionReason?: string;
  /** The deposed object's key, for a change to an object that an earlier create_before_destroy left behind. */
  readonly deposed?: string;
  /** Why the type is protected (PROTECTED_TYPES); absent for a type that is not. */
  readonly why?: string;
}

/** A protected change that no allowance covers. */
export interface BlockedChange extends DestructiveChange {
  readonly why: string;
}

/** A destructive change that an allowance covers, with the reason given for it. */
export interface AllowedChange extends DestructiveChange {
  readonly reason: string;
}

/** Every change of one action: how many, and their addresses (no-ops are counted only). */
export interface ActionSummary {
  readonly count: number;
  readonly addresses: readonly string[];
}

export interface GuardReport {
  /** Protected deletions and replacements that no allowance covers: the plan must not be applied. */
  readonly blocked: readonly BlockedChange[];
  /** Deletions and replacements that an allowance covers (protected or not). */
  readonly allowed: readonly AllowedChange[];
  /** Every change of the plan by action, data sources included. */
  readonly summary: Readonly<Record<ChangeAction, ActionSummary>>;
  /**
   * What is wrong with the allowances, in the command's terms (`--allow-destroy`, `--reason`): an
   * allowance without a reason, a reason that says nothing, an allowance of something the plan
   * does not destroy. Any of them makes the whole run a usage error: the guard never passes on a
   * mistaken allowance.
   */
  readonly problems: readonly string[];
}

export interface GuardOptions {
  /** Addresses that may be deleted or replaced, exactly as the plan names them. */
  readonly allow: readonly string[];
  /** Why: required with any allowance, and checked like every reason (reasonText). */
  readonly reason?: string;
}

/** The input is not a Terraform plan in JSON: says what it is missing. */
export class PlanFormatError extends Error {
  override readonly name = "PlanFormatError";
}

/** What Terraform's action reasons mean, for the text; an unknown one is shown as it is. */
const ACTION_REASONS: Readonly<Record<string, string>> = {
  replace_because_tainted: "tainted in the state",
  replace_because_cannot_update: "cannot be updated in place",
  replace_by_request: "replacement requested with -replace",
  replace_by_triggers: "replace_triggered_by",
  delete_because_no_resource_config: "no longer in the configuration",
  delete_because_no_module: "its module is no longer in the configuration",
  delete_because_wrong_repetition: "its count or for_each changed",
  delete_because_count_index: "its count index is out of range",
  delete_because_each_key: "its for_each key is gone",
  delete_because_no_move_target: "the target of its moved block is not in the configuration",
};

/** Terraform's action reason in words: `cannot be updated in place`, or the code itself when unknown. */
export function describeActionReason(reason: string): string {
  return hasOwn(ACTION_REASONS, reason) ? ACTION_REASONS[reason] : reason;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/**
 * One replace path as an attribute path: `["template", 0, "containers", 0, "name"]` →
 * `template[0].containers[0].name`; a map key that is not a plain name is quoted:
 * `labels["app.kubernetes.io/name"]`.
 */
export function renderPath(steps: readonly unknown[]): string {
  let out = "";
  for (const step of steps) {
    if (typeof step === "number") out += `[${step}]`;
    else if (typeof step === "string" && IDENTIFIER.test(step)) out += out === "" ? step : `.${step}`;
    else out += `[${JSON.stringify(String(step))}]`;
  }
  return out;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Which summary action a list of change actions is, or undefined for a list Terraform does not document. */
function classify(actions: readonly string[]): ChangeAction | undefined {
  const key = actions.join(",");
  switch (key) {
    case "no-op":
    case "create":
    case "read":
    case "update":
    case "delete":
    case "forget":
      return key;
    case "delete,create":
    case "create,delete":
      return "replace";
    case "create,forget":
      // A replacement that leaves the old object alone (removed with destroy = false): nothing is destroyed.
      return "forget";
  }
  // Any other list that deletes is a deletion (Terraform's advice for future combinations).
  if (actions.includes("delete")) return actions.includes("create") ? "replace" : "delete";
  return undefined;
}

/** One resource change, checked: what the guard reads of it. */
interface Change {
  readonly address: string;
  readonly type: string;
  readonly managed: boolean;
  readonly action: ChangeAction;
  readonly actions: readonly string[];
  readonly replacePaths: readonly string[];
  readonly actionReason?: string;
  readonly deposed?: string;
}

/** The resource changes of a plan, checked; throws PlanFormatError for anything that is not a plan. */
function readChanges(plan: unknown): Change[] {
  if (!isObject(plan)) throw new PlanFormatError("not a Terraform plan: the JSON is not an object");
  const version = plan.format_version;
  if (typeof version !== "string") {
    throw new PlanFormatError(
      "not a Terraform plan: no format_version (make it with `terraform show -json PLANFILE`, from a plan saved with `terraform plan -out PLANFILE`)",
    );
  }
  // "Reject any input which reports an unsupported major version."
  if (!/^1\.\d+$/.test(version)) {
    throw new PlanFormatError(`unsupported plan format_version ${JSON.stringify(version)}: this guard reads 1.x`);
  }
  const changes = plan.resource_changes;
  if (changes === undefined) {
    // A plan that changes nothing leaves resource_changes out; its planned_values are still there.
    if (isObject(plan.planned_values)) return [];
    // A state (`terraform show -json` without a plan file) has `values` instead.
    throw new PlanFormatError(
      isObject(plan.values)
        ? "a Terraform state, not a plan: make the plan's JSON with `terraform show -json PLANFILE`"
        : "not a Terraform plan: it has neither resource_changes nor planned_values (make it with `terraform show -json PLANFILE`)",
    );
  }
  if (!Array.isArray(changes)) throw new PlanFormatError("not a Terraform plan: resource_changes is not a list");
  return changes.map((raw, i) => {
    const where = `resource_changes[${i}]`;
    if (!isObject(raw) || typeof raw.address !== "string" || typeof raw.type !== "string" || !isObject(raw.change)) {
      throw new PlanFormatError(`not a Terraform plan: ${where} has no address, type or change`);
    }
    const actions = raw.change.actions;
    if (!Array.isArray(actions) || actions.length === 0 || !actions.every((a) => typeof a === "string")) {
      throw new PlanFormatError(`not a Terraform plan: ${where} (${raw.address}) has no change.actions`);
    }
    const action = classify(actions);
    if (action === undefined) {
      throw new PlanFormatError(
        `${where} (${raw.address}) has actions ${JSON.stringify(actions)}, which this guard does not know: it reads Terraform's documented actions only`,
      );
    }
    const paths = Array.isArray(raw.change.replace_paths) ? raw.change.replace_paths : [];
    return {
      address: raw.address,
      type: raw.type,
      managed: raw.mode !== "data",
      action,
      actions: actions as string[],
      replacePaths: paths.filter((p): p is unknown[] => Array.isArray(p) && p.length > 0).map(renderPath),
      ...(typeof raw.action_reason === "string" ? { actionReason: raw.action_reason } : {}),
      ...(typeof raw.deposed === "string" ? { deposed: raw.deposed } : {}),
    };
  });
}

function destructive(change: Change): DestructiveChange {
  const action = change.action as "delete" | "replace";
  const why = hasOwn(PROTECTED_TYPES, change.type) ? PROTECTED_TYPES[change.type] : undefined;
  return {
    address: change.address,
    type: change.type,
    action,
    ...(action === "replace"
      ? { order: change.actions[0] === "create" ? ("create-then-delete" as const) : ("delete-then-create" as const) }
      : {}),
    replacePaths: change.replacePaths,
    ...(change.actionReason === undefined ? {} : { actionReason: change.actionReason }),
    ...(change.deposed === undefined ? {} : { deposed: change.deposed }),
    ...(why === undefined ? {} : { why }),
  };
}

/**
 * Guards a plan (the parsed output of `terraform show -json PLANFILE`): every managed resource's
 * deletion or replacement whose type is in {@link PROTECTED_TYPES} is blocked, unless its address
 * is one of `options.allow` (exactly; an allowance covers the address's current and deposed
 * objects). Data sources are never guarded; every change, theirs included, is in the summary.
 * Throws {@link PlanFormatError} when the input is not a plan; mistakes in the allowances are
 * the report's `problems`.
 */
export function guardPlan(plan: unknown, options: GuardOptions): GuardReport {
  const changes = readChanges(plan);
  const allow = [...new Set(options.allow)];
  const problems: string[] = [];
  for (const address of allow) {
    if (address.trim() === "") problems.push("--allow-destroy needs an address: it is empty");
  }
  if (allow.length > 0) {
    if (options.reason === undefined) {
      problems.push('--allow-destroy needs --reason "…": why these resources may be destroyed, for the record');
    } else {
      const wrong = reasonText(options.reason);
      if (wrong !== undefined) problems.push(`--reason: ${wrong}`);
    }
  } else if (options.reason !== undefined) {
    problems.push("--reason explains --allow-destroy, and there is none: give both, or neither");
  }

  const summary = Object.fromEntries(CHANGE_ACTIONS.map((a) => [a, { count: 0, addresses: [] as string[] }])) as Record<
    ChangeAction,
    { count: number; addresses: string[] }
  >;
  const blocked: BlockedChange[] = [];
  const allowed: AllowedChange[] = [];
  const destroyed = new Set<string>();
  for (const change of changes) {
    const entry = summary[change.action];
    entry.count++;
    if (change.action !== "no-op") {
      entry.addresses.push(
        change.deposed === undefined ? change.address : `${change.address} (deposed ${change.deposed})`,
      );
    }
    if (!change.managed || (change.action !== "delete" && change.action !== "replace")) continue;
    destroyed.add(change.address);
    const found = destructive(change);
    if (allow.includes(change.address)) allowed.push({ ...found, reason: options.reason ?? "" });
    else if (found.why !== undefined) blocked.push({ ...found, why: found.why });
  }

  // An allowance must name something this plan destroys: a typo, or one left over from an earlier
  // plan, never passes silently (nor waits for the next plan that happens to destroy it).
  for (const address of allow.filter((a) => a.trim() !== "" && !destroyed.has(a))) {
    const change = changes.find((c) => c.address === address && c.managed);
    const does =
      change === undefined
        ? "the plan has no resource of that address"
        : `the plan ${change.action === "no-op" ? "leaves it unchanged" : `${change.action === "update" ? "updates" : `${change.action}s`} it`}`;
    const destroyable = [...destroyed];
    problems.push(
      `--allow-destroy ${address}: ${does}, so there is nothing to allow (a stale or mistyped allowance: remove it). ${
        destroyable.length === 0
          ? "The plan destroys and replaces nothing."
          : `The plan destroys or replaces: ${destroyable.join(", ")}.`
      }`,
    );
  }

  return { blocked, allowed, summary, problems };
}
