/**
 * CloudRunJob (lib/constructs/cloud-run-job/): its own checks at every boundary (tasks,
 * parallelism, retries, the attempt timeout, the schedule, runners), the synthesized job as
 * Terraform reads it (defaults, GPU, startup probe, schedule, VPC egress, a customer-managed key
 * and its grant), and grantRunner. The checks a job shares with a service (GPU, volumes, the
 * startup window) are tested for both kinds in workload/validate.test.ts.
 */
import {
  CloudRunJob,
  CloudRunJobProps,
  CloudRunService,
  CloudRunServiceProps,
  ProjectServices,
  ValidationError,
} from "../../lib";
import { cron, retryCount, timeZone } from "../../lib/gcp/scheduler";
import { IMAGE, Synth, newStack, only, resources, synth } from "../helpers";
import {
  JOB_SUBJECT,
  L4,
  L4_SERVICE,
  PROJECT,
  allResources,
  entry,
  escapeRegExp,
  jobBase,
  jobFails,
  jobOf,
  jobPasses,
  newJob,
  refused,
  serviceBase,
  synthJob,
  validationErrorOf,
} from "./workload/builders";

// ---------------------------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------------------------

describe("CloudRunJob validation at the boundaries", () => {
  test("the defaults pass", () => {
    jobPasses({});
  });

  test("taskCount: 1 and 10000 pass, 0 and 10001 fail", () => {
    jobPasses({ taskCount: 1 });
    jobPasses({ taskCount: 10000 });
    jobFails({ taskCount: 0 }, "taskCount", 0, /must be a whole number from 1 to 10000/);
    jobFails({ taskCount: 10001 }, "taskCount", 10001, /must be a whole number from 1 to 10000/);
    jobFails({ taskCount: 2.5 }, "taskCount", 2.5, /whole number/);
  });

  test("parallelism: 0 and taskCount pass, taskCount + 1 fails naming taskCount", () => {
    jobPasses({ taskCount: 8, parallelism: 0 });
    jobPasses({ taskCount: 8, parallelism: 8 });
    jobPasses({ taskCount: 8, parallelism: 1 });
    jobFails({ taskCount: 8, parallelism: 9 }, "parallelism", 9, /must not exceed taskCount \(8\)/);
    // Against the default task count, 1.
    jobPasses({ parallelism: 1 });
    jobFails({ parallelism: 2 }, "parallelism", 2, /must not exceed taskCount \(1\)/);
    jobFails({ taskCount: 8, parallelism: -1 }, "parallelism", -1, /from 0 \(as many as possible\) to 10000/);
  });

  test("maxRetries: 0 and 10 pass, -1 and 11 fail", () => {
    jobPasses({ maxRetries: 0 });
    jobPasses({ maxRetries: 10 });
    jobFails({ maxRetries: -1 }, "maxRetries", -1, /must be a whole number from 0 to 10/);
    jobFails({ maxRetries: 11 }, "maxRetries", 11, /must be a whole number from 0 to 10/);
  });

  test("timeoutSeconds without a GPU: 1 and 604800 (168 hours) pass, 0 and 604801 fail", () => {
    jobPasses({ timeoutSeconds: 1 });
    jobPasses({ timeoutSeconds: 604800 });
    jobFails({ timeoutSeconds: 604801 }, "timeoutSeconds", 604801, /from 1 to 604800 \(168 hours/);
    jobFails({ timeoutSeconds: 0 }, "timeoutSeconds", 0, /from 1 to 604800/);
  });

  test("timeoutSeconds with a GPU: 3600 passes, 3601 fails with the one-hour rule", () => {
    jobPasses({ ...L4, timeoutSeconds: 3600 });
    jobFails({ ...L4, timeoutSeconds: 3601 }, "timeoutSeconds", 3601, /from 1 to 3600: with a GPU, .*at most one hour/);
    // The 168-hour limit does not apply once there is a GPU.
    jobFails({ ...L4, timeoutSeconds: 604800 }, "timeoutSeconds", 604800, /one hour/);
  });

  test('executionEnvironment "gen1" is refused for a job; "gen2" passes', () => {
    jobPasses({ executionEnvironment: "gen2" });
    jobFails(
      // Typed as "gen2" only; an untyped configuration may still say "gen1".
      { executionEnvironment: "gen1" as never },
      "executionEnvironment",
      "gen1",
      /must be "gen2": Cloud Run jobs run only/,
    );
  });

  test("cpu and memory are checked alone and together", () => {
    jobPasses({ cpu: "8", memory: "32Gi" });
    jobFails({ cpu: "3" }, "cpu", "3", /must be "1", "2", "4", "6" or "8"/);
    jobFails({ memory: "511Mi" }, "memory", "511Mi", /from 512Mi to 32Gi in the gen2/);
    jobFails({ cpu: "1", memory: "5Gi" }, "memory", "5Gi", /1 vCPU allows at most 4Gi of memory.*\(cpu is "1"\)/);
  });

  test("command and args are lists of strings", () => {
    jobPasses({ command: ["python", "-m", "train"], args: ["--epochs", "3"] });
    jobFails({ args: ["--epochs", 3 as never] }, "args[1]", 3, /must be a string/);
    jobFails({ command: "python train.py" as never }, "command", "python train.py", /must be a list of strings/);
  });

  test("the job name follows the Cloud Run name rule", () => {
    jobPasses({ name: "a".repeat(49) });
    jobFails({ name: "a".repeat(50) }, "name", "a".repeat(50), /must be 1-49 characters/);
    jobFails({ name: "Train" }, "name", "Train", /lowercase/);
  });

  test("runners are IAM principals and never public", () => {
    jobPasses({ runners: ["group:ml@acme.example"] });
    jobFails({ runners: ["allUsers"] }, "runners[0]", "allUsers", /anyone on the internet start executions/);
    jobFails({ runners: ["ml@acme.example"] }, "runners[0]", "ml@acme.example", /must be an IAM principal/);
  });

  test("a failed job leaves nothing in the stack", () => {
    const stack = newStack();
    expect(() => new CloudRunJob(stack, "train", { ...jobBase, taskCount: 0 })).toThrow(ValidationError);
    expect(stack.node.tryFindChild("train")).toBeUndefined();
    expect(() => new CloudRunJob(stack, "train", jobBase)).not.toThrow();
  });
});

describe("identity checks (job)", () => {
  test("serviceAccountEmail must be a dedicated account, never a default one", () => {
    jobPasses({ serviceAccountEmail: "trainer@acme-ml-dev.iam.gserviceaccount.com" });
    jobFails(
      { serviceAccountEmail: "123456789012-compute@developer.gserviceaccount.com" },
      "serviceAccountEmail",
      "123456789012-compute@developer.gserviceaccount.com",
      /not the default compute or App Engine account/,
    );
    jobFails(
      { serviceAccountEmail: "acme-ml-dev@appspot.gserviceaccount.com" },
      "serviceAccountEmail",
      "acme-ml-dev@appspot.gserviceaccount.com",
      /not the default compute/,
    );
  });

  test("serviceAccountId is refused together with serviceAccountEmail", () => {
    jobPasses({ serviceAccountId: "trainer" });
    jobFails(
      { serviceAccountEmail: "trainer@acme-ml-dev.iam.gserviceaccount.com", serviceAccountId: "trainer" },
      "serviceAccountId",
      "trainer",
      /must not be set together with serviceAccountEmail/,
    );
    jobFails({ serviceAccountId: "abcde" }, "serviceAccountId", "abcde", /6-30 characters/);
  });
});

// ---------------------------------------------------------------------------------------------
// Schedule
// ---------------------------------------------------------------------------------------------

describe("job schedule validation", () => {
  const schedule = (s: Partial<CloudRunJobProps["schedule"]> & object) => ({ schedule: { cron: "0 3 * * 1", ...s } });

  test.each(["0 3 * * 1", "0 3 * * MON-FRI", "59 23 31 12 7", "*/15 0-6 1,15 JAN-DEC SUN", " 0 3 * * 1 "])(
    "cron %j passes",
    (c) => jobPasses(schedule({ cron: c })),
  );

  test.each([
    ["0 3 * *", /five unix-cron fields .*got 4 fields/],
    ["0 3 * * * *", /got 6 fields/],
    ["60 * * * *", /the minute field has "60" \(0-59\)/],
    ["* 24 * * *", /the hour field has "24" \(0-23\)/],
    ["0 0 0 * *", /the day of month field has "0" \(1-31\)/],
    ["* * * 13 *", /the month field has "13" \(1-12 or JAN-DEC\)/],
    ["* * * * 8", /the day of week field has "8" \(0-7 or SUN-SAT\)/],
    ["*/0 * * * *", /the minute field has step 0/],
    ["0 3 * * FRI-MON", /day of week field has "FRI-MON"/],
    ["@daily", /got 1 field\b/],
  ])("cron %j fails", (c, rule) => {
    jobFails(schedule({ cron: c }), "schedule.cron", c, rule);
  });

  test("timeZone: tz database names pass, others fail", () => {
    jobPasses(schedule({ timeZone: "Etc/UTC" }));
    jobPasses(schedule({ timeZone: "Europe/Amsterdam" }));
    jobFails(schedule({ timeZone: "Mars/Olympus" }), "schedule.timeZone", "Mars/Olympus", /tz database time zone/);
    jobFails(schedule({ timeZone: "+01:00" }), "schedule.timeZone", "+01:00", /tz database time zone/);
  });

  test("retryCount: 0 and 5 pass, -1 and 6 fail", () => {
    jobPasses(schedule({ retryCount: 0 }));
    jobPasses(schedule({ retryCount: 5 }));
    jobFails(schedule({ retryCount: -1 }), "schedule.retryCount", -1, /from 0 to 5/);
    jobFails(schedule({ retryCount: 6 }), "schedule.retryCount", 6, /from 0 to 5/);
  });

  test("the scheduler's account is not the account the job creates either (its id, in its project)", () => {
    jobFails(
      schedule({ serviceAccountEmail: `train-job@${PROJECT}.iam.gserviceaccount.com` }),
      "schedule.serviceAccountEmail",
      `train-job@${PROJECT}.iam.gserviceaccount.com`,
      /must not be the job's runtime account/,
    );
    jobFails(
      {
        serviceAccountId: "trainer-x",
        ...schedule({ serviceAccountEmail: `trainer-x@${PROJECT}.iam.gserviceaccount.com` }),
      },
      "schedule.serviceAccountEmail",
      `trainer-x@${PROJECT}.iam.gserviceaccount.com`,
      /must not be the job's runtime account/,
    );
    // The same id in another project is another account.
    jobPasses(schedule({ serviceAccountEmail: "train-job@acme-ml-other.iam.gserviceaccount.com" }));
  });

  test("a time zone in the wrong case is refused, with its spelling", () => {
    jobFails(
      schedule({ timeZone: "Europe/amsterdam" }),
      "schedule.timeZone",
      "Europe/amsterdam",
      /spelled "Europe\/Amsterdam"/,
    );
    jobPasses(schedule({ timeZone: "US/Pacific" })); // an alias, as the tz database spells it
  });

  test("the scheduler's account is never the job's runtime account, nor a default one", () => {
    const email = "trainer@acme-ml-dev.iam.gserviceaccount.com";
    jobFails(
      { serviceAccountEmail: email, ...schedule({ serviceAccountEmail: email }) },
      "schedule.serviceAccountEmail",
      email,
      /must not be the job's runtime account/,
    );
    jobPasses({
      serviceAccountEmail: email,
      ...schedule({ serviceAccountEmail: "train-scheduler@acme-ml-dev.iam.gserviceaccount.com" }),
    });
    jobFails(
      schedule({ serviceAccountEmail: "123456789012-compute@developer.gserviceaccount.com" }),
      "schedule.serviceAccountEmail",
      "123456789012-compute@developer.gserviceaccount.com",
      /not the default compute/,
    );
    jobFails(
      schedule({ serviceAccountEmail: "scheduler@example.com" }),
      "schedule.serviceAccountEmail",
      "scheduler@example.com",
      /must be a service account email/,
    );
  });

  test("the constraints alone (lib/gcp/scheduler.ts)", () => {
    expect(cron("0 3 * * 1")).toBeUndefined();
    expect(cron("0 3 * * mon")).toBeUndefined();
    expect(cron("0 3 * * 1-5/2")).toBeUndefined();
    expect(cron("0 3 * * 1-")).toEqual(expect.any(String));
    expect(cron("")).toEqual(expect.any(String));
    expect(timeZone("Etc/UTC")).toBeUndefined();
    expect(timeZone("UTC+1")).toEqual(expect.any(String));
    expect(retryCount(0)).toBeUndefined();
    expect(retryCount(5)).toBeUndefined();
    expect(retryCount(1.5)).toEqual(expect.any(String));
  });

  test("all problems are reported at once, in one ValidationError", () => {
    const err = validationErrorOf(() =>
      newJob({
        taskCount: 0,
        maxRetries: 11,
        executionEnvironment: "gen1" as never,
        volumes: [{ bucket: "acme-models", mountPath: "/dev/x" }],
        schedule: { cron: "60 * * * *", timeZone: "Mars/Olympus", retryCount: 6 },
      }),
    );
    const paths = err.problems.map((p) => p.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        "taskCount",
        "maxRetries",
        "executionEnvironment",
        "volumes[0].mountPath",
        "schedule.cron",
        "schedule.timeZone",
        "schedule.retryCount",
      ]),
    );
    expect(err.message).toMatch(new RegExp(`^${escapeRegExp(JOB_SUBJECT)} has ${paths.length} invalid props:`));
    expect(err.message.split("\n")).toHaveLength(paths.length + 1);
  });
});

