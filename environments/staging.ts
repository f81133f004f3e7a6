import { defineEnvironment } from "./base";

/**
 * Staging: production's configuration at production's guardrails (but for the warm minimum
 * instance), applied after dev and before prod by the deploy workflow.
 */
export default defineEnvironment({
  name: "staging",
  stage: "preproduction",
  project: "acme-ml-staging",
  stateBucket: "acme-ml-staging-tfstate",
  acknowledgements: [
    {
      rule: "RUN-009",
      service: "predict",
      reason:
        "rehearses prod: called by the partner API gateway over the internet; every request still needs roles/run.invoker",
    },
  ],
});
