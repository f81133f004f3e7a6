import { defineEnvironment } from "./base";

/** Production: held to every guardrail (see `stage` in EnvironmentConfig). */
export default defineEnvironment({
  name: "prod",
  stage: "production",
  project: "acme-ml-prod",
  stateBucket: "acme-ml-prod-tfstate",
  services: {
    predict: {
      // No cold starts for users; a higher ceiling for real traffic.
      minInstances: 1,
      maxInstances: 20,
    },
  },
  acknowledgements: [
    {
      rule: "RUN-009",
      service: "predict",
      reason: "called by the partner API gateway over the internet; every request still needs roles/run.invoker",
    },
  ],
  differences: {
    "google_cloud_run_v2_service.predict_service.template.scaling.min_instance_count": "no cold starts for users",
    "google_cloud_run_v2_service.predict_service.template.scaling.max_instance_count":
      "capacity for real traffic, twice staging's",
    "google_monitoring_alert_policy.predict_monitoring_alert-max-instances":
      "alerts at prod's own instance ceiling, twice staging's",
  },
});