// ---------------------------------------------------------------------------------------------
// CloudRunJob: synthesized JSON
// ---------------------------------------------------------------------------------------------

describe("CloudRunJob JSON: defaults", () => {
  const out = synthJob();
  const job = jobOf(out);
  const task = job.template.template;
  const container = task.containers[0];

  test("every default is written: 1 task, parallelism = tasks, 3 retries, 600 s, gen2, deletion protection", () => {
    expect(job).toMatchObject({ name: "train", location: "europe-west1", project: PROJECT, deletion_protection: true });
    expect(job.template.task_count).toBe(1);
    expect(job.template.parallelism).toBe(1);
    expect(task).toMatchObject({
      max_retries: 3,
      timeout: "600s",
      execution_environment: "EXECUTION_ENVIRONMENT_GEN2",
    });
    expect(container.resources).toEqual({ limits: { cpu: "1", memory: "512Mi" } });
    expect(container.image).toBe(IMAGE);
  });

  test("no GPU, volumes, probe, ports, command or args unless asked", () => {
    expect(task).not.toHaveProperty("node_selector");
    expect(task).not.toHaveProperty("gpu_zonal_redundancy_disabled");
    expect(task).not.toHaveProperty("volumes");
    for (const key of ["ports", "startup_probe", "volume_mounts", "command", "args", "env"]) {
      expect(container).not.toHaveProperty(key);
    }
  });

  test("runs as its own account NAME-job, which may write logs and metrics and nothing else", () => {
    const sa = entry(out, "google_service_account", "train_service-account_");
    expect(sa.value.account_id).toBe("train-job");
    expect(task.service_account).toBe(`\${${sa.ref}.email}`);
    const grants = Object.values(resources(out, "google_project_iam_member"));
    expect(grants.map((g) => g.role).sort()).toEqual(["roles/logging.logWriter", "roles/monitoring.metricWriter"]);
    for (const g of grants) expect(g.member).toBe(`\${${sa.ref}.member}`);
    expect(Object.keys(out.resource).sort()).toEqual([
      "google_cloud_run_v2_job",
      "google_project_iam_member",
      "google_service_account",
    ]);
  });

  test("the props are written as given: tasks, parallelism, retries, timeout, command, args", () => {
    const j = jobOf(
      synthJob({
        taskCount: 50,
        parallelism: 5,
        maxRetries: 0,
        timeoutSeconds: 7200,
        command: ["python", "-m", "train"],
        args: ["--epochs", "3"],
        deletionProtection: false,
      }),
    );
    expect(j.deletion_protection).toBe(false);
    expect(j.template).toMatchObject({ task_count: 50, parallelism: 5 });
    expect(j.template.template).toMatchObject({ max_retries: 0, timeout: "7200s" });
    expect(j.template.template.containers[0]).toMatchObject({
      command: ["python", "-m", "train"],
      args: ["--epochs", "3"],
    });
  });

  test("parallelism defaults to the task count; 0 is written as 0", () => {
    expect(jobOf(synthJob({ taskCount: 50 })).template.parallelism).toBe(50);
    expect(jobOf(synthJob({ taskCount: 50, parallelism: 0 })).template.parallelism).toBe(0);
  });

  test("an existing account: no account or project roles are created", () => {
    const o = synthJob({ serviceAccountEmail: "trainer@acme-ml-dev.iam.gserviceaccount.com" });
    expect(resources(o, "google_service_account")).toEqual({});
    expect(resources(o, "google_project_iam_member")).toEqual({});
    expect(jobOf(o).template.template.service_account).toBe("trainer@acme-ml-dev.iam.gserviceaccount.com");
  });
});

