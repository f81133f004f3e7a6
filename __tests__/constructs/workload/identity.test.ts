/**
 * Who a workload runs as and what it may reach (lib/constructs/workload/identity.ts): a service
 * or job mounting a ModelBucket is granted access to it, read or read-write, and waits for the
 * grant; the accounts a service, a job and its schedule create never share an id. Each case runs
 * for both kinds (KINDS). The key grant of a job is tested in ../cloud-run-job.test.ts.
 */
import { CloudRunJob, CloudRunService, ModelBucket } from "../../../lib";
import { jobServiceAccountId, runtimeServiceAccountId, schedulerServiceAccountId } from "../../../lib/gcp/iam";
import { Synth, only, resources, synth } from "../../helpers";
import { KINDS, bucketBase, entry, jobBase, serviceBase } from "./builders";

// ---------------------------------------------------------------------------------------------
// Volume grants: a workload mounting a ModelBucket is granted access to it
// ---------------------------------------------------------------------------------------------

describe("volume grants", () => {
  const bucketGrants = (out: Synth) => Object.entries(resources(out, "google_storage_bucket_iam_member"));

  test.each(KINDS)("a $kind mounting a ModelBucket read-only: one objectViewer grant for its runtime account", (k) => {
    const out = synth((s) => {
      const models = new ModelBucket(s, "models", bucketBase);
      k.build(s, { volumes: [{ bucket: models, mountPath: "/models" }] });
    });
    const bucket = entry(out, "google_storage_bucket", "models_bucket_");
    const runtime = entry(out, "google_service_account", k.accountPrefix);
    const grants = bucketGrants(out);
    expect(grants).toHaveLength(1);
    const [id, grant] = grants[0];
    expect(grant).toEqual({
      bucket: `\${${bucket.ref}.name}`,
      role: "roles/storage.objectViewer",
      member: `\${${runtime.ref}.member}`,
    });
    const workload = only(out, k.type);
    expect(workload.depends_on).toContain(`google_storage_bucket_iam_member.${id}`);
    expect(k.template(workload).volumes).toEqual([
      { name: "gcs-0", gcs: { bucket: `\${${bucket.ref}.name}`, read_only: true } },
    ]);
    expect(k.template(workload).containers[0].volume_mounts).toEqual([{ name: "gcs-0", mount_path: "/models" }]);
  });

  test.each(KINDS)("a $kind mounting it read-write: objectUser, and the $kind waits for it", (k) => {
    const out = synth((s) => {
      const models = new ModelBucket(s, "models", bucketBase);
      k.build(s, { volumes: [{ bucket: models, mountPath: "/models", readOnly: false }] });
    });
    const runtime = entry(out, "google_service_account", k.accountPrefix);
    const grants = bucketGrants(out);
    expect(grants).toHaveLength(1);
    const [id, grant] = grants[0];
    expect(grant.role).toBe("roles/storage.objectUser");
    expect(grant.member).toBe(`\${${runtime.ref}.member}`);
    const workload = only(out, k.type);
    expect(workload.depends_on).toContain(`google_storage_bucket_iam_member.${id}`);
    expect(k.template(workload).volumes[0].gcs.read_only).toBe(false);
  });

  test.each([
    ["read-only then read-write", [true, false]],
    ["read-write then read-only", [false, true]],
  ])("the same bucket mounted twice (%s) gets the writer grant only, for a service and a job", (_, modes) => {
    for (const k of KINDS) {
      const out = synth((s) => {
        const models = new ModelBucket(s, "models", bucketBase);
        k.build(s, {
          volumes: [
            { bucket: models, mountPath: "/models", readOnly: modes[0] },
            { bucket: models, mountPath: "/out", readOnly: modes[1] },
          ],
        });
      });
      const grants = bucketGrants(out);
      expect(grants.map(([, g]) => g.role)).toEqual(["roles/storage.objectUser"]);
    }
  });

  test.each(KINDS)("$kind: a bucket given by name gets no grant; two ModelBuckets get one grant each", (k) => {
    const byName = synth((s) => {
      k.build(s, { volumes: [{ bucket: "acme-models", mountPath: "/models", readOnly: false }] });
    });
    expect(bucketGrants(byName)).toEqual([]);
    expect(k.template(only(byName, k.type)).volumes).toEqual([
      { name: "gcs-0", gcs: { bucket: "acme-models", read_only: false } },
    ]);
    expect(only(byName, k.type)).not.toHaveProperty("depends_on");

    const two = synth((s) => {
      const a = new ModelBucket(s, "models", bucketBase);
      const b = new ModelBucket(s, "data", { ...bucketBase, name: "acme-data" });
      k.build(s, {
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
    const workload = only(two, k.type);
    for (const [id] of grants) expect(workload.depends_on).toContain(`google_storage_bucket_iam_member.${id}`);
  });

  test.each(KINDS)("$kind: with an existing account, the grant names that account", (k) => {
    const email = `${k.kind === "service" ? "predict" : "trainer"}@acme-ml-dev.iam.gserviceaccount.com`;
    const out = synth((s) => {
      const models = new ModelBucket(s, "models", bucketBase);
      k.build(s, { serviceAccountEmail: email, volumes: [{ bucket: models, mountPath: "/models" }] });
    });
    expect(bucketGrants(out).map(([, g]) => g.member)).toEqual([`serviceAccount:${email}`]);
  });
});

// ---------------------------------------------------------------------------------------------
// Runtime and scheduler accounts: the ids of lib/gcp/iam.ts, as the workloads create them
// ---------------------------------------------------------------------------------------------

describe("runtime and scheduler accounts", () => {
  const LONG = "model-serving-api-for-europe-west-one"; // 37 characters

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
});
