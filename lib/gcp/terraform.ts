import { DefaultTokenResolver, StringConcat, TerraformElement, Tokenization } from "cdktf";
import { Construct, IConstruct } from "constructs";
import { isUnresolved, shortHash } from "./tokens";

export { isUnresolved, shortHash };

/**
 * How values look in the Terraform JSON this library writes: tokens, their resolution, stable
 * ordering and hashes, and metadata for tools that read a synthesized stack.
 */

/**
 * Resolves tokens in `value` as they will be written for `scope`'s stack: a reference to another
 * resource becomes its Terraform expression (`${google_service_account.x.email}`).
 */
export function resolveTokens(scope: IConstruct, value: unknown): unknown {
  return Tokenization.resolve(value, { scope, resolver: new DefaultTokenResolver(new StringConcat()) });
}

/** A record sorted by key, so the synthesized JSON does not depend on the order it was written. */
export function sortedRecord<T>(record: Readonly<Record<string, T>> | undefined): Record<string, T> | undefined {
  if (record === undefined) return undefined;
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * An element that writes nothing Terraform reads: only an entry under the stack's `"//".metadata`
 * (which Terraform ignores), computed at synthesis, for reviewers and for tools that read the
 * synthesized stack (the parity check, policy acknowledgements).
 */
export abstract class StackMetadata extends TerraformElement {
  constructor(
    scope: Construct,
    id: string,
    private readonly key: string,
  ) {
    super(scope, id);
  }

  /** The value written under the key. */
  protected abstract metadata(): unknown;

  override toMetadata(): Record<string, unknown> {
    return { [this.key]: this.metadata() };
  }

  override toTerraform(): Record<string, unknown> {
    return {};
  }
}

/**
 * What marks a PolicyPack (lib/policies), so that the constructs can find one among a scope's
 * aspects without importing the policies, which read the constructs' output.
 */
export const POLICY_PACK = Symbol.for("cdktf-cloud-run.PolicyPack");
