/**
 * StateBucket (lib/constructs/state-bucket.ts, with lib/constructs/bucket.ts): every setting it
 * writes, each validation at its boundary (one passing and one failing value, the error naming the
 * path, the value and the rule), and its two grants, with and without an object prefix.
 */
import { Testing } from "cdktf";
import { CloudRunService, ProjectServices, StateBucket, StateBucketProps } from "../../lib";
import { resolveTokens } from "../../lib/gcp/terraform";
import { ServiceAccount, StorageBucketIamMember } from "../../lib/providers";
import { IMAGE, Json, newStack, only, resources, synth } from "../helpers";
import { refused } from "./refused";

const base: StateBucketProps = { project: "acme-ml-prod", name: "acme-ml-prod-tfstate", location: "europe-west1" };
const CI = "serviceAccount:deploy@acme-ml-prod.iam.gserviceaccount.com";
const SUBJECT = 'StateBucket "test/state"';

const bucketOf = (props: Partial<StateBucketProps> = {}) =>
  only(
    synth((s) => new StateBucket(s, "state", { ...base, ...props })),
    "google_storage_bucket",
  );
const build = (props: Partial<StateBucketProps>) => () => new StateBucket(newStack(), "state", { ...base, ...props });

/** The props pass. */
const passes = (props: Partial<StateBucketProps>) => expect(build(props)).not.toThrow();

