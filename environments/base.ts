import { EnvironmentOverrides, SharedConfig, extendEnvironment } from "../lib/app/config";

/**
 * What every environment shares. An environment file states only what differs, through
 * {@link defineEnvironment}. The values here are the production-safe ones; an environment that
 * relaxes one says so in its own file.
 */
export const base = {
  app: "predict",
  region: "europe-west1",
  labels: { team: "ml-platform", "cost-center": "ml-serving" },
  deletionProtection: true,
  // The repository whose GitHub Actions plan and deploy (each environment's bootstrap stack
  // trusts its tokens, by id). Yours: gh api repos/OWNER/NAME --jq '.id, .owner.id'
  github: { repository: "acme/ml-platform", repositoryId: "812345678", ownerId: "91234567" },
  repository: {
    repositoryId: "models",
    description: "Container images of the predict model-serving API",
    immutableTags: true,
    cleanup: { keepMostRecentVersions: 10, deleteUntaggedOlderThan: "30d" },
    vulnerabilityScanning: true,
  },
  services: {
    predict: {
      // The image's name in each environment's repository; which digest runs is release state
      // (environments/releases/<env>.json, changed by npm run release).
      image: "predict-api",
      build: { context: "services/predict" },
      containerPort: 8080,
      cpu: "2",
      memory: "4Gi",
      cpuIdle: true,
      startupCpuBoost: true,
      minInstances: 0,
      maxInstances: 10,
      concurrency: 8,
      timeoutSeconds: 60,
      ingress: "all",
      env: { MODEL_NAME: "sentiment-v3", LOG_LEVEL: "info" },
      // The model the train job wrote, mounted read-only; which version is release state
      // (npm run release -- pin dev predict --model sentiment/<execution>), set as MODEL_PATH.
      model: { bucket: "models", mountPath: "/models" },
      // A model server: 2% of 5xx or a p99 above 2 s pages; the SLOs ask for 99.5% and 99% within 2 s.
      // The uptime check calls /health: the public URL does not pass /healthz on (see README).
      monitoring: { uptimeCheck: { path: "/health" }, errorRatio: { threshold: 0.02 }, latency: { thresholdMs: 2000 } },
      secretEnv: { MODEL_API_KEY: { secret: "predict-model-api-key", version: "1" } },
      startupProbe: { path: "/healthz", periodSeconds: 5, timeoutSeconds: 2, failureThreshold: 24 },
      livenessProbe: { path: "/healthz", periodSeconds: 30, timeoutSeconds: 5 },
      invokers: ["serviceAccount:gateway@acme-ml-shared.iam.gserviceaccount.com"],
    },
  },
  // Uptime checks, alerts and SLOs: on in staging and prod (the default past development), with
  // every alert to the team's on-call address. Services tune thresholds under their own
  // `monitoring`.
  monitoring: { emails: ["ml-oncall@acme.example"] },
  // Model artifacts: the train job writes a version per run, services read the one released.
  buckets: {
    models: { noncurrentVersionsKept: 5 },
  },
  jobs: {
    train: {
      // Trains the sentiment model on 4 tasks into gs://<project>-models/sentiment/<execution>/.
      image: "train",
      build: { context: "services/train" },
      args: ["--epochs", "3"],
      env: { MODEL_NAME: "sentiment" },
      cpu: "2",
      memory: "4Gi",
      taskCount: 4,
      parallelism: 2,
      maxRetries: 1,
      timeoutSeconds: 1800,
      volumes: [{ bucket: "models", mountPath: "/models", readOnly: false }],
      // Scheduled in dev only (environments/dev.ts): a model version enters at the first stage
      // and is promoted, so a later stage's own training runs could never be served there.
      // The Train workflow runs it anywhere, on demand.
    },
  },
} satisfies SharedConfig;

/**
 * The configuration of one environment: {@link base} with what the environment states merged in
 * (objects key by key; arrays and other values replace). Validated when the stack is built.
 */
export const defineEnvironment = (overrides: EnvironmentOverrides) => extendEnvironment(base, overrides);
