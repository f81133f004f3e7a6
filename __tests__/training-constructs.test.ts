/**
 * The training side of the library: CloudRunJob (tasks, retries, timeouts, GPUs, volumes, a
 * schedule and its own accounts), ModelBucket, the GPU and volume support CloudRunService shares
 * with it (lib/constructs/workload.ts), and the account ids each workload derives from its name.
 * Every limit is tested on both sides of its boundary; synthesized JSON is read as Terraform
 * would read it.
 */
import { createHash } from "crypto";
import fc from "fast-check";
import {
  CloudRunJob,
  CloudRunJobProps,
  CloudRunService,
  CloudRunServiceProps,
  ModelBucket,
  ModelBucketProps,
  Grant,
  ValidationError,
  jobServiceAccountId,
  runtimeServiceAccountId,
  schedulerServiceAccountId,
} from "../lib";
import { accountIdFor, serviceAccountId as serviceAccountIdConstraint } from "../lib/gcp/iam";
import { GPUS, mountPath } from "../lib/gcp/run";
import { cron, retryCount, timeZone } from "../lib/gcp/scheduler";
import { StorageBucketIamMember } from "../lib/providers";
import { IMAGE, Json, Synth, newStack, only, resources, synth } from "./helpers";

// ---------------------------------------------------------------------------------------------
// Builders and assertions
// ---------------------------------------------------------------------------------------------

const PROJECT = "acme-ml-dev";
const jobBase: CloudRunJobProps = { project: PROJECT, location: "europe-west1", name: "train", image: IMAGE };
const serviceBase: CloudRunServiceProps = { project: PROJECT, location: "europe-west1", name: "predict", image: IMAGE };
const bucketBase: ModelBucketProps = { project: PROJECT, name: "acme-models", location: "europe-west1" };

/** What an L4 needs beside it, for a job (a service also needs cpuIdle: false). */
const L4 = { gpu: { type: "nvidia-l4" as const }, cpu: "4", memory: "16Gi" };
const L4_SERVICE = { ...L4, cpuIdle: false };

const JOB_SUBJECT = 'CloudRunJob "test/train"';
const SERVICE_SUBJECT = 'CloudRunService "test/predict"';
const BUCKET_SUBJECT = 'ModelBucket "test/models"';

const newJob = (props: Partial<CloudRunJobProps> = {}) =>
  new CloudRunJob(newStack(), "train", { ...jobBase, ...props } as CloudRunJobProps);
const newService = (props: Partial<CloudRunServiceProps> = {}) =>
  new CloudRunService(newStack(), "predict", { ...serviceBase, ...props } as CloudRunServiceProps);
const newBucket = (props: Partial<ModelBucketProps> = {}) =>
  new ModelBucket(newStack(), "models", { ...bucketBase, ...props } as ModelBucketProps);

/** The ValidationError `fn` throws; fails when it throws nothing or something else. */
function validationErrorOf(fn: () => unknown): ValidationError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ValidationError) return e;
    throw new Error(`expected a ValidationError, got ${String(e)}`);
  }
  throw new Error("expected a ValidationError, none was thrown");
}

/** A value as the error message shows it (strings quoted, objects as JSON). */
const shown = (value: unknown): string => (value === undefined ? "undefined" : JSON.stringify(value));

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * `fn` throws one ValidationError for `subject` whose message has a line naming `path` and the
 * value received, and saying `rule`. Returns the error for further checks.
 */
function refused(fn: () => unknown, subject: string, path: string, value: unknown, rule: RegExp): ValidationError {
  const err = validationErrorOf(fn);
  expect(err.message).toMatch(new RegExp(`^${escapeRegExp(subject)} has \\d+ invalid props?:\n`));
  const prefix = `  - ${path}: got ${shown(value)}; `;
  const lines = err.message.split("\n").filter((l) => l.startsWith(prefix));
  expect(lines).toEqual(expect.arrayContaining([expect.stringMatching(rule)]));
  expect(err.problems).toEqual(expect.arrayContaining([expect.objectContaining({ path, value })]));
  return err;
}

