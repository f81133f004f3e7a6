/**
 * The checks a Cloud Run service and a Cloud Run job share (lib/constructs/workload/validate.ts):
 * GPUs, the startup probe's window and Cloud Storage volumes. A check both kinds make is run for
 * both (test.each over KINDS); what only one kind has (a service's cpuIdle and gen1, a job's
 * longer startup window) is tested for that kind. Every limit is tested on both sides.
 */
import { GPUS } from "../../../lib/gcp/run";
import {
  JOB,
  KINDS,
  L4,
  L4_SERVICE,
  SERVICE,
  jobFails,
  jobPasses,
  newService,
  serviceFails,
  servicePasses,
  validationErrorOf,
} from "./builders";

// ---------------------------------------------------------------------------------------------
// GPUs (checkGpu)
// ---------------------------------------------------------------------------------------------

describe("GPU checks", () => {
  test.each(KINDS)(
    '$kind: an L4 needs 4 CPU and 16Gi: "4"/"16Gi" pass, cpu "2" and memory "8Gi" fail naming the minimum',
    (k) => {
      k.passes(k.l4);
      k.fails({ ...k.l4, cpu: "2", memory: "8Gi" }, "cpu", "2", /an nvidia-l4 GPU needs at least 4 CPU beside it/);
      k.fails({ ...k.l4, memory: "8Gi" }, "memory", "8Gi", /an nvidia-l4 GPU needs at least 16Gi of memory/);
      // One MiB short of 16Gi.
      k.fails({ ...k.l4, memory: "16383Mi" }, "memory", "16383Mi", /needs at least 16Gi/);
      // The defaults (1 CPU, 512Mi) are not enough: both are reported.
      const { cpu: _cpu, memory: _memory, ...gpuOnly } = k.l4;
      const err = k.fails(gpuOnly, "cpu", "1", /needs at least 4 CPU/);
      expect(err.problems.map((p) => p.path)).toEqual(expect.arrayContaining(["cpu", "memory"]));
    },
  );

  test.each(KINDS)("$kind: every region of its list passes; europe-west2 fails at location, naming the kind", (k) => {
    for (const location of GPUS["nvidia-l4"].regions[k.kind]) k.passes({ ...k.l4, location });
    k.fails(
      { ...k.l4, location: "europe-west2" },
      "location",
      "europe-west2",
      new RegExp(`nvidia-l4 GPUs for Cloud Run ${k.kind}s are offered in .* only`),
    );
    // Without a GPU, any region.
    k.passes({ location: "europe-west2" });
  });

  test("us-east4 (service list only) passes for a service and fails for a job at location", () => {
    expect(GPUS["nvidia-l4"].regions.service).toContain("us-east4");
    expect(GPUS["nvidia-l4"].regions.job).not.toContain("us-east4");
    servicePasses({ ...L4_SERVICE, location: "us-east4" });
    jobFails(
      { ...L4, location: "us-east4" },
      "location",
      "us-east4",
      /nvidia-l4 GPUs for Cloud Run jobs are offered in .* only/,
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

  test.each(KINDS)("$kind: gpu.count 1 passes, 2 fails", (k) => {
    k.passes({ ...k.l4, gpu: { type: "nvidia-l4", count: 1 } });
    k.fails({ ...k.l4, gpu: { type: "nvidia-l4", count: 2 } }, "gpu.count", 2, /must be 1/);
  });

  test.each(KINDS)("$kind: an unknown GPU type fails at gpu.type", (k) => {
    for (const type of ["nvidia-a100", "nvidia-rtx-pro-6000"]) {
      k.fails({ ...k.l4, gpu: { type: type as never } }, "gpu.type", type, /must be one of "nvidia-l4"/);
    }
  });

  test("a name every JavaScript object has is an unknown GPU type (either kind) or ingress, not a crash", () => {
    for (const k of KINDS) {
      for (const type of ["toString", "constructor", "__proto__"]) {
        k.fails({ ...k.l4, gpu: { type: type as "nvidia-l4" } }, "gpu.type", type, /must be one of "nvidia-l4"/);
      }
    }
    serviceFails({ ingress: "toString" as "all" }, "ingress", "toString", /must be one of "all"/);
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
// Startup probe windows (checkProbe)
// ---------------------------------------------------------------------------------------------

describe("startup probe window (periodSeconds × failureThreshold)", () => {
  const WINDOW = [
    { ...SERVICE, max: 240 },
    { ...JOB, max: 600 },
  ];

  test.each(WINDOW)(
    "$kind: a window of exactly $max s passes, 10 s more fails at startupProbe, naming the limit",
    (k) => {
      const threshold = k.max / 10;
      k.passes({ startupProbe: { path: "/ready", periodSeconds: 10, failureThreshold: threshold } });
      k.fails(
        { startupProbe: { path: "/ready", periodSeconds: 10, failureThreshold: threshold + 1 } },
        "startupProbe",
        { periodSeconds: 10, failureThreshold: threshold + 1 },
        new RegExp(
          `gives the container ${k.max + 10} s to start .*Cloud Run for a ${k.kind} allows at most ${k.max} s`,
        ),
      );
    },
  );

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

  test.each(WINDOW)("$kind: periodSeconds counts as 10 when unset; the probe's own fields are still checked", (k) => {
    // periodSeconds 10 by default: 10 × (max/10 + 1) is over the kind's window.
    k.fails(
      { startupProbe: { path: "/ready", failureThreshold: k.max / 10 + 1 } },
      "startupProbe",
      { periodSeconds: 10, failureThreshold: k.max / 10 + 1 },
      new RegExp(`${k.max + 10} s`),
    );
    k.fails({ startupProbe: { path: "ready" } }, "startupProbe.path", "ready", /starting with \//);
  });
});

// ---------------------------------------------------------------------------------------------
// Volumes (checkVolumes)
// ---------------------------------------------------------------------------------------------

describe("Cloud Storage volumes", () => {
  const vol = (m: string) => ({ volumes: [{ bucket: "acme-models", mountPath: m }] });

  test.each(KINDS)(
    "$kind: mountPath: an absolute path passes; /, /dev/x, /proc, /sys/fs, relative and .. paths fail at volumes[i].mountPath",
    (k) => {
      k.passes(vol("/models"));
      k.passes(vol("/mnt/models"));
      k.fails(vol("/"), "volumes[0].mountPath", "/", /must (not be \/|be an absolute path)/);
      k.fails(vol("/dev/x"), "volumes[0].mountPath", "/dev/x", /must not be \/dev or below it/);
      k.fails(vol("relative"), "volumes[0].mountPath", "relative", /must be an absolute path/);
      k.fails(vol("/a/../b"), "volumes[0].mountPath", "/a/../b", /without .*\.\. parts/);
      k.fails(vol("/proc"), "volumes[0].mountPath", "/proc", /must not be \/proc/);
      k.fails(vol("/sys/fs"), "volumes[0].mountPath", "/sys/fs", /must not be \/sys/);
    },
  );

  test.each(KINDS)("$kind: the same or a nested mount path twice fails at the later volume", (k) => {
    const twice = (a: string, b: string) => ({
      volumes: [
        { bucket: "acme-models", mountPath: a },
        { bucket: "acme-data", mountPath: b },
      ],
    });
    k.fails(twice("/models", "/models"), "volumes[1].mountPath", "/models", /overlaps volumes\[0\]\.mountPath/);
    k.fails(twice("/models", "/models/v1"), "volumes[1].mountPath", "/models/v1", /overlaps volumes\[0\]/);
    k.fails(twice("/models/v1", "/models"), "volumes[1].mountPath", "/models", /overlaps volumes\[0\]/);
    k.fails(twice("/models", "/models/"), "volumes[1].mountPath", "/models/", /overlaps/);
    // A shared prefix is not nesting.
    k.passes(twice("/models", "/models-v1"));
    k.passes(twice("/models", "/data"));
  });

  test.each(KINDS)("$kind: a bucket given by name must be a valid bucket name", (k) => {
    k.fails({ volumes: [{ bucket: "Models", mountPath: "/models" }] }, "volumes[0].bucket", "Models", /3-63/);
    k.fails(
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

  test.each(KINDS)("$kind: readOnly must be a boolean", (k) => {
    k.fails(
      { volumes: [{ bucket: "acme-models", mountPath: "/models", readOnly: "no" as never }] },
      "volumes[0].readOnly",
      "no",
      /true or false/,
    );
  });
});

// ---------------------------------------------------------------------------------------------
// VPC egress and the project's number (checkWorkloadNetwork)
// ---------------------------------------------------------------------------------------------

describe("VPC egress in the workload's region, and the project's number", () => {
  const subnet = (region: string) => `projects/acme-ml-dev/regions/${region}/subnetworks/run`;
  const connector = (region: string) => `projects/acme-ml-dev/locations/${region}/connectors/conn`;

  test.each(KINDS)("$kind: a subnet or connector named by a path in another region fails; in its own, passes", (k) => {
    k.passes({ vpcAccess: { network: "default", subnetwork: subnet("europe-west1") } });
    k.passes({ vpcAccess: { connector: connector("europe-west1") } });
    k.passes({ vpcAccess: { network: "default", subnetwork: "run" } });
    k.fails(
      { vpcAccess: { network: "default", subnetwork: subnet("us-central1") } },
      "vpcAccess.subnetwork",
      subnet("us-central1"),
      /is in us-central1; the workload runs in europe-west1/,
    );
    k.fails(
      { vpcAccess: { connector: connector("europe-west4") } },
      "vpcAccess.connector",
      connector("europe-west4"),
      /is in europe-west4; the workload runs in europe-west1, and egress goes through its own region's connectors/,
    );
  });

  test.each(KINDS)("$kind: projectNumber is digits", (k) => {
    k.passes({ encryptionKey: "projects/acme-kms/locations/europe-west1/keyRings/r/cryptoKeys/k", projectNumber: "1" });
    for (const bad of ["acme-ml-dev", "0123", "12 34", "1".repeat(21)]) {
      k.fails({ projectNumber: bad }, "projectNumber", bad, /must be the project's number: digits/);
    }
  });
});