describe("CloudRunJob JSON: GPU and startup probe", () => {
  test("a GPU job writes the node selector, the GPU limit and zonal redundancy off by default", () => {
    const task = jobOf(synthJob(L4)).template.template;
    expect(task.node_selector).toEqual({ accelerator: "nvidia-l4" });
    expect(task.containers[0].resources.limits).toEqual({ cpu: "4", memory: "16Gi", "nvidia.com/gpu": "1" });
    expect(task.gpu_zonal_redundancy_disabled).toBe(true);
  });

  test("zonalRedundancy: true on a job writes gpu_zonal_redundancy_disabled false", () => {
    const task = jobOf(synthJob({ ...L4, gpu: { type: "nvidia-l4", zonalRedundancy: true } })).template.template;
    expect(task.gpu_zonal_redundancy_disabled).toBe(false);
  });

  test("unlike a job, a GPU service keeps zonal redundancy by default, and drops it when asked", () => {
    const svcOf = (props: Partial<CloudRunServiceProps>) =>
      only(
        synth((s) => new CloudRunService(s, "predict", { ...serviceBase, ...props })),
        "google_cloud_run_v2_service",
      );
    const on = svcOf(L4_SERVICE);
    expect(on.template.gpu_zonal_redundancy_disabled).toBe(false);
    expect(on.template.node_selector).toEqual({ accelerator: "nvidia-l4" });
    expect(on.template.containers[0].resources).toMatchObject({
      limits: { cpu: "4", memory: "16Gi", "nvidia.com/gpu": "1" },
      cpu_idle: false,
    });
    const off = svcOf({ ...L4_SERVICE, gpu: { type: "nvidia-l4", zonalRedundancy: false } });
    expect(off.template.gpu_zonal_redundancy_disabled).toBe(true);
  });

  test("a startup probe on a job writes the container port, and the probe calls it", () => {
    const container = jobOf(synthJob({ startupProbe: { path: "/ready", failureThreshold: 30 } })).template.template
      .containers[0];
    expect(container.ports).toEqual([{ container_port: 8080 }]);
    expect(container.startup_probe).toEqual({
      initial_delay_seconds: 0,
      period_seconds: 10,
      timeout_seconds: 1,
      failure_threshold: 30,
      http_get: { path: "/ready", port: 8080 },
    });
    const custom = jobOf(synthJob({ containerPort: 9000, startupProbe: { path: "/ready" } })).template.template
      .containers[0];
    expect(custom.ports).toEqual([{ container_port: 9000 }]);
    expect(custom.startup_probe.http_get).toEqual({ path: "/ready", port: 9000 });
  });
});