const jobPasses = (props: Partial<CloudRunJobProps>) => expect(() => newJob(props)).not.toThrow();
const jobFails = (props: Partial<CloudRunJobProps>, path: string, value: unknown, rule: RegExp) =>
  refused(() => newJob(props), JOB_SUBJECT, path, value, rule);
const servicePasses = (props: Partial<CloudRunServiceProps>) => expect(() => newService(props)).not.toThrow();
const serviceFails = (props: Partial<CloudRunServiceProps>, path: string, value: unknown, rule: RegExp) =>
  refused(() => newService(props), SERVICE_SUBJECT, path, value, rule);
const bucketPasses = (props: Partial<ModelBucketProps>) => expect(() => newBucket(props)).not.toThrow();
const bucketFails = (props: Partial<ModelBucketProps>, path: string, value: unknown, rule: RegExp) =>
  refused(() => newBucket(props), BUCKET_SUBJECT, path, value, rule);

/** The one resource of `type` whose logical id starts with `idPrefix`, with its logical id. */
function entry(out: Synth, type: string, idPrefix: string): { id: string; ref: string; value: Json } {
  const found = Object.entries(resources(out, type)).filter(([id]) => id.startsWith(idPrefix));
  if (found.length !== 1) throw new Error(`expected one ${type} ${idPrefix}…, found ${found.length}`);
  const [id, value] = found[0];
  return { id, ref: `${type}.${id}`, value };
}

/** Every resource of the stack, of any type, as [type, logical id, config]. */
function allResources(out: Synth): [string, string, Json][] {
  return Object.entries(out.resource).flatMap(([type, byId]) =>
    Object.entries(byId).map(([id, value]) => [type, id, value] as [string, string, Json]),
  );
}

const sha8 = (text: string): string => createHash("sha256").update(text).digest("hex").slice(0, 8);

/** A valid service account id: what the google provider accepts (RFC 1035, 6-30 characters). */
const isValidAccountId = (id: string): boolean =>
  id.length >= 6 && id.length <= 30 && /^[a-z]([-a-z0-9]*[a-z0-9])$/.test(id);

// ---------------------------------------------------------------------------------------------
// CloudRunJob: validation
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
// GPUs (lib/constructs/workload.ts checkGpu), for jobs and services
// ---------------------------------------------------------------------------------------------