/** The props are refused at `path` with `value`, and the message names the bucket, the path and the value. */
function fails(props: Partial<StateBucketProps>, path: string, value: unknown, rule: RegExp): void {
  const error = refused(build(props), path, value, rule);
  expect(error.subject).toBe(SUBJECT);
  expect(error.message).toMatch(/^StateBucket "test\/state" has \d+ invalid props?:\n/);
  expect(error.message.split("\n")).toContainEqual(expect.stringMatching(`^  - ${escapeRegExp(path)}: got `));
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** The IAM condition that limits a grant on `bucket` to `prefix`, as Cloud Storage reads it. */
const prefixCondition = (bucket: string, prefix: string) => ({
  title: `objects under ${prefix}`,
  description: `Only the bucket itself and the objects under gs://${bucket}/${prefix}`,
  expression:
    "resource.type == 'storage.googleapis.com/Bucket' || " +
    `(resource.type == 'storage.googleapis.com/Object' && resource.name.startsWith('projects/_/buckets/${bucket}/objects/${prefix}'))`,
});

describe("StateBucket: every setting written", () => {
  const bucket = bucketOf();

  test("the bucket as named, in its project and location, standard storage", () => {
    expect(bucket).toMatchObject({
      name: "acme-ml-prod-tfstate",
      location: "europe-west1",
      project: "acme-ml-prod",
      storage_class: "STANDARD",
    });
  });

  test("object versioning keeps the state's history", () => {
    expect(bucket.versioning).toEqual({ enabled: true });
  });

  test("uniform bucket-level access, and public access prevention enforced", () => {
    expect(bucket.uniform_bucket_level_access).toBe(true);
    expect(bucket.public_access_prevention).toBe("enforced");
  });

  test("soft delete: 7 days by default, written in seconds; a custom number of days", () => {
    expect(bucket.soft_delete_policy).toEqual({ retention_duration_seconds: 604_800 });
    expect(bucketOf({ softDeleteDays: 30 }).soft_delete_policy).toEqual({ retention_duration_seconds: 2_592_000 });
  });

  test("a lifecycle rule deletes a noncurrent version once 20 newer ones exist, or as many as asked", () => {
    expect(bucket.lifecycle_rule).toEqual([
      { action: { type: "Delete" }, condition: { with_state: "ARCHIVED", num_newer_versions: 20 } },
    ]);
    expect(bucketOf({ noncurrentVersionsKept: 3 }).lifecycle_rule).toEqual([
      { action: { type: "Delete" }, condition: { with_state: "ARCHIVED", num_newer_versions: 3 } },
    ]);
  });

  test("never force-destroyed", () => {
    expect(bucket.force_destroy).toBe(false);
    expect(bucketOf({ preventDestroy: false }).force_destroy).toBe(false);
  });

  test("prevent_destroy by default; preventDestroy: false writes it false", () => {
    expect(bucket.lifecycle).toEqual({ prevent_destroy: true });
    expect(bucketOf({ preventDestroy: false }).lifecycle).toEqual({ prevent_destroy: false });
  });

  test("labels sorted by key; none unless given; no project when absent", () => {
    expect(bucket).not.toHaveProperty("labels");
    const labelled = bucketOf({ labels: { team: "ml", app: "predict" } });
    expect(Object.entries(labelled.labels as object)).toEqual([
      ["app", "predict"],
      ["team", "ml"],
    ]);
    expect(bucketOf({ project: undefined })).not.toHaveProperty("project");
  });

  test("the construct id of the bucket resource is `bucket`; bucketName is the name", () => {
    const stack = newStack();
    const state = new StateBucket(stack, "state", base);
    expect(state.bucket.node.id).toBe("bucket");
    expect(state.bucketName).toBe("acme-ml-prod-tfstate");
    expect(Object.keys(resources(JSON.parse(Testing.synth(stack)), "google_storage_bucket"))).toEqual([
      expect.stringMatching(/^state_bucket_[0-9A-F]{8}$/),
    ]);
  });

  test("dependsOn a ProjectServices: the bucket waits for every API in it", () => {
    const out = synth((s) => {
      const apis = new ProjectServices(s, "apis", { services: ["storage.googleapis.com"] });
      new StateBucket(s, "state", { ...base, dependsOn: [apis] });
    });
    expect(only(out, "google_storage_bucket").depends_on).toEqual([
      expect.stringMatching(/^google_project_service\.apis_storage-googleapis-com_/),
    ]);
    expect(bucket).not.toHaveProperty("depends_on");
  });
});

describe("StateBucket: validation at the boundaries", () => {
  test("name: 3 and 63 characters pass, 2 and 64 fail", () => {
    passes({ name: "abc" });
    fails({ name: "ab" }, "name", "ab", /must be 3-63 lowercase letters/);
    passes({ name: "a".repeat(63) });
    fails({ name: "a".repeat(64) }, "name", "a".repeat(64), /must be 3-63/);
  });

  test("name: starts and ends with a letter or digit, lowercase, no goog prefix, no google", () => {
    passes({ name: "0-state_9" });
    fails({ name: "-state" }, "name", "-state", /start and end with a letter or digit/);
    fails({ name: "state-" }, "name", "state-", /start and end with a letter or digit/);
    fails({ name: "Acme-state" }, "name", "Acme-state", /lowercase/);
    fails({ name: "acme.state" }, "name", "acme.state", /must be 3-63/);
    passes({ name: "gooseberry-state" });
    fails({ name: "goog-state" }, "name", "goog-state", /not start with goog/);
    fails({ name: "acme-google-state" }, "name", "acme-google-state", /not contain google/);
  });

  test("location: a region or a multi-region passes, anything else fails", () => {
    passes({ location: "EU" });
    passes({ location: "us-central1" });
    fails({ location: "europe west1" }, "location", "europe west1", /must be a region or multi-region/);
    fails({ location: "europe-west1-" }, "location", "europe-west1-", /such as europe-west1 or EU/);
    fails({ location: "" }, "location", "", /must be a region or multi-region/);
  });

  test("labels: keys and values of 63 characters pass, 64 fail; 64 labels pass, 65 fail", () => {
    passes({ labels: { ["k".repeat(63)]: "v".repeat(63) } });
    fails({ labels: { ["k".repeat(64)]: "v" } }, `labels.${"k".repeat(64)}`, "k".repeat(64), /label keys must be 1-63/);
    fails({ labels: { team: "v".repeat(64) } }, "labels.team", "v".repeat(64), /label values must be 0-63/);
    fails({ labels: { Team: "ml" } }, "labels.Team", "Team", /starting with a letter/);
    fails({ labels: { team: "ML" } }, "labels.team", "ML", /lowercase/);
    const labels = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, "v"]));
    passes({ labels: labels(64) });
    fails({ labels: labels(65) }, "labels", "65 labels", /at most 64 labels/);
  });

  test("noncurrentVersionsKept: 1 and 1000 pass; 0, 1001 and a fraction fail", () => {
    passes({ noncurrentVersionsKept: 1 });
    passes({ noncurrentVersionsKept: 1000 });
    fails({ noncurrentVersionsKept: 0 }, "noncurrentVersionsKept", 0, /must be a whole number from 1 to 1000/);
    fails({ noncurrentVersionsKept: 1001 }, "noncurrentVersionsKept", 1001, /from 1 to 1000/);
    fails({ noncurrentVersionsKept: 2.5 }, "noncurrentVersionsKept", 2.5, /whole number/);
  });

  test("softDeleteDays: 7 and 90 pass; 6, 91 and a fraction fail", () => {
    passes({ softDeleteDays: 7 });
    passes({ softDeleteDays: 90 });
    expect(bucketOf({ softDeleteDays: 90 }).soft_delete_policy).toEqual({ retention_duration_seconds: 7_776_000 });
    fails({ softDeleteDays: 6 }, "softDeleteDays", 6, /must be a whole number of days from 7 to 90/);
    fails({ softDeleteDays: 91 }, "softDeleteDays", 91, /from 7 to 90/);
    fails({ softDeleteDays: 7.5 }, "softDeleteDays", 7.5, /whole number of days/);
  });

  test("project: the common project id rule", () => {
    passes({ project: "acme-ml" });
    fails({ project: "acme" }, "project", "acme", /must be 6-30 characters/);
  });

  test("every problem in one ValidationError, and nothing left in the tree", () => {
    const stack = newStack();
    const error = refused(
      () => new StateBucket(stack, "state", { ...base, name: "ab", location: "", softDeleteDays: 1 }),
      "name",
      "ab",
      /must be 3-63/,
    );
    expect(error.problems.map((p) => p.path)).toEqual(["name", "location", "softDeleteDays"]);
    expect(error.message).toMatch(/^StateBucket "test\/state" has 3 invalid props:/);
    expect(stack.node.tryFindChild("state")).toBeUndefined();
    expect(() => new StateBucket(stack, "state", base)).not.toThrow();
  });
});

