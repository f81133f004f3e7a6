import { Construct } from "constructs";
import { StackMetadata } from "../../gcp/terraform";

/** The key under the stack's `"//".metadata` where {@link ParityMetadata} is written. */
export const PARITY_METADATA_KEY = "cdktf-cloud-run";

/** What a stack records about itself for the parity check. */
export interface StackParityInfo {
  readonly environment: string;
  readonly project: string;
  /** Attribute path (as the parity matrix spells it) → why this environment differs there. */
  readonly differences: Readonly<Record<string, string>>;
  /**
   * Attribute paths that release state decides (images, revisions, traffic): not compared, since
   * environments run different versions on purpose. `npm run release -- status` shows them.
   */
  readonly releaseManaged?: readonly string[];
  /**
   * Services this environment declares but does not deploy yet (no release at its stage): their
   * resources and outputs, absent here, are compared among the other environments only.
   */
  readonly notDeployed?: readonly string[];
  /** The environment's state bucket: its own by design, normalized like the project. */
  readonly stateBucket?: string;
  /**
   * Services that run Google's placeholder here (development, no release yet): their containers
   * hold none of their own image's settings, so they are compared among the other environments only.
   */
  readonly placeholders?: readonly string[];
}

/**
 * Writes {@link StackParityInfo} into the stack's `"//"` metadata, which Terraform ignores, so
 * that the parity check needs nothing but the synthesized stacks.
 */
export class ParityMetadata extends StackMetadata {
  constructor(
    scope: Construct,
    id: string,
    private readonly info: StackParityInfo,
  ) {
    super(scope, id, PARITY_METADATA_KEY);
  }

  protected metadata(): StackParityInfo {
    return this.info;
  }
}