describe("GPU checks", () => {
  test('an L4 needs 4 CPU and 16Gi: "4"/"16Gi" pass, cpu "2" and memory "8Gi" fail naming the minimum', () => {
    jobPasses(L4);
    servicePasses(L4_SERVICE);
    jobFails({ ...L4, cpu: "2", memory: "8Gi" }, "cpu", "2", /an nvidia-l4 GPU needs at least 4 CPU beside it/);
    jobFails({ ...L4, memory: "8Gi" }, "memory", "8Gi", /an nvidia-l4 GPU needs at least 16Gi of memory/);
    // One MiB short of 16Gi.
    jobFails({ ...L4, memory: "16383Mi" }, "memory", "16383Mi", /needs at least 16Gi/);
    serviceFails({ ...L4_SERVICE, cpu: "2", memory: "8Gi" }, "cpu", "2", /needs at least 4 CPU/);
    serviceFails({ ...L4_SERVICE, memory: "8Gi" }, "memory", "8Gi", /needs at least 16Gi/);
    // The defaults (1 CPU, 512Mi) are not enough: both are reported.
    const err = jobFails({ gpu: { type: "nvidia-l4" } }, "cpu", "1", /needs at least 4 CPU/);
    expect(err.problems.map((p) => p.path)).toEqual(expect.arrayContaining(["cpu", "memory"]));
  });

  test("every region of the job list passes for a job; us-east4 (service list only) fails at location", () => {
    for (const location of GPUS["nvidia-l4"].regions.job) jobPasses({ ...L4, location });
    expect(GPUS["nvidia-l4"].regions.service).toContain("us-east4");
    expect(GPUS["nvidia-l4"].regions.job).not.toContain("us-east4");
    jobFails(
      { ...L4, location: "us-east4" },
      "location",
      "us-east4",
      /nvidia-l4 GPUs for Cloud Run jobs are offered in .* only/,
    );
    jobFails({ ...L4, location: "europe-west2" }, "location", "europe-west2", /GPUs for Cloud Run jobs/);
    // Without a GPU, any region.
    jobPasses({ location: "europe-west2" });
  });

  test("every region of the service list passes for a service; europe-west2 fails", () => {
    for (const location of GPUS["nvidia-l4"].regions.service) servicePasses({ ...L4_SERVICE, location });
    serviceFails(
      { ...L4_SERVICE, location: "europe-west2" },
      "location",
      "europe-west2",
      /nvidia-l4 GPUs for Cloud Run services are offered in .* only/,
    );
  });

  test("a GPU service in gen1 fails at executionEnvironment", () => {
    serviceFails({ ...L4_SERVICE, executionEnvironment: "gen1" }, "executionEnvironment", "gen1", /a GPU needs "gen2"/);
    servicePasses({ ...L4_SERVICE, executionEnvironment: "gen2" });
  });

  test("a GPU service needs cpuIdle: false; true or unset fails at cpuIdle", () => {
    serviceFails({ ...L4, cpuIdle: true }, "cpuIdle", true, /a service with a GPU needs cpuIdle: false/);
    serviceFails({ ...L4 }, "cpuIdle", true, /needs cpuIdle: false/); // the default, named
    servicePasses({ ...L4, cpuIdle: false });
  });

  test("gpu.count: 1 passes, 2 fails", () => {
    jobPasses({ ...L4, gpu: { type: "nvidia-l4", count: 1 } });
    jobFails({ ...L4, gpu: { type: "nvidia-l4", count: 2 } }, "gpu.count", 2, /must be 1/);
    serviceFails({ ...L4_SERVICE, gpu: { type: "nvidia-l4", count: 2 } }, "gpu.count", 2, /must be 1/);
  });

  test("an unknown GPU type fails at gpu.type", () => {
    jobFails({ ...L4, gpu: { type: "nvidia-a100" as never } }, "gpu.type", "nvidia-a100", /must be one of "nvidia-l4"/);
    serviceFails(
      { ...L4_SERVICE, gpu: { type: "nvidia-rtx-pro-6000" as never } },
      "gpu.type",
      "nvidia-rtx-pro-6000",
      /must be one of "nvidia-l4"/,
    );
  });

  test("every GPU problem is reported at once", () => {
    const err = validationErrorOf(() =>
      newService({ gpu: { type: "nvidia-l4", count: 2 }, location: "europe-west2", executionEnvironment: "gen1" }),
    );
    expect(err.problems.map((p) => p.path)).toEqual(
      expect.arrayContaining(["gpu.count", "location", "executionEnvironment", "cpu", "memory", "cpuIdle"]),
    );
    expect(err.message).toMatch(/^CloudRunService "test\/predict" has [6-9] invalid props:/);
  });
});

// ---------------------------------------------------------------------------------------------
// Startup probe windows
// ---------------------------------------------------------------------------------------------

