import { defineEnvironment } from "./base";

/** Staging: production's configuration at production's guardrails, scaled down. */
export default defineEnvironment({
  name: "staging",
  project: "acme-ml-staging",
  stateBucket: "acme-ml-staging-tfstate",
});
