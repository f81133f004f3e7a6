import { defineEnvironment } from "./base";

/** Staging: production's configuration at production's guardrails, scaled down. */
export default defineEnvironment({
  name: "staging",
  // Applied after dev and before prod by the deploy workflow.
  stage: "preproduction",
  project: "acme-ml-staging",
  stateBucket: "acme-ml-staging-tfstate",
});
