/**
 * One grant shape (lib/constructs/grants.ts) across the constructs: every grant method takes a
 * member string or an IGrantee (a CloudRunService or CloudRunJob, by its runtime account, or a
 * provider ServiceAccount) and returns a Grant { member, roles, resources } that matches what is
 * synthesized, and that another construct's `dependsOn` takes (lib/constructs/common.ts
 * resolveDependencies).
 */
import { TerraformResource, TerraformStack, Testing } from "cdktf";
import { Construct } from "constructs";
import {
  ArtifactRepository,
  CloudRunJob,
  CloudRunService,
  CloudRunServiceProps,
  GitHubWorkloadIdentity,
  Grant,
  Grantee,
  IGrantee,
  ModelBucket,
  StateBucket,
} from "../../lib";
import { resolveTokens } from "../../lib/gcp/terraform";
import { ServiceAccount } from "../../lib/providers";
import { IMAGE, Synth, newStack, only, resources, synth } from "../helpers";

const PROJECT = "acme-ml-dev";
const LOCATION = "europe-west1";
const MEMBER = "serviceAccount:gateway@acme-ml-dev.iam.gserviceaccount.com";

/** One grant method: the IAM resource type it makes, the roles it grants, and how to call it. */
interface Method {
  readonly type: string;
  readonly roles: readonly string[];
  /** Makes the method's construct (id `target`) in `scope`; returns its grant method. */
  readonly on: (scope: Construct) => (grantee: Grantee) => Grant;
}

function method<T extends Construct>(
  type: string,
  roles: readonly string[],
  make: (scope: Construct) => T,
  grant: (target: T, grantee: Grantee) => Grant,
): Method {
  return {
    type,
    roles,
    on: (scope) => {
      const target = make(scope);
      return (grantee) => grant(target, grantee);
    },
  };
}

const service = (s: Construct, id: string, name: string, props: Partial<CloudRunServiceProps> = {}) =>
  new CloudRunService(s, id, { project: PROJECT, location: LOCATION, name, image: IMAGE, ...props });
const job = (s: Construct, id: string, name: string) =>
  new CloudRunJob(s, id, { project: PROJECT, location: LOCATION, name, image: IMAGE });
const repository = (s: Construct) =>
  new ArtifactRepository(s, "target", { project: PROJECT, location: LOCATION, repositoryId: "models" });
const modelBucket = (s: Construct) =>
  new ModelBucket(s, "target", { project: PROJECT, location: LOCATION, name: "acme-ml-dev-models" });
const stateBucket = (s: Construct) =>
  new StateBucket(s, "target", { project: PROJECT, location: LOCATION, name: "acme-ml-dev-tfstate" });

const METHODS: Record<string, Method> = {
  "CloudRunService.grantInvoker": method(
    "google_cloud_run_v2_service_iam_member",
    ["roles/run.invoker"],
    (s) => service(s, "target", "predict"),
    (t, g) => t.grantInvoker(g),
  ),
  "CloudRunJob.grantRunner": method(
    "google_cloud_run_v2_job_iam_member",
    ["roles/run.invoker", "roles/run.viewer"],
    (s) => job(s, "target", "train"),
    (t, g) => t.grantRunner(g),
  ),
  "ArtifactRepository.grantReader": method(
    "google_artifact_registry_repository_iam_member",
    ["roles/artifactregistry.reader"],
    repository,
    (t, g) => t.grantReader(g),
  ),
  "ArtifactRepository.grantWriter": method(
    "google_artifact_registry_repository_iam_member",
    ["roles/artifactregistry.writer"],
    repository,
    (t, g) => t.grantWriter(g),
  ),
  "ModelBucket.grantReader": method(
    "google_storage_bucket_iam_member",
    ["roles/storage.objectViewer"],
    modelBucket,
    (t, g) => t.grantReader(g),
  ),
  "ModelBucket.grantWriter": method(
    "google_storage_bucket_iam_member",
    ["roles/storage.objectUser"],
    modelBucket,
    (t, g) => t.grantWriter(g),
  ),
  "StateBucket.grantStateReader": method(
    "google_storage_bucket_iam_member",
    ["roles/storage.objectViewer"],
    stateBucket,
    (t, g) => t.grantStateReader(g),
  ),
  "StateBucket.grantStateWriter": method(
    "google_storage_bucket_iam_member",
    ["roles/storage.objectAdmin"],
    stateBucket,
    (t, g) => t.grantStateWriter(g, { prefix: "predict/dev/" }),
  ),
};