describe("startup probe window (periodSeconds × failureThreshold)", () => {
  test("service: 10 × 24 = 240 s passes, 10 × 25 = 250 s fails at startupProbe", () => {
    servicePasses({ startupProbe: { path: "/ready", periodSeconds: 10, failureThreshold: 24 } });
    serviceFails(
      { startupProbe: { path: "/ready", periodSeconds: 10, failureThreshold: 25 } },
      "startupProbe",
      { periodSeconds: 10, failureThreshold: 25 },
      /gives the container 250 s to start .* allows at most 240 s/,
    );
  });

  test("job: 600 s passes, 610 s fails", () => {
    jobPasses({ startupProbe: { path: "/ready", periodSeconds: 10, failureThreshold: 60 } });
    jobFails(
      { startupProbe: { path: "/ready", periodSeconds: 10, failureThreshold: 61 } },
      "startupProbe",
      { periodSeconds: 10, failureThreshold: 61 },
      /gives the container 610 s to start .*Cloud Run for a job allows at most 600 s/,
    );
  });

  test("job with a GPU: 1800 s passes, 1810 s fails", () => {
    jobPasses({ ...L4, startupProbe: { path: "/ready", periodSeconds: 18, failureThreshold: 100 } });
    // What a job without a GPU may not have, a GPU job may.
    jobPasses({ ...L4, startupProbe: { path: "/ready", periodSeconds: 10, failureThreshold: 61 } });
    jobFails(
      { ...L4, startupProbe: { path: "/ready", periodSeconds: 181, failureThreshold: 10 } },
      "startupProbe",
      { periodSeconds: 181, failureThreshold: 10 },
      /gives the container 1810 s to start .*a job with a GPU allows at most 1800 s/,
    );
  });

  test("the defaults count: 10 s × 3 when unset; the probe's own fields are still checked", () => {
    // periodSeconds 10 by default: 10 × 25 is over the service's 240 s.
    serviceFails(
      { startupProbe: { path: "/ready", failureThreshold: 25 } },
      "startupProbe",
      { periodSeconds: 10, failureThreshold: 25 },
      /250 s/,
    );
    jobFails({ startupProbe: { path: "ready" } }, "startupProbe.path", "ready", /starting with \//);
  });
});

// ---------------------------------------------------------------------------------------------
// Volumes
// ---------------------------------------------------------------------------------------------

describe("Cloud Storage volumes", () => {
  test("mountPath: an absolute path passes; /, /dev/x, relative and .. paths fail at volumes[i].mountPath", () => {
    jobPasses({ volumes: [{ bucket: "acme-models", mountPath: "/models" }] });
    servicePasses({ volumes: [{ bucket: "acme-models", mountPath: "/mnt/models" }] });
    const vol = (m: string) => ({ volumes: [{ bucket: "acme-models", mountPath: m }] });
    jobFails(vol("/"), "volumes[0].mountPath", "/", /must (not be \/|be an absolute path)/);
    jobFails(vol("/dev/x"), "volumes[0].mountPath", "/dev/x", /must not be \/dev or below it/);
    jobFails(vol("relative"), "volumes[0].mountPath", "relative", /must be an absolute path/);
    jobFails(vol("/a/../b"), "volumes[0].mountPath", "/a/../b", /without .*\.\. parts/);
    serviceFails(vol("/proc"), "volumes[0].mountPath", "/proc", /must not be \/proc/);
    serviceFails(vol("/sys/fs"), "volumes[0].mountPath", "/sys/fs", /must not be \/sys/);
  });

  test("the same or a nested mount path twice fails at the later volume", () => {
    const twice = (a: string, b: string) => ({
      volumes: [
        { bucket: "acme-models", mountPath: a },
        { bucket: "acme-data", mountPath: b },
      ],
    });
    jobFails(twice("/models", "/models"), "volumes[1].mountPath", "/models", /overlaps volumes\[0\]\.mountPath/);
    jobFails(twice("/models", "/models/v1"), "volumes[1].mountPath", "/models/v1", /overlaps volumes\[0\]/);
    serviceFails(twice("/models/v1", "/models"), "volumes[1].mountPath", "/models", /overlaps volumes\[0\]/);
    jobFails(twice("/models", "/models/"), "volumes[1].mountPath", "/models/", /overlaps/);
    // A shared prefix is not nesting.
    jobPasses(twice("/models", "/models-v1"));
    jobPasses(twice("/models", "/data"));
  });

  test("a bucket given by name must be a valid bucket name", () => {
    jobFails({ volumes: [{ bucket: "Models", mountPath: "/models" }] }, "volumes[0].bucket", "Models", /3-63/);
    serviceFails(
      {
        volumes: [
          { bucket: "acme-models", mountPath: "/models" },
          { bucket: "goog-data", mountPath: "/data" },
        ],
      },
      "volumes[1].bucket",
      "goog-data",
      /not start with goog/,
    );
  });

  test("a volume on a gen1 service fails at executionEnvironment", () => {
    serviceFails(
      { executionEnvironment: "gen1", volumes: [{ bucket: "acme-models", mountPath: "/models" }] },
      "executionEnvironment",
      "gen1",
      /Cloud Storage volumes need "gen2"/,
    );
    servicePasses({ executionEnvironment: "gen1" });
  });

  test("readOnly must be a boolean", () => {
    jobFails(
      { volumes: [{ bucket: "acme-models", mountPath: "/models", readOnly: "no" as never }] },
      "volumes[0].readOnly",
      "no",
      /true or false/,
    );
  });
});

describe("mountPath constraint (lib/gcp/run.ts)", () => {
  test.each(["/models", "/mnt/models", "/devices", "/processed", "/system", "/models/"])("%s is allowed", (p) =>
    expect(mountPath(p)).toBeUndefined(),
  );
  test.each(["/", "//", "/dev", "/dev/shm", "/proc", "/sys", "models", "/a b", "/a:b", "/./a", "/a/..", "//models"])(
    "%s is refused",
    (p) => expect(mountPath(p)).toEqual(expect.any(String)),
  );
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

  test("a name every JavaScript object has is an unknown GPU type or ingress, not a crash", () => {
    for (const type of ["toString", "constructor", "__proto__"]) {
      jobFails({ ...L4, gpu: { type: type as "nvidia-l4" } }, "gpu.type", type, /must be one of "nvidia-l4"/);
    }
    serviceFails({ ingress: "toString" as "all" }, "ingress", "toString", /must be one of "all"/);
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

const synthJob = (props: Partial<CloudRunJobProps> = {}, then?: (job: CloudRunJob) => void) =>
  synth((s) => {
    const job = new CloudRunJob(s, "train", { ...jobBase, ...props } as CloudRunJobProps);
    then?.(job);
  });
const jobOf = (out: Synth) => only(out, "google_cloud_run_v2_job");

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

  test("a GPU service keeps zonal redundancy by default, and drops it when asked", () => {
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
// ModelBucket
// ---------------------------------------------------------------------------------------------

describe("ModelBucket", () => {
  const synthBucket = (props: Partial<ModelBucketProps> = {}, then?: (b: ModelBucket) => void) =>
    synth((s) => {
      const b = new ModelBucket(s, "models", { ...bucketBase, ...props });
      then?.(b);
    });

  test("a private, versioned, recoverable bucket, every setting written", () => {
    const b = only(synthBucket(), "google_storage_bucket");
    expect(b).toMatchObject({
      name: "acme-models",
      location: "europe-west1",
      project: PROJECT,
      uniform_bucket_level_access: true,
      public_access_prevention: "enforced",
      versioning: { enabled: true },
      soft_delete_policy: { retention_duration_seconds: 7 * 24 * 3600 },
      force_destroy: false,
      lifecycle: { prevent_destroy: true },
    });
    expect(b.lifecycle_rule).toEqual([
      { action: { type: "Delete" }, condition: { with_state: "ARCHIVED", num_newer_versions: 5 } },
    ]);
  });

  test("noncurrentVersionsKept, softDeleteDays and preventDestroy are written as given", () => {
    const b = only(
      synthBucket({ noncurrentVersionsKept: 12, softDeleteDays: 30, preventDestroy: false }),
      "google_storage_bucket",
    );
    expect(b.lifecycle_rule[0].condition).toEqual({ with_state: "ARCHIVED", num_newer_versions: 12 });
    expect(b.soft_delete_policy.retention_duration_seconds).toBe(30 * 86400);
    expect(b.lifecycle).toEqual({ prevent_destroy: false });
    expect(b.force_destroy).toBe(false);
  });

  test("grantReader gives objectViewer, grantWriter objectUser, each returned; the same member twice is one grant", () => {
    let reader: Grant | undefined;
    let writer: Grant | undefined;
    const out = synthBucket({}, (b) => {
      reader = b.grantReader("serviceAccount:predict@acme-ml-dev.iam.gserviceaccount.com");
      expect(b.grantReader("serviceAccount:predict@acme-ml-dev.iam.gserviceaccount.com").resources).toEqual(
        reader.resources,
      );
      writer = b.grantWriter("serviceAccount:train@acme-ml-dev.iam.gserviceaccount.com");
      expect(b.grantWriter("serviceAccount:train@acme-ml-dev.iam.gserviceaccount.com").resources).toEqual(
        writer.resources,
      );
    });
    expect(reader?.roles).toEqual(["roles/storage.objectViewer"]);
    expect(writer?.roles).toEqual(["roles/storage.objectUser"]);
    expect(reader?.resources[0]).toBeInstanceOf(StorageBucketIamMember);
    expect(writer?.resources[0]).toBeInstanceOf(StorageBucketIamMember);
    const bucket = entry(out, "google_storage_bucket", "models_bucket_");
    const grants = Object.values(resources(out, "google_storage_bucket_iam_member"));
    expect(grants).toHaveLength(2);
    expect(grants).toEqual(
      expect.arrayContaining([
        {
          bucket: `\${${bucket.ref}.name}`,
          role: "roles/storage.objectViewer",
          member: "serviceAccount:predict@acme-ml-dev.iam.gserviceaccount.com",
        },
        {
          bucket: `\${${bucket.ref}.name}`,
          role: "roles/storage.objectUser",
          member: "serviceAccount:train@acme-ml-dev.iam.gserviceaccount.com",
        },
      ]),
    );
  });

  test('"allUsers" and "allAuthenticatedUsers" are refused', () => {
    const b = newBucket();
    for (const m of ["allUsers", "allAuthenticatedUsers"]) {
      refused(() => b.grantReader(m), `${BUCKET_SUBJECT}.grantReader()`, "member", m, /never public/);
      refused(() => b.grantWriter(m), `${BUCKET_SUBJECT}.grantWriter()`, "member", m, /never public/);
    }
    expect(b.node.children.map((c) => c.node.id)).toEqual(["bucket"]);
  });

  test("bucket names: bad names are refused at name", () => {
    bucketPasses({ name: "abc" });
    bucketFails({ name: "Models" }, "name", "Models", /lowercase/);
    bucketFails({ name: "goog-models" }, "name", "goog-models", /not start with goog/);
    bucketFails({ name: "my-google-models" }, "name", "my-google-models", /not contain google/);
    bucketFails({ name: "a" }, "name", "a", /3-63/);
    bucketFails({ name: "ab" }, "name", "ab", /3-63/);
  });

  test("softDeleteDays: 7 and 90 pass, 6 and 91 fail", () => {
    bucketPasses({ softDeleteDays: 7 });
    bucketPasses({ softDeleteDays: 90 });
    bucketFails({ softDeleteDays: 6 }, "softDeleteDays", 6, /from 7 to 90/);
    bucketFails({ softDeleteDays: 91 }, "softDeleteDays", 91, /from 7 to 90/);
  });

  test("noncurrentVersionsKept: 1 passes, 0 fails", () => {
    bucketPasses({ noncurrentVersionsKept: 1 });
    bucketFails({ noncurrentVersionsKept: 0 }, "noncurrentVersionsKept", 0, /from 1 to 1000/);
  });
});

// ---------------------------------------------------------------------------------------------
// Volume grants: a workload mounting a ModelBucket is granted access to it
// ---------------------------------------------------------------------------------------------

describe("volume grants", () => {
  const bucketGrants = (out: Synth) => Object.entries(resources(out, "google_storage_bucket_iam_member"));

  test("a service mounting a ModelBucket read-only: one objectViewer grant for its runtime account", () => {
    const out = synth((s) => {
      const models = new ModelBucket(s, "models", bucketBase);
      new CloudRunService(s, "predict", { ...serviceBase, volumes: [{ bucket: models, mountPath: "/models" }] });
    });
    const bucket = entry(out, "google_storage_bucket", "models_bucket_");
    const runtime = entry(out, "google_service_account", "predict_service-account_");
    const grants = bucketGrants(out);
    expect(grants).toHaveLength(1);
    const [id, grant] = grants[0];
    expect(grant).toEqual({
      bucket: `\${${bucket.ref}.name}`,
      role: "roles/storage.objectViewer",
      member: `\${${runtime.ref}.member}`,
    });
    const svc = only(out, "google_cloud_run_v2_service");
    expect(svc.depends_on).toContain(`google_storage_bucket_iam_member.${id}`);
    expect(svc.template.volumes).toEqual([
      { name: "gcs-0", gcs: { bucket: `\${${bucket.ref}.name}`, read_only: true } },
    ]);
    expect(svc.template.containers[0].volume_mounts).toEqual([{ name: "gcs-0", mount_path: "/models" }]);
  });

  test("a job mounting it read-write: objectUser, and the job waits for it", () => {
    const out = synth((s) => {
      const models = new ModelBucket(s, "models", bucketBase);
      new CloudRunJob(s, "train", { ...jobBase, volumes: [{ bucket: models, mountPath: "/models", readOnly: false }] });
    });
    const runtime = entry(out, "google_service_account", "train_service-account_");
    const grants = bucketGrants(out);
    expect(grants).toHaveLength(1);
    const [id, grant] = grants[0];
    expect(grant.role).toBe("roles/storage.objectUser");
    expect(grant.member).toBe(`\${${runtime.ref}.member}`);
    const job = jobOf(out);
    expect(job.depends_on).toContain(`google_storage_bucket_iam_member.${id}`);
    expect(job.template.template.volumes[0].gcs.read_only).toBe(false);
  });

  test.each([
    ["read-only then read-write", [true, false]],
    ["read-write then read-only", [false, true]],
  ])("the same bucket mounted twice (%s) gets the writer grant only", (_, modes) => {
    const out = synth((s) => {
      const models = new ModelBucket(s, "models", bucketBase);
      new CloudRunJob(s, "train", {
        ...jobBase,
        volumes: [
          { bucket: models, mountPath: "/models", readOnly: modes[0] },
          { bucket: models, mountPath: "/out", readOnly: modes[1] },
        ],
      });
    });
    const grants = bucketGrants(out);
    expect(grants.map(([, g]) => g.role)).toEqual(["roles/storage.objectUser"]);
  });

  test("a bucket given by name gets no grant; two ModelBuckets get one grant each", () => {
    const byName = synthJob({ volumes: [{ bucket: "acme-models", mountPath: "/models", readOnly: false }] });
    expect(bucketGrants(byName)).toEqual([]);
    expect(jobOf(byName).template.template.volumes).toEqual([
      { name: "gcs-0", gcs: { bucket: "acme-models", read_only: false } },
    ]);
    expect(jobOf(byName)).not.toHaveProperty("depends_on");

    const two = synth((s) => {
      const a = new ModelBucket(s, "models", bucketBase);
      const b = new ModelBucket(s, "data", { ...bucketBase, name: "acme-data" });
      new CloudRunService(s, "predict", {
        ...serviceBase,
        volumes: [
          { bucket: a, mountPath: "/models" },
          { bucket: b, mountPath: "/data" },
          { bucket: "acme-other", mountPath: "/other" },
        ],
      });
    });
    const grants = bucketGrants(two);
    expect(grants).toHaveLength(2);
    expect(new Set(grants.map(([, g]) => g.bucket)).size).toBe(2);
    const svc = only(two, "google_cloud_run_v2_service");
    for (const [id] of grants) expect(svc.depends_on).toContain(`google_storage_bucket_iam_member.${id}`);
  });

  test("with an existing account, the grant names that account", () => {
    const email = "predict@acme-ml-dev.iam.gserviceaccount.com";
    const out = synth((s) => {
      const models = new ModelBucket(s, "models", bucketBase);
      new CloudRunService(s, "predict", {
        ...serviceBase,
        serviceAccountEmail: email,
        volumes: [{ bucket: models, mountPath: "/models" }],
      });
    });
    expect(bucketGrants(out).map(([, g]) => g.member)).toEqual([`serviceAccount:${email}`]);
  });
});

// ---------------------------------------------------------------------------------------------
// Account ids
// ---------------------------------------------------------------------------------------------

describe("account ids", () => {
  const LONG = "model-serving-api-for-europe-west-one"; // 37 characters

  test("runtimeServiceAccountId keeps its rule: NAME-run, or 21 characters and a hash of the name", () => {
    expect(runtimeServiceAccountId("predict")).toBe("predict-run");
    expect(runtimeServiceAccountId("a")).toBe("a-runtime");
    expect(runtimeServiceAccountId(LONG)).toBe(`${LONG.slice(0, 21)}-${sha8(LONG)}`);
    expect(runtimeServiceAccountId(LONG)).toBe(accountIdFor(LONG, "run", "runtime"));
  });

  test("jobServiceAccountId and schedulerServiceAccountId: NAME-job and NAME-sched", () => {
    expect(jobServiceAccountId("train")).toBe("train-job");
    expect(schedulerServiceAccountId("train")).toBe("train-sched");
    // Under 6 characters, the longer suffix.
    expect(jobServiceAccountId("a")).toBe("a-jobrun");
    expect(schedulerServiceAccountId("a")).toBe("a-sched");
  });

  test("at 30 characters the id is kept; at 31 it is shortened with a hash", () => {
    const n26 = "a".repeat(26);
    const n27 = "a".repeat(27);
    expect(jobServiceAccountId(n26)).toBe(`${n26}-job`);
    expect(jobServiceAccountId(n27)).toBe(`${n27.slice(0, 21)}-${sha8(`${n27}-job`)}`);
    const n24 = "b".repeat(24);
    const n25 = "b".repeat(25);
    expect(schedulerServiceAccountId(n24)).toBe(`${n24}-sched`);
    expect(schedulerServiceAccountId(n25)).toBe(`${n25.slice(0, 21)}-${sha8(`${n25}-sched`)}`);
  });

  test("for a long name, the service's, job's and scheduler's ids differ, and all are valid", () => {
    const ids = [runtimeServiceAccountId(LONG), jobServiceAccountId(LONG), schedulerServiceAccountId(LONG)];
    expect(new Set(ids).size).toBe(3);
    for (const id of ids) {
      expect(isValidAccountId(id)).toBe(true);
      expect(serviceAccountIdConstraint(id)).toBeUndefined();
    }
  });

  test("a hyphen at the cut is dropped, so the id stays valid", () => {
    const name = `${"a".repeat(20)}-${"b".repeat(15)}`;
    const id = jobServiceAccountId(name);
    expect(id).toBe(`${"a".repeat(20)}-${sha8(`${name}-job`)}`);
    expect(isValidAccountId(id)).toBe(true);
  });

  test("a long-named service and job with a schedule in one stack create three distinct accounts", () => {
    const out = synth((s) => {
      new CloudRunService(s, "predict", { ...serviceBase, name: LONG });
      new CloudRunJob(s, "train", { ...jobBase, name: LONG, schedule: { cron: "0 3 * * 1" } });
    });
    const ids = Object.values(resources(out, "google_service_account")).map((a) => a.account_id);
    expect(ids.sort()).toEqual(
      [runtimeServiceAccountId(LONG), jobServiceAccountId(LONG), schedulerServiceAccountId(LONG)].sort(),
    );
    expect(new Set(ids).size).toBe(3);
  });

  test("property: for any valid Cloud Run name, the three ids are valid and pairwise distinct", () => {
    const name = fc.stringMatching(/^[a-z](?:[-a-z0-9]{0,47}[a-z0-9])?$/);
    fc.assert(
      fc.property(name, (n) => {
        const ids = [runtimeServiceAccountId(n), jobServiceAccountId(n), schedulerServiceAccountId(n)];
        for (const id of ids) {
          expect(isValidAccountId(id)).toBe(true);
          expect(serviceAccountIdConstraint(id)).toBeUndefined();
        }
        expect(new Set(ids).size).toBe(3);
      }),
      { numRuns: 2000 },
    );
  });
});
