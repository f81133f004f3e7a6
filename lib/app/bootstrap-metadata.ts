import { Construct } from "constructs";
import { StackMetadata } from "../gcp/terraform";

/** The key under a bootstrap stack's `"//".metadata`: the parity check leaves such stacks out. */
export const BOOTSTRAP_METADATA_KEY = "cdktf-cloud-run-bootstrap";

/** What a bootstrap stack records about itself. */
export interface BootstrapInfo {
  readonly environment: string;
  readonly stage: string;
}

/** Marks a stack as an environment's bootstrap stack in its `"//"` metadata. */
export class BootstrapMetadata extends StackMetadata {
  constructor(
    scope: Construct,
    id: string,
    private readonly info: BootstrapInfo,
  ) {
    super(scope, id, BOOTSTRAP_METADATA_KEY);
  }

  protected metadata(): BootstrapInfo {
    return this.info;
  }
}

/** True when a synthesized stack (`cdk.tf.json`, parsed) is a bootstrap stack. */
export function isBootstrapStack(stack: Record<string, unknown>): boolean {
  const meta = (stack["//"] as { metadata?: Record<string, unknown> } | undefined)?.metadata;
  return meta?.[BOOTSTRAP_METADATA_KEY] !== undefined;
}