/** An IGrantee, and the member string a caller would write for it instead. */
interface GranteeCase {
  /** Makes the grantee in `scope` under the id `grantee`. */
  readonly make: (scope: Construct) => IGrantee;
  readonly written: (grantee: IGrantee) => string;
}

const GRANTEES: Record<string, GranteeCase> = {
  "a CloudRunService": {
    make: (s) => service(s, "grantee", "gateway"),
    written: (g) => (g as CloudRunService).serviceAccount!.member,
  },
  "a CloudRunService with an existing account": {
    make: (s) =>
      service(s, "grantee", "gateway", { serviceAccountEmail: "gateway@acme-ml-dev.iam.gserviceaccount.com" }),
    written: () => "serviceAccount:gateway@acme-ml-dev.iam.gserviceaccount.com",
  },
  "a CloudRunJob": {
    make: (s) => job(s, "grantee", "nightly"),
    written: (g) => (g as CloudRunJob).serviceAccount!.member,
  },
  "a provider ServiceAccount": {
    make: (s) => new ServiceAccount(s, "grantee", { project: PROJECT, accountId: "gateway" }),
    written: (g) => (g as ServiceAccount).member,
  },
};

const methods = Object.keys(METHODS);
const grantees = Object.keys(GRANTEES);
const eachMethodAndGrantee = methods.flatMap((m) => grantees.map((g) => [m, g] as const));

/** The Terraform address (`TYPE.LOGICAL_ID`) of a resource. */
function addressOf(r: TerraformResource): string {
  return `${r.terraformResourceType}.${TerraformStack.of(r).getLogicalId(r)}`;
}

/** The addresses of every resource of `type` in `out`, sorted. */
function addressesOfType(out: Synth, type: string): string[] {
  return Object.keys(resources(out, type))
    .map((id) => `${type}.${id}`)
    .sort();
}

describe("a member string or an IGrantee", () => {
  test.each(eachMethodAndGrantee)("%s to %s: the same resources as its member string", (name, grantee) => {
    const { make, written } = GRANTEES[grantee];
    const byGrantee = synth((s) => METHODS[name].on(s)(make(s)));
    const byString = synth((s) => METHODS[name].on(s)(written(make(s))));
    expect(byGrantee).toEqual(byString);
    expect(Object.keys(resources(byGrantee, METHODS[name].type))).toHaveLength(METHODS[name].roles.length);
  });

  test("a CloudRunService's and a CloudRunJob's member is their runtime account's; a given account's names its email", () => {
    const stack = newStack();
    const svc = service(stack, "predict", "predict");
    const nightly = job(stack, "nightly", "nightly");
    const given = service(stack, "given", "given", {
      serviceAccountEmail: "given@acme-ml-dev.iam.gserviceaccount.com",
    });
    const resolved = (v: string) => resolveTokens(stack, v);
    expect(resolved(svc.member)).toBe(resolved(svc.serviceAccount!.member));
    expect(resolved(svc.member)).toMatch(/^\$\{google_service_account\.predict_service-account_[0-9A-F]{8}\.member\}$/);
    expect(resolved(nightly.member)).toBe(resolved(nightly.serviceAccount!.member));
    expect(resolved(nightly.member)).toMatch(
      /^\$\{google_service_account\.nightly_service-account_[0-9A-F]{8}\.member\}$/,
    );
    expect(given.member).toBe("serviceAccount:given@acme-ml-dev.iam.gserviceaccount.com");
  });
});

describe("the Grant returned matches the synthesized JSON", () => {
  /** Makes the grantee and one grant to it; checks the Grant against the JSON. */
  function check(name: string, grantee: (s: Construct) => Grantee): void {
    const stack = newStack();
    const member = grantee(stack);
    const grant = METHODS[name].on(stack)(member);
    const out: Synth = JSON.parse(Testing.synth(stack));
    const { type, roles } = METHODS[name];
    expect(grant.roles).toEqual(roles);
    expect(resolveTokens(stack, grant.member)).toBe(
      resolveTokens(stack, typeof member === "string" ? member : member.member),
    );
    // The grant's resources are every IAM resource of the type, and each holds its role for the member.
    expect(grant.resources.map(addressOf).sort()).toEqual(addressesOfType(out, type));
    const written = grant.resources.map((r) => resources(out, type)[TerraformStack.of(r).getLogicalId(r)]);
    expect(written.map((w) => w.role)).toEqual(roles);
    for (const w of written) expect(w.member).toBe(resolveTokens(stack, grant.member));
  }

  test.each(methods)("%s to a member string", (name) => {
    check(name, () => MEMBER);
    const grant = METHODS[name].on(newStack())(MEMBER);
    expect(grant.member).toBe(MEMBER);
  });

  test.each(eachMethodAndGrantee)("%s to %s", (name, grantee) => check(name, GRANTEES[grantee].make));
});

