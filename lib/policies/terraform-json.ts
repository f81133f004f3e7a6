import {
  GcsBackend,
  TerraformBackend,
  TerraformDataSource,
  TerraformElement,
  TerraformProvider,
  TerraformResource,
  TerraformStack,
} from "cdktf";
import { resolveTokens } from "../gcp/terraform";
import type { ResourceView, StackView } from "./view";

export * from "./view";

/**
 * A cdktf stack as the policy rules read it (view.ts): every resource, data source and provider
 * block as it will be written to `cdk.tf.json` (snake_case, tokens resolved to Terraform
 * expressions), whoever created it. Rules never look at constructs, only at this.
 */

/** An element's Terraform JSON, tokens resolved (`${…}` expressions). */
function terraformOf(element: TerraformElement): Record<string, unknown> {
  return resolveTokens(element, element.toTerraform()) as Record<string, unknown>;
}

/** The resources, data sources and providers of a stack, as they will be synthesized. */
export function stackView(stack: TerraformStack): StackView {
  const resources: ResourceView[] = [];
  const dataSources: Record<string, Record<string, unknown>> = {};
  const providers: Record<string, Record<string, unknown>[]> = {};
  const view: StackView = { stack, resources, dataSources, providers, backend: backendOf(stack) };
  for (const node of stack.node.findAll()) {
    if (node instanceof TerraformResource) {
      const body = terraformOf(node).resource as Record<string, Record<string, Record<string, unknown>>>;
      for (const [type, byId] of Object.entries(body)) {
        for (const attrs of Object.values(byId))
          resources.push({
            type,
            name: node.friendlyUniqueId,
            address: `${type}.${node.friendlyUniqueId}`,
            path: node.node.path,
            attrs,
            construct: node,
            stack: view,
          });
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

/** The stack's backend, as Terraform JSON writes it: `{ type: "gcs", config: { bucket, prefix } }`. */
function backendOf(stack: TerraformStack): StackView["backend"] {
  const backends = stack.node.children.filter((c): c is TerraformBackend => c instanceof TerraformBackend);
  if (backends.length === 0) return null;
  const json = backends[0].toTerraform() as { terraform?: { backend?: Record<string, Record<string, unknown>> } };
  const [type, config] = Object.entries(json.terraform?.backend ?? {})[0] ?? [
    backends[0] instanceof GcsBackend ? "gcs" : "unknown",
    {},
  ];
  return { type, config };
}
