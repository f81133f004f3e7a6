import { Testing, TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { GoogleProvider } from "../lib/providers";
import { validateTerraform } from "../scripts/terraform-validate";

/** A value read from synthesized JSON: tests assert on its shape, so it is left untyped. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

/** Synthesized Terraform JSON, parsed. */
export interface Synth {
  resource: Record<string, Record<string, Json>>;
  [key: string]: Json;
}

/** A fresh stack with a google provider, as a consumer would write it. */
export function newStack(): TerraformStack {
  const app = Testing.app();
  const stack = new TerraformStack(app, "test");
  new GoogleProvider(stack, "google", { project: "acme-ml-dev", region: "europe-west1" });
  return stack;
}

/**
 * Builds constructs in a fresh stack and returns the synthesized JSON. Throws when it does not
 * hold against the google provider's schema, as `terraform validate` would hold it
 * (scripts/terraform-validate.ts): every stack a unit test builds is a valid one.
 */
export function synth(build: (stack: Construct) => void): Synth {
  const stack = newStack();
  build(stack);
  const out = JSON.parse(Testing.synth(stack)) as Synth;
  const problems = validateTerraform(out);
  if (problems.length > 0) {
    throw new Error(`the stack does not hold against the google provider's schema:\n  ${problems.join("\n  ")}`);
  }
  return out;
}

/**
 * The stacks among `stacks` (synthesized JSON by name) that do not hold against the google
 * provider's schema, each with its problems: the offline `terraform validate`
 * (scripts/terraform-validate.ts). {} when every one holds.
 */
export function schemaProblems(stacks: Record<string, Json>): Record<string, string[]> {
  return Object.fromEntries(
    Object.entries(stacks)
      .map(([name, tf]) => [name, validateTerraform(tf)] as const)
      .filter(([, problems]) => problems.length > 0),
  );
}

/** Every resource of one type, by logical id. */
export function resources(out: Synth, type: string): Record<string, Json> {
  return out.resource[type] ?? {};
}

/** The one resource of a type; fails when there is not exactly one. */
export function only(out: Synth, type: string): Json {
  const all = Object.values(resources(out, type));
  if (all.length !== 1) throw new Error(`expected one ${type}, found ${all.length}`);
  return all[0];
}

export const DIGEST = "sha256:" + "a".repeat(64);
export const IMAGE = `europe-west1-docker.pkg.dev/acme-ml-dev/models/predict-api@${DIGEST}`;

/** Runs `fn` and returns the message of what it throws; fails when it does not throw. */
export function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
  throw new Error("expected an error, none was thrown");
}
