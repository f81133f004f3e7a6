import { defineEnvironment } from "./base";

/**
 * Development: every build of main is pinned here first (the build workflow), then promoted.
 * Relaxes the production guardrails, explicitly.
 */
export default defineEnvironment({
  name: "dev",
  stage: "development",
  project: "acme-ml-dev",
  stateBucket: "acme-ml-dev-tfstate",
  // Relaxed: dev is torn down and rebuilt freely.
  deletionProtection: false,
  repository: { cleanup: { keepMostRecentVersions: 5, deleteUntaggedOlderThan: "7d" } },
  services: {
    predict: {
      maxInstances: 3,
      env: { LOG_LEVEL: "debug" },
    },
  },
  // Models are trained here, weekly (Mondays 03:00 UTC), and promoted from here.
  jobs: { train: { schedule: { cron: "0 3 * * 1", timeZone: "Etc/UTC" } } },
  // Every way dev differs from the other environments, and why (checked by npm run parity).
  differences: {
    "google_artifact_registry_repository.repository.cleanup_policies":
      "every merge to main builds an image for dev: keep fewer, for a week",
    "google_artifact_registry_repository.repository.lifecycle.prevent_destroy": "dev is torn down and rebuilt freely",
    // `*`: every service, including ones added later.
    "google_cloud_run_v2_service.*.deletion_protection": "dev is torn down and rebuilt freely",
    "google_cloud_run_v2_job.*.deletion_protection": "dev is torn down and rebuilt freely",
    "google_storage_bucket.*.lifecycle.prevent_destroy": "dev is torn down and rebuilt freely",
    "google_cloud_run_v2_service.predict_service.template.containers[0].env[LOG_LEVEL]": "debug logs for developers",
    "google_cloud_run_v2_service.predict_service.template.scaling.max_instance_count":
      "a small cost ceiling for development traffic",
    "google_cloud_scheduler_job.train_schedule": "models are trained in dev and promoted",
    "google_cloud_run_v2_job_iam_member.train_scheduler-invoker": "the weekly training run's invoker, dev only",
    "google_project_service.apis_cloudscheduler-googleapis-com": "only dev schedules training",
    // Monitoring is off in development (the default): no alerts, uptime checks or SLOs.
    "google_monitoring_alert_policy.*": "monitoring is off in development",
    "google_monitoring_uptime_check_config.*": "monitoring is off in development",
    "google_monitoring_custom_service.*": "monitoring is off in development",
    "google_monitoring_slo.*": "monitoring is off in development",
    "google_monitoring_notification_channel.*": "monitoring is off in development",
    "google_cloud_run_v2_service_iam_member.*_monitoring_uptime-invoker": "monitoring is off in development",
    "google_monitoring_dashboard.dashboard.dashboard_json": "no SLOs to chart in development",
    // Canaries are not analyzed in development (rollout is off by default): no canary guard.
    "google_cloud_run_v2_service_iam_member.*_canary-guard": "canaries are not analyzed in development",
    "data.google_project.project": "monitoring is off in development (the uptime check's agent needs it)",
    "google_cloud_run_v2_job_iam_member.train_runner-pipeline.role":
      "the Train workflow may pass arguments in dev only: an override runs any code as the job's account",
  },
});