describe("a Grant in another construct's dependsOn", () => {
  /** A CloudRunService `consumer` that waits for `dependsOn`. */
  const consumer = (s: Construct, dependsOn: Grant[]) => service(s, "consumer", "consumer", { dependsOn });
  const consumers = (out: Synth, type: string) =>
    Object.entries(resources(out, type))
      .filter(([id]) => id.startsWith("consumer_"))
      .map(([, r]) => r);

  test.each(methods)("%s: the consumer's resources wait for the grant's IAM resources, and only them", (name) => {
    let addresses: string[] = [];
    const out = synth((s) => {
      const grant = METHODS[name].on(s)(MEMBER);
      addresses = grant.resources.map(addressOf);
      consumer(s, [grant]);
    });
    expect(addresses).toHaveLength(METHODS[name].roles.length);
    expect(consumers(out, "google_cloud_run_v2_service").map((r) => r.depends_on)).toEqual([addresses]);
    expect(consumers(out, "google_service_account").map((r) => r.depends_on)).toEqual([addresses]);
  });

  test("a GitHubWorkloadIdentity grant: both of its members; the same Grant twice, once", () => {
    let addresses: string[] = [];
    const out = synth((s) => {
      const github = new GitHubWorkloadIdentity(s, "github", {
        repository: "acme/ml-platform",
        repositoryId: "123456789",
        ownerId: "987654",
      });
      const deploy = new ServiceAccount(s, "deploy", { accountId: "deploy" });
      const grant = github.grantEnvironment(deploy, "dev");
      addresses = grant.resources.map(addressOf);
      consumer(s, [grant, grant]);
    });
    expect(addresses).toEqual([
      expect.stringMatching(
        /^google_service_account_iam_member\.deploy_workload-identity-environment-dev_[0-9A-F]{8}$/,
      ),
      expect.stringMatching(
        /^google_service_account_iam_member\.deploy_workload-identity-environment-dev-by-id_[0-9A-F]{8}$/,
      ),
    ]);
    expect(only(out, "google_cloud_run_v2_service").depends_on).toEqual(addresses);
  });

  test("grants of two constructs, in the order given", () => {
    let addresses: string[] = [];
    const out = synth((s) => {
      const reader = repository(s).grantReader(MEMBER);
      const writer = stateBucket(new Construct(s, "state")).grantStateWriter(MEMBER);
      addresses = [...writer.resources, ...reader.resources].map(addressOf);
      consumer(s, [writer, reader]);
    });
    expect(addresses).toEqual([
      expect.stringMatching(/^google_storage_bucket_iam_member\./),
      expect.stringMatching(/^google_artifact_registry_repository_iam_member\./),
    ]);
    expect(only(out, "google_cloud_run_v2_service").depends_on).toEqual(addresses);
  });
});

describe("the same grant twice", () => {
  /** Grants to the grantee twice through one construct; checks the second returns the first's resources. */
  function twice(name: string, grantee: (s: Construct) => Grantee): void {
    let first: readonly TerraformResource[] = [];
    let again: readonly TerraformResource[] = [];
    const out = synth((s) => {
      const member = grantee(s);
      const grant = METHODS[name].on(s);
      first = grant(member).resources;
      again = grant(member).resources;
    });
    expect(again).toHaveLength(first.length);
    again.forEach((r, i) => expect(r).toBe(first[i]));
    expect(Object.keys(resources(out, METHODS[name].type))).toHaveLength(first.length);
  }

  test.each(methods)("%s to a member string: the same resources, none added", (name) => twice(name, () => MEMBER));

  test.each(methods)("%s to a CloudRunService: the same resources, none added", (name) =>
    twice(name, GRANTEES["a CloudRunService"].make),
  );

  // A provider ServiceAccount's `member` is a new token at each read: the same grant to it again is
  // recognised by the member as it resolves (a defect this test found, fixed in grantOnce).
  test.each(methods)("%s to a provider ServiceAccount: the same resources, none added", (name) =>
    twice(name, GRANTEES["a provider ServiceAccount"].make),
  );
});