describe("StateBucket grants", () => {
  /** Builds a bucket, lets `grant` make grants on it, and returns the bucket's IAM members by logical id. */
  const membersOf = (grant: (state: StateBucket) => void): Record<string, Json> =>
    resources(
      synth((s) => grant(new StateBucket(s, "state", base))),
      "google_storage_bucket_iam_member",
    );

  test("grantStateReader: roles/storage.objectViewer on the whole bucket", () => {
    const members = membersOf((state) => state.grantStateReader(CI));
    const [[id, m]] = Object.entries(members);
    expect(id).toMatch(/^state_state-reader-serviceaccount-deploy-acme-ml-prod-iam-gserviceaccount-com_[0-9A-F]{8}$/);
    expect(m).toEqual({
      bucket: expect.stringMatching(/^\$\{google_storage_bucket\.state_bucket_[0-9A-F]{8}\.name\}$/),
      role: "roles/storage.objectViewer",
      member: CI,
    });
  });

  test("grantStateWriter: roles/storage.objectAdmin on the whole bucket", () => {
    const [[id, m]] = Object.entries(membersOf((state) => state.grantStateWriter(CI)));
    expect(id).toMatch(/^state_state-writer-serviceaccount-deploy-acme-ml-prod-iam-gserviceaccount-com_[0-9A-F]{8}$/);
    expect(m).toMatchObject({ role: "roles/storage.objectAdmin", member: CI });
    expect(m).not.toHaveProperty("condition");
  });

  test("with a prefix, the grant holds for the bucket and the objects under the prefix only", () => {
    const members = Object.values(
      membersOf((state) => {
        state.grantStateReader(CI, { prefix: "predict/dev/" });
        state.grantStateWriter(CI, { prefix: "predict/prod/" });
      }),
    );
    expect(members.map((m) => [m.role, m.condition])).toEqual([
      ["roles/storage.objectViewer", prefixCondition("acme-ml-prod-tfstate", "predict/dev/")],
      ["roles/storage.objectAdmin", prefixCondition("acme-ml-prod-tfstate", "predict/prod/")],
    ]);
  });

  test("the condition's title is cut at 100 characters, the expression keeps the whole prefix", () => {
    const prefix = `${"p".repeat(120)}/`;
    const [m] = Object.values(membersOf((state) => state.grantStateWriter(CI, { prefix })));
    expect(m.condition.title).toBe(`objects under ${prefix}`.slice(0, 100));
    expect(m.condition.title).toHaveLength(100);
    expect(m.condition.expression).toContain(`/objects/${prefix}')`);
  });

  test("the returned Grant: the member, the role, the IAM resource", () => {
    const state = new StateBucket(newStack(), "state", base);
    const reader = state.grantStateReader(CI);
    expect(reader.member).toBe(CI);
    expect(reader.roles).toEqual(["roles/storage.objectViewer"]);
    expect(reader.resources).toHaveLength(1);
    expect(reader.resources[0]).toBeInstanceOf(StorageBucketIamMember);
    expect(reader.resources[0].node.id).toBe("state-reader-serviceaccount-deploy-acme-ml-prod-iam-gserviceaccount-com");
    expect(reader.resources[0].node.scope).toBe(state);
    const writer = state.grantStateWriter(CI, { prefix: "predict/prod/" });
    expect(writer.member).toBe(CI);
    expect(writer.roles).toEqual(["roles/storage.objectAdmin"]);
    expect(writer.resources[0].node.id).toBe("state-writer-serviceaccount-deploy-acme-ml-prod-iam-gserviceaccount-com");
  });

  test("the same grant twice returns the same resource and adds none", () => {
    let first: readonly unknown[] = [];
    let again: readonly unknown[] = [];
    let prefixed: readonly unknown[] = [];
    let prefixedAgain: readonly unknown[] = [];
    const members = membersOf((state) => {
      first = state.grantStateReader(CI).resources;
      again = state.grantStateReader(CI).resources;
      prefixed = state.grantStateWriter(CI, { prefix: "predict/prod/" }).resources;
      prefixedAgain = state.grantStateWriter(CI, { prefix: "predict/prod/" }).resources;
    });
    expect(again[0]).toBe(first[0]);
    expect(prefixedAgain[0]).toBe(prefixed[0]);
    expect(Object.keys(members)).toHaveLength(2);
  });

  test("the same member with another prefix is refused, naming the earlier grant", () => {
    const state = new StateBucket(newStack(), "state", base);
    state.grantStateWriter(CI, { prefix: "predict/prod/" });
    const error = refused(
      () => state.grantStateWriter(CI, { prefix: "predict/dev/" }),
      "member",
      CI,
      /^conflicts with an earlier grant under the same id \(roles\/storage\.objectAdmin to serviceAccount:deploy@acme-ml-prod\.iam\.gserviceaccount\.com\): use another id, or the same options$/,
    );
    expect(error.subject).toBe('StateBucket "test/state".grantStateWriter()');
    // Nor may a grant on the whole bucket replace one under a prefix, or the reverse.
    refused(() => state.grantStateWriter(CI), "member", CI, /conflicts with an earlier grant/);
    state.grantStateReader(CI);
    refused(
      () => state.grantStateReader(CI, { prefix: "predict/prod/" }),
      "member",
      CI,
      /conflicts with an earlier grant under the same id \(roles\/storage\.objectViewer to /,
    );
    expect(state.node.children.filter((c) => c instanceof StorageBucketIamMember)).toHaveLength(2);
  });

  test("prefix: ends with a slash, no leading slash, no wildcard", () => {
    const state = new StateBucket(newStack(), "state", base);
    const rule = /^must be an object-name prefix ending with "\/", such as predict\/prod\/$/;
    expect(() => state.grantStateReader(CI, { prefix: "p/" })).not.toThrow();
    const error = refused(() => state.grantStateWriter(CI, { prefix: "predict/prod" }), "prefix", "predict/prod", rule);
    expect(error.subject).toBe('StateBucket "test/state".grantStateWriter()');
    expect(error.message).toContain('  - prefix: got "predict/prod"; must be an object-name prefix');
    refused(() => state.grantStateWriter(CI, { prefix: "/predict/prod/" }), "prefix", "/predict/prod/", rule);
    refused(() => state.grantStateWriter(CI, { prefix: "/" }), "prefix", "/", rule);
    refused(() => state.grantStateWriter(CI, { prefix: "predict/*/" }), "prefix", "predict/*/", rule);
    refused(() => state.grantStateWriter(CI, { prefix: "predict?/" }), "prefix", "predict?/", rule);
    refused(() => state.grantStateWriter(CI, { prefix: "" }), "prefix", "", rule);
  });

  test("a public member is refused, for reading and for writing; so is a member that is not a principal", () => {
    const state = new StateBucket(newStack(), "state", base);
    const why = /^state holds secrets and resource ids: it can never be public$/;
    const reader = refused(() => state.grantStateReader("allUsers"), "member", "allUsers", why);
    expect(reader.subject).toBe('StateBucket "test/state".grantStateReader()');
    refused(() => state.grantStateWriter("allAuthenticatedUsers"), "member", "allAuthenticatedUsers", why);
    refused(
      () => state.grantStateReader("deploy@acme-ml-prod.iam.gserviceaccount.com"),
      "member",
      "deploy@acme-ml-prod.iam.gserviceaccount.com",
      /must be an IAM principal/,
    );
    expect(state.node.children.filter((c) => c instanceof StorageBucketIamMember)).toEqual([]);
  });

  test("a ServiceAccount or a CloudRunService in place of a member string", () => {
    const out = synth((s) => {
      const state = new StateBucket(s, "state", base);
      const account = new ServiceAccount(s, "deployer", { accountId: "deployer" });
      const predict = new CloudRunService(s, "predict", { location: "europe-west1", name: "predict", image: IMAGE });
      // A provider attribute is a new token at each read: compare what they resolve to.
      const resolve = (v: string) => resolveTokens(state, v);
      expect(resolve(state.grantStateWriter(account, { prefix: "predict/prod/" }).member)).toBe(
        resolve(account.member),
      );
      expect(resolve(state.grantStateReader(predict).member)).toBe(resolve(predict.member));
    });
    const byRole = Object.fromEntries(
      Object.values(resources(out, "google_storage_bucket_iam_member")).map((m) => [m.role, m]),
    );
    expect(Object.keys(byRole).sort()).toEqual(["roles/storage.objectAdmin", "roles/storage.objectViewer"]);
    expect(byRole["roles/storage.objectAdmin"]).toMatchObject({
      member: "${google_service_account.deployer.member}",
      condition: prefixCondition("acme-ml-prod-tfstate", "predict/prod/"),
    });
    expect(byRole["roles/storage.objectViewer"].member).toMatch(
      /^\$\{google_service_account\.predict_service-account_[0-9A-F]{8}\.member\}$/,
    );
    expect(byRole["roles/storage.objectViewer"]).not.toHaveProperty("condition");
  });
});