describe("CloudRunJob JSON: schedule", () => {
  const out = synthJob({ schedule: { cron: "0 3 * * 1" } });
  const job = entry(out, "google_cloud_run_v2_job", "train_job_");
  const runtime = entry(out, "google_service_account", "train_service-account_");
  const account = entry(out, "google_service_account", "train_scheduler-account_");
  const invoker = entry(out, "google_cloud_run_v2_job_iam_member", "train_scheduler-invoker_");
  const scheduler = only(out, "google_cloud_scheduler_job");

  test("Cloud Scheduler gets its own account, NAME-sched", () => {
    expect(account.value.account_id).toBe("train-sched");
    expect(account.value.project).toBe(PROJECT);
    expect(scheduler.http_target.oauth_token).toEqual({
      service_account_email: `\${${account.ref}.email}`,
      scope: "https://www.googleapis.com/auth/cloud-platform",
    });
  });

  test("its invoker grant is a job-level IAM member on this job, and the scheduler job waits for it", () => {
    expect(invoker.value).toEqual({
      project: PROJECT,
      location: "europe-west1",
      name: `\${${job.ref}.name}`,
      role: "roles/run.invoker",
      member: `\${${account.ref}.member}`,
    });
    expect(scheduler.depends_on).toContain(invoker.ref);
    // The scheduler account has no project role.
    for (const g of Object.values(resources(out, "google_project_iam_member"))) {
      expect(g.member).toBe(`\${${runtime.ref}.member}`);
    }
  });

  test("defaults written: Etc/UTC, no retries, 180 s deadline, not paused; the v2 :run URI", () => {
    expect(scheduler).toMatchObject({
      name: "train-schedule",
      region: "europe-west1",
      project: PROJECT,
      schedule: "0 3 * * 1",
      time_zone: "Etc/UTC",
      paused: false,
      attempt_deadline: "180s",
      retry_config: { retry_count: 0 },
    });
    expect(scheduler.http_target.http_method).toBe("POST");
    expect(scheduler.http_target.uri).toBe(
      `https://run.googleapis.com/v2/projects/${PROJECT}/locations/europe-west1/jobs/\${${job.ref}.name}:run`,
    );
  });

  test("time zone, retries and paused are written as given", () => {
    const s = only(
      synthJob({ schedule: { cron: "30 2 * * MON-FRI", timeZone: "Europe/Amsterdam", retryCount: 2, paused: true } }),
      "google_cloud_scheduler_job",
    );
    expect(s).toMatchObject({
      schedule: "30 2 * * MON-FRI",
      time_zone: "Europe/Amsterdam",
      retry_config: { retry_count: 2 },
      paused: true,
    });
  });

  test("without a project prop, the URI takes the job's project", () => {
    const o = synthJob({ project: undefined, schedule: { cron: "0 3 * * 1" } });
    const j = entry(o, "google_cloud_run_v2_job", "train_job_");
    expect(only(o, "google_cloud_scheduler_job").http_target.uri).toBe(
      `https://run.googleapis.com/v2/projects/\${${j.ref}.project}/locations/europe-west1/jobs/\${${j.ref}.name}:run`,
    );
  });

  test("with schedule.serviceAccountEmail no scheduler account is created; that account is the invoker", () => {
    const email = "train-scheduler@acme-ml-dev.iam.gserviceaccount.com";
    const o = synthJob({ schedule: { cron: "0 3 * * 1", serviceAccountEmail: email } });
    const accounts = Object.keys(resources(o, "google_service_account"));
    expect(accounts).toHaveLength(1);
    expect(accounts[0]).toMatch(/^train_service-account_/);
    expect(entry(o, "google_cloud_run_v2_job_iam_member", "train_scheduler-invoker_").value.member).toBe(
      `serviceAccount:${email}`,
    );
    const s = only(o, "google_cloud_scheduler_job");
    expect(s.http_target.oauth_token.service_account_email).toBe(email);
  });

  test("no resource anywhere grants roles/run.invoker to the job's runtime account", () => {
    const email = "trainer@acme-ml-dev.iam.gserviceaccount.com";
    const created = synthJob({ schedule: { cron: "0 3 * * 1" }, runners: ["group:ml@acme.example"] }, (j) =>
      j.grantRunner("user:ops@acme.example"),
    );
    const given = synthJob({
      serviceAccountEmail: email,
      schedule: { cron: "0 3 * * 1" },
      runners: ["group:ml@acme.example"],
    });
    const cases: [Synth, string, number][] = [
      // The scheduler, the runners prop and grantRunner: three invoker grants.
      [created, `\${${entry(created, "google_service_account", "train_service-account_").ref}.member}`, 3],
      // The scheduler and the runners prop.
      [given, `serviceAccount:${email}`, 2],
    ];
    for (const [o, runtimeMember, count] of cases) {
      const invokers = allResources(o).filter(([, , r]) => r.role === "roles/run.invoker");
      expect(invokers).toHaveLength(count);
      // No run.* role at all for the runtime account, on any resource.
      const toRuntime = allResources(o)
        .filter(([, , r]) => typeof r.role === "string" && r.role.startsWith("roles/run."))
        .filter(([, , r]) => r.member === runtimeMember)
        .map(([type, id, r]) => `${type}.${id}: ${r.role}`);
      expect(toRuntime).toEqual([]);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// grantRunner
// ---------------------------------------------------------------------------------------------

describe("CloudRunJob.grantRunner", () => {
  test("two job-level, additive grants: run.invoker and run.viewer on this job", () => {
    const out = synthJob({}, (j) => j.grantRunner("group:ml@acme.example"));
    const job = entry(out, "google_cloud_run_v2_job", "train_job_");
    const grants = Object.values(resources(out, "google_cloud_run_v2_job_iam_member"));
    expect(grants.map((g) => g.role).sort()).toEqual(["roles/run.invoker", "roles/run.viewer"]);
    for (const g of grants) {
      expect(g).toEqual({
        project: PROJECT,
        location: "europe-west1",
        name: `\${${job.ref}.name}`,
        role: g.role,
        member: "group:ml@acme.example",
      });
    }
    // Additive members only: nothing authoritative on the job or the project.
    const types = Object.keys(out.resource);
    expect(types.filter((t) => /_iam_(binding|policy)$/.test(t))).toEqual([]);
    expect(Object.values(resources(out, "google_project_iam_member")).map((g) => g.role)).not.toContain(
      "roles/run.invoker",
    );
  });

  test("the same member twice returns the same grants and adds no resource", () => {
    let first: ReturnType<CloudRunJob["grantRunner"]> | undefined;
    let second: ReturnType<CloudRunJob["grantRunner"]> | undefined;
    const out = synthJob({ runners: ["group:ml@acme.example"] }, (j) => {
      first = j.grantRunner("user:ops@acme.example");
      second = j.grantRunner("user:ops@acme.example");
      // A member of the runners prop granted again: still two grants for it (4 in all, below).
      j.grantRunner("group:ml@acme.example");
    });
    expect(second?.resources).toEqual(first?.resources);
    expect(first?.resources).toHaveLength(2);
    expect(first?.resources[0]).not.toBe(first?.resources[1]);
    expect(first?.roles).toEqual(["roles/run.invoker", "roles/run.viewer"]);
    expect(Object.keys(resources(out, "google_cloud_run_v2_job_iam_member"))).toHaveLength(4);
  });

  test("the same id (or member) again with other grants is refused, not silently dropped", () => {
    const job = newJob();
    job.grantRunner("user:ops@acme.example");
    refused(
      () => job.grantRunner("user:ops@acme.example", { overrides: true }),
      `${JOB_SUBJECT}.grantRunner()`,
      "options.overrides",
      true,
      /conflicts with an earlier grant under the same id \(roles\/run.invoker to user:ops@acme.example\)/,
    );
    job.grantRunner("group:ci@acme.example", { id: "ci", overrides: true });
    refused(
      () => job.grantRunner("group:other@acme.example", { id: "ci", overrides: true }),
      `${JOB_SUBJECT}.grantRunner()`,
      "options.id",
      "ci",
      /conflicts with an earlier grant under the same id \(roles\/run.jobsExecutorWithOverrides to group:ci@acme.example\)/,
    );
    expect(job.grantRunner("group:ci@acme.example", { id: "ci", overrides: true }).roles).toEqual([
      "roles/run.jobsExecutorWithOverrides",
      "roles/run.viewer",
    ]);
  });

  test('"allUsers" and "allAuthenticatedUsers" are refused with a ValidationError', () => {
    const job = newJob();
    for (const m of ["allUsers", "allAuthenticatedUsers"]) {
      refused(
        () => job.grantRunner(m),
        `${JOB_SUBJECT}.grantRunner()`,
        "member",
        m,
        /anyone on the internet start executions/,
      );
    }
    refused(
      () => job.grantRunner("ml@acme.example"),
      `${JOB_SUBJECT}.grantRunner()`,
      "member",
      "ml@acme.example",
      /IAM principal/,
    );
    expect(job.node.children.filter((c) => c.node.id.startsWith("runner"))).toEqual([]);
  });

  test("options.id names the grants runner-ID and runner-viewer-ID", () => {
    let ids: string[] = [];
    const out = synthJob({}, (j) => {
      const g = j.grantRunner("serviceAccount:runner@acme-ml-dev.iam.gserviceaccount.com", { id: "pipeline" });
      ids = g.resources.map((r) => r.node.id);
    });
    expect(ids).toEqual(["runner-pipeline", "runner-viewer-pipeline"]);
    const keys = Object.keys(resources(out, "google_cloud_run_v2_job_iam_member")).sort();
    expect(keys).toHaveLength(2);
    expect(keys[0]).toMatch(/^train_runner-pipeline_[0-9A-F]{8}$/);
    expect(keys[1]).toMatch(/^train_runner-viewer-pipeline_[0-9A-F]{8}$/);
  });

  test("a bad options.id is refused", () => {
    const job = newJob();
    for (const id of ["Pipeline", "1ci", "", "ci_pipeline", "a".repeat(64)]) {
      refused(
        () => job.grantRunner("group:ml@acme.example", { id }),
        `${JOB_SUBJECT}.grantRunner()`,
        "options.id",
        id,
        /1-63 lowercase letters, digits and hyphens, starting with a letter/,
      );
    }
    expect(() => job.grantRunner("group:ml@acme.example", { id: "a".repeat(63) })).not.toThrow();
  });
});

// ---------------------------------------------------------------------------------------------
// VPC egress and a customer-managed key (the props a job shares with a service)
// ---------------------------------------------------------------------------------------------

const KEY = "projects/acme-kms/locations/europe-west1/keyRings/ml/cryptoKeys/train";
/** The IAM member of the project's Cloud Run service agent, which uses the key. */
const runAgent = (number: string) => `serviceAccount:service-${number}@serverless-robot-prod.iam.gserviceaccount.com`;
const KEY_ROLE = "roles/cloudkms.cryptoKeyEncrypterDecrypter";

describe("CloudRunJob JSON: VPC egress", () => {
  test("direct egress: network, subnetwork and tags in template.template.vpc_access, private ranges only by default", () => {
    const job = jobOf(
      synthJob({ vpcAccess: { network: "ml-vpc", subnetwork: "train-europe-west1", tags: ["train", "gpu"] } }),
    );
    expect(job.template.template.vpc_access).toEqual({
      network_interfaces: [{ network: "ml-vpc", subnetwork: "train-europe-west1", tags: ["train", "gpu"] }],
      egress: "PRIVATE_RANGES_ONLY",
    });
    // On the task template only: not on the job, not on the execution template.
    expect(job).not.toHaveProperty("vpc_access");
    expect(job.template).not.toHaveProperty("vpc_access");
  });

  test('egress "all-traffic" is written ALL_TRAFFIC; no tags, none written; full paths written as given', () => {
    const vpc = jobOf(
      synthJob({
        vpcAccess: {
          network: "projects/acme-net-host/global/networks/shared",
          subnetwork: "projects/acme-net-host/regions/europe-west1/subnetworks/train",
          egress: "all-traffic",
        },
      }),
    ).template.template.vpc_access;
    expect(vpc).toEqual({
      network_interfaces: [
        {
          network: "projects/acme-net-host/global/networks/shared",
          subnetwork: "projects/acme-net-host/regions/europe-west1/subnetworks/train",
        },
      ],
      egress: "ALL_TRAFFIC",
    });
    expect(vpc.network_interfaces[0]).not.toHaveProperty("tags");
  });

  test("through a connector: the connector and the egress, private ranges only by default", () => {
    const task = (egress?: "all-traffic" | "private-ranges-only") =>
      jobOf(synthJob({ vpcAccess: { connector: "train-connector", egress } })).template.template;
    expect(task().vpc_access).toEqual({ connector: "train-connector", egress: "PRIVATE_RANGES_ONLY" });
    expect(task("all-traffic").vpc_access).toEqual({ connector: "train-connector", egress: "ALL_TRAFFIC" });
    expect(task("private-ranges-only").vpc_access).toEqual({
      connector: "train-connector",
      egress: "PRIVATE_RANGES_ONLY",
    });
    expect(task().vpc_access).not.toHaveProperty("network_interfaces");
  });

  test("without vpcAccess or encryptionKey neither is written, and there is no key grant or project lookup", () => {
    const out = synthJob();
    const task = jobOf(out).template.template;
    expect(task).not.toHaveProperty("vpc_access");
    expect(task).not.toHaveProperty("encryption_key");
    expect(resources(out, "google_kms_crypto_key_iam_member")).toEqual({});
    expect(out.data?.google_project).toBeUndefined();
  });
});

describe("CloudRunJob validation: VPC egress and key", () => {
  const direct = { network: "ml-vpc", subnetwork: "train-europe-west1" };

  test("direct egress and a connector at once are refused at vpcAccess.connector", () => {
    jobFails(
      { vpcAccess: { ...direct, connector: "train-connector" } as never },
      "vpcAccess.connector",
      "train-connector",
      /must not be set together with network and subnetwork: direct VPC egress and a connector cannot be combined/,
    );
    // Tags are direct egress too.
    jobFails(
      { vpcAccess: { connector: "train-connector", tags: ["train"] } as never },
      "vpcAccess.connector",
      "train-connector",
      /must not be set together with network and subnetwork/,
    );
  });

  test("neither direct egress nor a connector is refused at vpcAccess; direct egress needs both names", () => {
    jobFails(
      { vpcAccess: { egress: "all-traffic" } as never },
      "vpcAccess",
      { egress: "all-traffic" },
      /must have network and subnetwork \(direct egress\) or connector/,
    );
    jobFails({ vpcAccess: {} as never }, "vpcAccess", {}, /must have network and subnetwork/);
    jobFails(
      { vpcAccess: { network: "ml-vpc" } as never },
      "vpcAccess.subnetwork",
      undefined,
      /is required with network/,
    );
    jobFails(
      { vpcAccess: { subnetwork: "train-europe-west1" } as never },
      "vpcAccess.network",
      undefined,
      /is required with subnetwork/,
    );
    jobPasses({ vpcAccess: direct });
    jobPasses({ vpcAccess: { connector: "train-connector" } });
  });

  test("names are checked: network, subnetwork, connector (up to 25 characters), tags and egress", () => {
    jobFails({ vpcAccess: { ...direct, network: "ML_VPC" } }, "vpcAccess.network", "ML_VPC", /must be a network name/);
    jobFails(
      { vpcAccess: { ...direct, subnetwork: "projects/acme-net-host/regions/europe-west1/subnets/train" } },
      "vpcAccess.subnetwork",
      "projects/acme-net-host/regions/europe-west1/subnets/train",
      /must be a subnetwork name, or projects\/PROJECT\/regions\/REGION\/subnetworks\/NAME/,
    );
    jobPasses({ vpcAccess: { connector: "c".repeat(25) } });
    jobFails(
      { vpcAccess: { connector: "c".repeat(26) } },
      "vpcAccess.connector",
      "c".repeat(26),
      /must be a connector name \(up to 25 characters\)/,
    );
    jobPasses({ vpcAccess: { connector: "projects/acme-net-host/locations/europe-west1/connectors/train" } });
    jobPasses({ vpcAccess: { ...direct, tags: ["train", "a".repeat(63)] } });
    jobFails({ vpcAccess: { ...direct, tags: ["9lives"] } }, "vpcAccess.tags[0]", "9lives", /must be a network tag/);
    jobFails({ vpcAccess: { ...direct, tags: ["ok", "a".repeat(64)] } }, "vpcAccess.tags[1]", "a".repeat(64), /1-63/);
    jobFails(
      { vpcAccess: { ...direct, egress: "all" as never } },
      "vpcAccess.egress",
      "all",
      /must be "all-traffic" or "private-ranges-only"/,
    );
  });

  test("a malformed key id is refused at encryptionKey", () => {
    jobPasses({ encryptionKey: KEY });
    jobFails(
      { encryptionKey: "train-key" },
      "encryptionKey",
      "train-key",
      /must be a key id: projects\/PROJECT\/locations\/LOCATION\/keyRings\/RING\/cryptoKeys\/KEY/,
    );
    // Without its location, as an Artifact Registry key name is sometimes copied.
    jobFails(
      { encryptionKey: "projects/acme-kms/keyRings/ml/cryptoKeys/train" },
      "encryptionKey",
      "projects/acme-kms/keyRings/ml/cryptoKeys/train",
      /must be a key id/,
    );
  });
});

describe("CloudRunJob JSON: a customer-managed key", () => {
  test("the key is written to template.template.encryption_key; with projectNumber, the agent is named by it", () => {
    const out = synthJob({ encryptionKey: KEY, projectNumber: "123456789012" });
    const job = jobOf(out);
    expect(job.template.template.encryption_key).toBe(KEY);
    expect(job.template).not.toHaveProperty("encryption_key");
    const grant = entry(out, "google_kms_crypto_key_iam_member", "train_encryption-key-user_");
    expect(grant.id).toMatch(/^train_encryption-key-user_[0-9A-F]{8}$/);
    expect(grant.value).toEqual({ crypto_key_id: KEY, role: KEY_ROLE, member: runAgent("123456789012") });
    expect(Object.keys(resources(out, "google_kms_crypto_key_iam_member"))).toHaveLength(1);
    expect(out.data?.google_project).toBeUndefined();
    // The job waits for the grant: an execution cannot start before the agent may use the key.
    expect(job.depends_on).toEqual([grant.ref]);
  });

  test("without projectNumber, a google_project data source of the job's project names the agent", () => {
    const out = synthJob({ encryptionKey: KEY });
    const projects = Object.entries<Record<string, unknown>>(out.data?.google_project ?? {});
    expect(projects).toHaveLength(1);
    const [dataId, data] = projects[0];
    expect(dataId).toMatch(/^train_project_[0-9A-F]{8}$/);
    expect(data).toEqual({ project_id: PROJECT });
    const grant = entry(out, "google_kms_crypto_key_iam_member", "train_encryption-key-user_");
    expect(grant.value).toEqual({
      crypto_key_id: KEY,
      role: KEY_ROLE,
      member: runAgent(`\${data.google_project.${dataId}.number}`),
    });
    expect(jobOf(out).depends_on).toContain(grant.ref);
    // Without a project prop, the data source reads the provider's project.
    const noProject = synthJob({ project: undefined, encryptionKey: KEY });
    expect(Object.values<Record<string, unknown>>(noProject.data.google_project)).toEqual([{}]);
  });

  test("the grant is the Cloud Run service agent's, never the job's runtime account's", () => {
    for (const props of [{}, { serviceAccountEmail: "trainer@acme-ml-dev.iam.gserviceaccount.com" }]) {
      const out = synthJob({ ...props, encryptionKey: KEY, projectNumber: "123456789012" });
      const grants = Object.values(resources(out, "google_kms_crypto_key_iam_member"));
      expect(grants.map((g) => g.member)).toEqual([runAgent("123456789012")]);
    }
  });

  test("grantKeyAccess: false writes the key and leaves its grant to whoever made the key", () => {
    const out = synthJob({ encryptionKey: KEY, grantKeyAccess: false });
    expect(jobOf(out).template.template.encryption_key).toBe(KEY);
    expect(resources(out, "google_kms_crypto_key_iam_member")).toEqual({});
    expect(out.data?.google_project).toBeUndefined();
    expect(jobOf(out)).not.toHaveProperty("depends_on");
  });

  test("the grant waits for dependsOn (the API whose enabling creates the agent); the job for both", () => {
    const out = synth((s) => {
      const apis = new ProjectServices(s, "apis", { services: ["run.googleapis.com", "cloudkms.googleapis.com"] });
      new CloudRunJob(s, "train", { ...jobBase, encryptionKey: KEY, projectNumber: "123456789012", dependsOn: [apis] });
    });
    const apis = Object.keys(resources(out, "google_project_service")).map((id) => `google_project_service.${id}`);
    expect(apis).toHaveLength(2);
    const grant = entry(out, "google_kms_crypto_key_iam_member", "train_encryption-key-user_");
    expect(grant.value.depends_on).toEqual(expect.arrayContaining(apis));
    expect(jobOf(out).depends_on).toEqual(expect.arrayContaining([...apis, grant.ref]));
  });

  test("with a key and a schedule, VPC egress and a GPU, the job still writes everything", () => {
    const job = jobOf(
      synthJob({
        ...L4,
        encryptionKey: KEY,
        projectNumber: "123456789012",
        vpcAccess: { connector: "train-connector" },
        schedule: { cron: "0 3 * * 1" },
      }),
    );
    expect(job.template.template).toMatchObject({
      encryption_key: KEY,
      vpc_access: { connector: "train-connector", egress: "PRIVATE_RANGES_ONLY" },
      node_selector: { accelerator: "nvidia-l4" },
    });
  });
});
