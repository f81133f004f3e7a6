import { Aspects, ITerraformDependable, TerraformResource, TerraformStack, Token } from "cdktf";
import { Construct, IConstruct } from "constructs";
import { DataGoogleProject } from "../providers";
import { projectId } from "../gcp/projects";
import { POLICY_PACK, resolveTokens, shortHash } from "../gcp/terraform";
import { Problems } from "../gcp/validation";
import { Grant, isGrant } from "./grants";

/**
 * Something to wait for: a Terraform resource, one of our constructs (or any construct), which
 * stands for every Terraform resource inside it, or a {@link Grant}, which stands for its IAM
 * resources.
 */
export type Dependency = ITerraformDependable | IConstruct | Grant;

/**
 * The label every resource this library labels carries (alert policies, uptime checks, channels;
 * the app's stacks set it on every resource of their provider): what made it.
 */
export const MANAGED_BY_LABEL: Readonly<Record<string, string>> = { "managed-by": "cdktf-cloud-run" };

/** Props every construct of this library takes. */
export interface CommonProps {
  /**
   * The project to create resources in.
   * @default - the google provider's project
   */
  readonly project?: string;

  /**
   * Resources or constructs to create after, typically a {@link ProjectServices} so that nothing
   * is created before its API is enabled. A construct stands for every resource inside it.
   * @default - no explicit dependencies
   */
  readonly dependsOn?: readonly Dependency[];
}

/** Expands dependencies to Terraform resources: a construct becomes every resource inside it. */
export function resolveDependencies(dependsOn: readonly Dependency[] | undefined): ITerraformDependable[] {
  const out: ITerraformDependable[] = [];
  const seen = new Set<ITerraformDependable>();
  const push = (d: ITerraformDependable): void => {
    if (!seen.has(d)) {
      seen.add(d);
      out.push(d);
    }
  };
  for (const dep of dependsOn ?? []) {
    if (isGrant(dep)) {
      dep.resources.forEach(push);
      continue;
    }
    // Anything Terraform can depend on directly (a resource, a module, a data source) has an fqn;
    // any other construct stands for the resources inside it.
    if (!isConstruct(dep) || typeof (dep as Partial<ITerraformDependable>).fqn === "string") {
      push(dep as ITerraformDependable);
      continue;
    }
    for (const child of dep.node.findAll()) {
      if (child instanceof TerraformResource) push(child);
    }
  }
  return out;
}

function isConstruct(x: unknown): x is IConstruct {
  return typeof x === "object" && x !== null && "node" in x;
}

/** Checks the common props: project id. */
export function checkCommonProps(problems: Problems, props: CommonProps): void {
  problems.check("project", props.project, projectId);
}

/**
 * A stable construct id for an IAM grant, derived from the role and the member. When the member
 * contains tokens (such as another resource's email), the id comes from the Terraform expression
 * they resolve to in this stack, which is as stable as the referenced resource's address.
 */
export function grantId(scope: IConstruct, prefix: string, member: string): string {
  const text = Token.isUnresolved(member) ? resolvedText(scope, member) : member;
  const slug = text
    .replace(/[^A-Za-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .toLowerCase();
  return slug.length <= 64 ? `${prefix}-${slug}` : `${prefix}-${slug.slice(0, 55)}-${shortHash(text)}`;
}

function resolvedText(scope: IConstruct, member: string): string {
  const resolved = resolveTokens(scope, member);
  return typeof resolved === "string" ? resolved : JSON.stringify(resolved);
}

/**
 * The project's number, which names its service agents: `given`, or read with a
 * `google_project` data source (`project` under `scope`).
 */
export function projectNumberOf(scope: Construct, given: string | undefined, project: string | undefined): string {
  return given ?? projectData(scope, project).number;
}

/**
 * The `google_project` data source of `scope` (construct id `project`), made on first use: the
 * project's number, and its id when the provider's project is the one meant.
 */
export function projectData(scope: Construct, project: string | undefined): DataGoogleProject {
  const found = scope.node.tryFindChild("project");
  return found instanceof DataGoogleProject ? found : new DataGoogleProject(scope, "project", { projectId: project });
}

const guarded = new WeakSet<TerraformStack>();

/**
 * Makes synthesis of the stack holding `construct` fail when a PolicyPack is added above the
 * stack (to the App) and none to the stack or below it. cdktf runs aspects from each stack down
 * (cdktf/lib/synthesize/synthesizer.js, invokeAspects starts at the stack), so a pack on the App
 * is never run: without this, `Aspects.of(app).add(new PolicyPack(…))` would synthesize a public
 * production service without a word. Checked once per stack, as a validation, before it is written.
 */
export function guardPolicyPlacement(construct: IConstruct): void {
  const stack = TerraformStack.of(construct);
  if (guarded.has(stack)) return;
  guarded.add(stack);
  stack.node.addValidation({
    validate: () => {
      const isPack = (a: unknown) => typeof a === "object" && a !== null && POLICY_PACK in a;
      const above = stack.node.scopes.slice(0, -1).filter((s) => Aspects.of(s).all.some(isPack));
      if (above.length === 0) return [];
      if (stack.node.findAll().some((n) => Aspects.of(n).all.some(isPack))) return [];
      const where = above.map((s) => (s.node.path === "" ? "the App" : s.node.path)).join(", ");
      return [
        `a PolicyPack is added to ${where}, above stack ${stack.node.path}, and cdktf runs aspects from each stack down: ` +
          `it would never check this stack. Add it to the stack: Aspects.of(stack).add(new PolicyPack({ stage }))`,
      ];
    },
  });
}
