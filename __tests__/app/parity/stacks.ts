/** What the parity tests share: edits of synthesized stacks, as a hand edit or a drifted change would make them. */
import { PARITY_METADATA_KEY, StackJson } from "../../../lib/app/parity";
import { SERVICE } from "../../fixtures/parity";
import { Json } from "../../helpers";

/** The model variable of the parity environments' predict service, as an attribute path. */
export const MODEL = `${SERVICE}.template.containers[0].env[MODEL_URI]`;

/** The stacks with `edit` applied to a copy of one or more of them. */
export function editedStacks(
  original: Record<string, StackJson>,
  edits: Record<string, (stack: Json) => void>,
): Record<string, StackJson> {
  const stacks = structuredClone(original);
  for (const [env, edit] of Object.entries(edits)) edit(stacks[env]);
  return stacks;
}

/** A stack's first (and in the parity environments, only) Cloud Run service. */
export const service = (stack: Json) => Object.values(stack.resource.google_cloud_run_v2_service)[0] as Json;

/** Declares in a stack's metadata, as its configuration's `differences` would, that `attribute` differs. */
export const declare = (stack: Json, attribute: string, reason: string) =>
  (stack["//"].metadata[PARITY_METADATA_KEY].differences[attribute] = reason);
