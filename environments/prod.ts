import { defineEnvironment } from "./base";

/** Production: held to the production guardrails (see `production` in EnvironmentConfig). */
export default defineEnvironment({
  name: "prod",
  production: true,
  project: "acme-ml-prod",
  stateBucket: "acme-ml-prod-tfstate",
  services: {
    predict: {
      // No cold starts for users; a higher ceiling for real traffic.
      minInstances: 1,
      maxInstances: 20,
    },
  },
});
