/**
 * JobMonitoring (lib/constructs/monitoring/job-monitoring.ts): an alert on a job's failed
 * executions, its filter asserted as written.
 */
import { CloudRunJob, JobMonitoring } from "../../../lib";
import { Json, resources } from "../../helpers";
import { CHANNEL, IMAGE, PROJECT, conditionsOf, stackWith, synthOf } from "./builders";

describe("JobMonitoring", () => {
  test("a job's failed executions: its completed executions with result failed, summed, above 0", () => {
    const out = synthOf(
      stackWith((s) => {
        const job = new CloudRunJob(s, "train", {
          project: PROJECT,
          location: "europe-west1",
          name: "train",
          image: IMAGE,
        });
        new JobMonitoring(job, "monitoring", { job, notificationChannels: [CHANNEL] });
      }),
    );
    const [policy] = Object.values<Json>(resources(out, "google_monitoring_alert_policy"));
    const [c] = conditionsOf(policy);
    expect(c.filter).toBe(
      'resource.type = "cloud_run_job" AND resource.labels.job_name = "train" AND metric.type = "run.googleapis.com/job/completed_execution_count" AND metric.labels.result = "failed"',
    );
    expect(c).toMatchObject({ comparison: "COMPARISON_GT", threshold_value: 0 });
    expect(policy.notification_channels).toEqual([CHANNEL]);
  });
});
