import { Node, findNodeAtLocation, getNodeValue } from "jsonc-parser";
import { Configuration, InputError, SourceLocation } from "../input";
import type { ResourceView, StackView } from "../../policies/view";
import { singleBlocks } from "./document";
import { parseJson } from "./json";

/*
 * Plans: the JSON of `terraform show -json PLANFILE` (Terraform's "JSON Output Format"). What
 * the rules read is `planned_values`: every resource instance the plan leaves in place, in the
 * root module and, recursively, in `child_modules` (a module's resources are checked: their
 * addresses start with `module.`). A value known only after apply is absent (or null) there; the
 * plan marks it with `true` in `resource_changes[].change.after_unknown`, and it becomes
 * UNKNOWN_AFTER_APPLY here, so a rule reports it as unknown instead of reading it as unset.
 * Data sources read at plan time are in `prior_state`; those read at apply, in `planned_values`.
 * Values are in the shape of configurations (document.ts): a list of one object is the object, and
 * what is not set is absent (a plan writes it as null, or `[]` for blocks).
 * A plan names no backend (`backend` is undefined) and lists no module calls.
 */

/** A value the plan says will be known only after apply. */
export const UNKNOWN_AFTER_APPLY = "${unknown after apply}";

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** True when an `after_unknown` structure marks anything unknown. */
function marksUnknown(marks: unknown): boolean {
  if (marks === true) return true;
  if (Array.isArray(marks)) return marks.some(marksUnknown);
  return isObject(marks) && Object.values(marks).some(marksUnknown);
}

/** `value` with UNKNOWN_AFTER_APPLY at each leaf that `after_unknown` marks `true`. */
export function withUnknowns(value: unknown, marks: unknown): unknown {
  if (marks === true) return UNKNOWN_AFTER_APPLY;
  if (!marksUnknown(marks)) return value;
  if (Array.isArray(marks)) {
    const out: unknown[] = Array.isArray(value) ? [...value] : [];
    marks.forEach((m, i) => {
      if (marksUnknown(m)) out[i] = withUnknowns(out[i], m);
    });
    // An element the values lack is one the plan does not know.
    return Array.from(out, (v) => (v === undefined ? UNKNOWN_AFTER_APPLY : v));
  }
  const out: Record<string, unknown> = isObject(value) ? { ...value } : {};
  for (const [key, m] of Object.entries(marks as Record<string, unknown>)) {
    if (marksUnknown(m)) out[key] = withUnknowns(out[key], m);
  }
  return out;
}

/**
 * Values as a configuration has them: a plan writes every argument of the schema, an unset one as
 * null and a block written nowhere as `[]`; in a configuration they are absent, which is how the
 * rules read "not set".
 */
function asConfigured(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(asConfigured);
  if (!isObject(value)) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, v]) => v !== null && !(Array.isArray(v) && v.length === 0))
      .map(([k, v]) => [k, asConfigured(v)]),
  );
}

/** What a JSON file that is not a plan is, for the problem that says so. */
function notAPlan(value: unknown): string {
  const plan = "a Terraform plan (`terraform show -json PLANFILE` output, with format_version and planned_values)";
  if (!isObject(value)) return `is not ${plan}`;
  if (value.format_version !== undefined && isObject(value.values))
    return `is a Terraform state (\`terraform show -json\` of a state), not ${plan}`;
  if (["resource", "terraform", "provider", "module", "data"].some((k) => k in value))
    return `is Terraform JSON configuration, not ${plan}: name it .tf.json to read it as configuration`;
  return `is not ${plan}`;
}

/** True when a parsed JSON value is a plan: `format_version` and `planned_values`. */
export function isPlan(value: unknown): value is Record<string, unknown> {
  return isObject(value) && typeof value.format_version === "string" && isObject(value.planned_values);
}

/** One plan file as a configuration, or why it is not one. */
export function readPlan(file: string, text: string): { configuration?: Configuration; problems: InputError[] } {
  const parsed = parseJson(file, text);
  if (parsed.root === undefined) return { problems: parsed.problems };
  const { root, value, lines } = parsed;
  if (!isPlan(value)) return { problems: [new InputError(file, notAPlan(value))] };
  const version = String(value.format_version);
  if (!/^1\.\d+$/.test(version))
    return {
      problems: [new InputError(file, `has format_version ${version}; this reader knows the 1.x plan format`)],
    };

  const problems: InputError[] = [];
  const unknowns = new Map<string, unknown>();
  for (const change of Array.isArray(value.resource_changes) ? value.resource_changes : []) {
    if (
      isObject(change) &&
      typeof change.address === "string" &&
      change.deposed === undefined &&
      isObject(change.change)
    )
      unknowns.set(change.address, change.change.after_unknown);
  }

  const resources: ResourceView[] = [];
  const dataSources: Record<string, Record<string, unknown>> = {};
  const view: StackView = { resources, dataSources, providers: {}, backend: undefined };
  const locations = new Map<string, SourceLocation>();

  /** Each resource of a values representation's module and its child modules, with the line of its address. */
  const walk = (module: Node | undefined, where: string, planned: boolean): void => {
    if (module === undefined) return;
    const list = findNodeAtLocation(module, ["resources"]);
    (list?.type === "array" ? (list.children ?? []) : []).forEach((node, i) => {
      const r = getNodeValue(node) as unknown;
      if (!isObject(r) || typeof r.address !== "string" || typeof r.type !== "string") {
        problems.push(
          new InputError(file, `${where}.resources[${i}] has no address or type`, lines.at(node.offset).line),
        );
        return;
      }
      const address = r.address;
      const key = findNodeAtLocation(node, ["address"])?.parent?.offset ?? node.offset;
      const location = { file, ...lines.at(key) };
      const values = isObject(r.values) ? r.values : {};
      const known = planned ? withUnknowns(values, unknowns.get(address)) : values;
      const attrs = singleBlocks(asConfigured(known)) as Record<string, unknown>;
      if (r.mode === "data") {
        if (dataSources[address] !== undefined) return; // read at apply: planned_values has it, walked first
        dataSources[address] = attrs;
        locations.set(address, location);
      } else if (planned) {
        resources.push({ type: r.type, name: String(r.name ?? ""), address, path: address, attrs, stack: view });
        locations.set(address, location);
      }
    });
    const children = findNodeAtLocation(module, ["child_modules"]);
    (children?.type === "array" ? (children.children ?? []) : []).forEach((child, i) =>
      walk(child, `${where}.child_modules[${i}]`, planned),
    );
  };
  walk(findNodeAtLocation(root, ["planned_values", "root_module"]), "planned_values.root_module", true);
  walk(findNodeAtLocation(root, ["prior_state", "values", "root_module"]), "prior_state.values.root_module", false);

  return {
    configuration: {
      kind: "plan",
      label: file,
      files: [file],
      view,
      locations,
      modules: [],
      acknowledgements: [],
      root: true,
    },
    problems,
  };
}
