import { defineEnvironment } from "./base";

/** Development: deployed on every merge to main; relaxes the production guardrails, explicitly. */
export default defineEnvironment({
  name: "dev",
  project: "acme-ml-dev",
  stateBucket: "acme-ml-dev-tfstate",
  // Relaxed: dev is torn down and rebuilt freely, and CI deploys the moving "main" tag.
  deletionProtection: false,
  requireImageDigest: false,
  repository: { immutableTags: false, cleanup: { keepMostRecentVersions: 5, deleteUntaggedOlderThan: "7d" } },
  services: {
    predict: {
      image: { name: "predict-api", version: "main" },
      maxInstances: 3,
      env: { LOG_LEVEL: "debug" },
    },
  },
});
