/**
 * ArtifactRepository (lib/constructs/artifact-repository.ts): what it writes by default and with
 * each option, image URIs, grants, formats and remote repositories, customer-managed keys, and
 * every refusal at its boundary, naming the field and the value.
 */
import { TerraformStack, Testing } from "cdktf";
import {
  ArtifactRepository,
  ArtifactRepositoryProps,
  CloudRunService,
  PolicyPack,
  ProjectServices,
  ValidationError,
} from "../../lib";
import { ArtifactRegistryRepositoryIamMember, GoogleProvider } from "../../lib/providers";
import { DIGEST, Json, errorOf, newStack, only, resources, synth } from "../helpers";
import { refused } from "./refused";
import { KEY, PROJECT, REGION, grpcProps, stack } from "./serving-fixture";

const base: ArtifactRepositoryProps = { project: "acme-ml-dev", location: "europe-west1", repositoryId: "models" };
const repoOf = (props: Partial<ArtifactRepositoryProps> = {}) =>
  only(
    synth((s) => new ArtifactRepository(s, "images", { ...base, ...props })),
    "google_artifact_registry_repository",
  );
/** A repository `cache` in the serving fixture's stack, with `props`, synthesized. */
const repo = (props: Partial<ArtifactRepositoryProps>) =>
  stack((s) => new ArtifactRepository(s, "repo", { repositoryId: "cache", location: REGION, ...props }));

describe("ArtifactRepository defaults", () => {
  const repo = repoOf();

  test("a Docker repository with immutable tags", () => {
    expect(repo).toMatchObject({
      format: "DOCKER",
      mode: "STANDARD_REPOSITORY",
      repository_id: "models",
      location: "europe-west1",
      project: "acme-ml-dev",
      docker_config: { immutable_tags: true },
    });
  });

  test("protected from destroy", () => {
    expect(repo.lifecycle).toEqual({ prevent_destroy: true });
  });

  test("vulnerability scanning follows the project setting", () => {
    expect(repo.vulnerability_scanning_config).toEqual({ enablement_config: "INHERITED" });
  });

  test("cleanup keeps the 10 most recent and deletes untagged versions after 30 days, in seconds", () => {
    expect(repo.cleanup_policy_dry_run).toBe(false);
    expect(repo.cleanup_policies).toEqual([
      { id: "delete-untagged", action: "DELETE", condition: { tag_state: "UNTAGGED", older_than: "2592000s" } },
      { id: "keep-most-recent", action: "KEEP", most_recent_versions: { keep_count: 10 } },
    ]);
  });

  test("no labels, description or depends_on unless given", () => {
    expect(repo).not.toHaveProperty("labels");
    expect(repo).not.toHaveProperty("description");
    expect(repo).not.toHaveProperty("depends_on");
  });
});

describe("ArtifactRepository options", () => {
  test("every option reaches the resource", () => {
    const repo = repoOf({
      description: "Model images",
      labels: { team: "ml", app: "predict" },
      immutableTags: false,
      vulnerabilityScanning: false,
      preventDestroy: false,
      cleanup: { keepMostRecentVersions: 3, deleteUntaggedOlderThan: "12h", dryRun: true },
    });
    expect(repo).toMatchObject({
      description: "Model images",
      labels: { app: "predict", team: "ml" },
      docker_config: { immutable_tags: false },
      vulnerability_scanning_config: { enablement_config: "DISABLED" },
      lifecycle: { prevent_destroy: false },
      cleanup_policy_dry_run: true,
      cleanup_policies: [
        { id: "delete-untagged", condition: { older_than: "43200s" } },
        { id: "keep-most-recent", most_recent_versions: { keep_count: 3 } },
      ],
    });
    expect(Object.keys(repo.labels as object)).toEqual(["app", "team"]);
  });

  test("cleanup: false writes no policies", () => {
    const repo = repoOf({ cleanup: false });
    expect(repo).not.toHaveProperty("cleanup_policies");
    expect(repo).not.toHaveProperty("cleanup_policy_dry_run");
  });

  test("dependsOn a ProjectServices waits for every API in it", () => {
    const out = synth((s) => {
      const apis = new ProjectServices(s, "apis", {
        services: ["run.googleapis.com", "artifactregistry.googleapis.com"],
      });
      new ArtifactRepository(s, "images", { ...base, dependsOn: [apis] });
    });
    expect(only(out, "google_artifact_registry_repository").depends_on).toEqual([
      expect.stringMatching(/^google_project_service\.apis_artifactregistry-googleapis-com_/),
      expect.stringMatching(/^google_project_service\.apis_run-googleapis-com_/),
    ]);
  });
});

describe("ArtifactRepository.imageUri", () => {
  const repo = new ArtifactRepository(newStack(), "images", base);

  test("tag and digest forms", () => {
    expect(repo.imageUri("predict-api", "1.4.2")).toBe(
      "europe-west1-docker.pkg.dev/acme-ml-dev/models/predict-api:1.4.2",
    );
    expect(repo.imageUri("team/predict-api", DIGEST)).toBe(
      `europe-west1-docker.pkg.dev/acme-ml-dev/models/team/predict-api@${DIGEST}`,
    );
  });

  test("multi-region hosts", () => {
    const us = new ArtifactRepository(newStack(), "images", { ...base, location: "us" });
    expect(us.repositoryUrl).toBe("us-docker.pkg.dev/acme-ml-dev/models");
  });

  test("without a project, the URL refers to the repository's project", () => {
    const out = synth((s) => {
      const r = new ArtifactRepository(s, "images", { location: "europe-west1", repositoryId: "models" });
      new ArtifactRepository(s, "other", {
        location: "europe-west1",
        repositoryId: "other",
        description: r.repositoryUrl,
      });
    });
    const other = Object.values(resources(out, "google_artifact_registry_repository")).find(
      (r) => r.repository_id === "other",
    );
    expect(other?.description).toMatch(
      /^europe-west1-docker\.pkg\.dev\/\$\{google_artifact_registry_repository\.images_repository_[0-9A-F]+\.project\}\/models$/,
    );
  });

  test("refuses malformed names, tags and digests, naming each", () => {
    expect(errorOf(() => repo.imageUri("Predict", "-bad"))).toMatch(
      /image: got "Predict"; an image name must be lowercase[\s\S]*tagOrDigest: got "-bad"; a tag must be/,
    );
    expect(() => repo.imageUri("predict", "sha256:abc")).toThrow(
      /tagOrDigest: got "sha256:abc"; a digest must be sha256:/,
    );
    expect(() => repo.imageUri("predict", "x".repeat(128))).not.toThrow();
    expect(() => repo.imageUri("predict", "x".repeat(129))).toThrow(/a tag must be 1-128/);
  });
});

describe("ArtifactRepository grants", () => {
  test("grantReader and grantWriter add additive IAM members and return them", () => {
    const out = synth((s) => {
      const repo = new ArtifactRepository(s, "images", base);
      const reader = repo.grantReader("serviceAccount:run@acme-ml-dev.iam.gserviceaccount.com");
      const writer = repo.grantWriter("serviceAccount:ci@acme-ml-dev.iam.gserviceaccount.com");
      expect(reader.roles).toEqual(["roles/artifactregistry.reader"]);
      expect(writer.roles).toEqual(["roles/artifactregistry.writer"]);
      expect(reader.resources[0]).toBeInstanceOf(ArtifactRegistryRepositoryIamMember);
      expect(repo.grantReader("serviceAccount:run@acme-ml-dev.iam.gserviceaccount.com").resources).toEqual(
        reader.resources,
      );
    });
    const members = Object.entries(resources(out, "google_artifact_registry_repository_iam_member"));
    expect(members).toHaveLength(2);
    expect(members.map(([id]) => id)).toEqual([
      expect.stringMatching(/^images_reader-serviceaccount-run-acme-ml-dev-iam-gserviceaccount-com_/),
      expect.stringMatching(/^images_writer-serviceaccount-ci-acme-ml-dev-iam-gserviceaccount-com_/),
    ]);
    expect(members[0][1]).toMatchObject({
      project: "acme-ml-dev",
      location: "europe-west1",
      repository: expect.stringMatching(
        /^\$\{google_artifact_registry_repository\.images_repository_[0-9A-F]+\.name\}$/,
      ),
      member: "serviceAccount:run@acme-ml-dev.iam.gserviceaccount.com",
    });
  });

  test("grantAdmin: the repository's managing role on the repository only; an id keeps the address apart from the member", () => {
    const out = synth((s) => {
      const repo = new ArtifactRepository(s, "images", base);
      const admin = repo.grantAdmin("serviceAccount:terraform-deploy@acme-ml-dev.iam.gserviceaccount.com", {
        id: "deploy",
      });
      expect(admin.roles).toEqual(["roles/artifactregistry.admin"]);
      expect(admin.resources.map((r) => r.node.id)).toEqual(["admin-deploy"]);
      repo.grantWriter("serviceAccount:image-builder@acme-ml-dev.iam.gserviceaccount.com", { id: "builder" });
      expect(() => repo.grantAdmin("allUsers")).toThrow(/admins can never be public/);
      expect(() => repo.grantAdmin("serviceAccount:x@acme-ml-dev.iam.gserviceaccount.com", { id: "Deploy" })).toThrow(
        /ArtifactRepository "test\/images"\.grantAdmin\(\).*options\.id: got "Deploy"; must be 1-63 lowercase letters/s,
      );
    });
    const members = Object.entries(resources(out, "google_artifact_registry_repository_iam_member"));
    expect(members.map(([id, r]) => [id.replace(/_[0-9A-F]{8}$/, ""), r.role, r.member])).toEqual([
      [
        "images_admin-deploy",
        "roles/artifactregistry.admin",
        "serviceAccount:terraform-deploy@acme-ml-dev.iam.gserviceaccount.com",
      ],
      [
        "images_writer-builder",
        "roles/artifactregistry.writer",
        "serviceAccount:image-builder@acme-ml-dev.iam.gserviceaccount.com",
      ],
    ]);
  });

  test("public readers need allowPublic; public writers are never allowed", () => {
    const repo = new ArtifactRepository(newStack(), "images", base);
    expect(() => repo.grantReader("allUsers")).toThrow(
      /member: got "allUsers"; a public reader exposes every image.*allowPublic/,
    );
    expect(() => repo.grantReader("allUsers", { allowPublic: true })).not.toThrow();
    expect(() => repo.grantWriter("allAuthenticatedUsers")).toThrow(/writers can never be public/);
    expect(() => repo.grantReader("run@acme-ml-dev.iam.gserviceaccount.com")).toThrow(/must be an IAM principal/);
  });
});

describe("ArtifactRepository validation", () => {
  const build = (props: Partial<ArtifactRepositoryProps>) => () =>
    new ArtifactRepository(newStack(), "images", { ...base, ...props });

  test.each([
    ["repositoryId", "a".repeat(63), "a".repeat(64)],
    ["repositoryId", "m", "1models"],
    ["repositoryId", "models-2", "models-"],
    ["location", "europe-west1", "europe-west"],
    ["location", "us", "mars"],
    ["location", "asia", "EU"],
    ["project", "acme-ml", "acme"],
    ["project", "a".repeat(30), "a".repeat(31)],
    ["project", "acme-ml-dev", "google-ml-dev"],
  ])("%s: %j passes, %j fails", (prop, good, bad) => {
    expect(build({ [prop]: good })).not.toThrow();
    expect(errorOf(build({ [prop]: bad }))).toContain(`${prop}: got ${JSON.stringify(bad)}`);
  });

  test("labels: keys and values at their limits", () => {
    expect(build({ labels: { ["k".repeat(63)]: "v".repeat(63) } })).not.toThrow();
    const msg = errorOf(build({ labels: { ["k".repeat(64)]: "ok", Team: "ml", ok: "V".repeat(2) } }));
    expect(msg).toMatch(/labels\.k{64}: got "k{64}"; label keys must be 1-63/);
    expect(msg).toMatch(/labels\.Team: got "Team"; label keys/);
    expect(msg).toMatch(/labels\.ok: got "VV"; label values must be/);
    const many = Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, "v"]));
    expect(errorOf(build({ labels: many }))).toMatch(/labels: got "65 labels"; at most 64 labels/);
    const sixtyFour = Object.fromEntries(Array.from({ length: 64 }, (_, i) => [`k${i}`, "v"]));
    expect(build({ labels: sixtyFour })).not.toThrow();
  });

  test("cleanup values", () => {
    expect(build({ cleanup: { keepMostRecentVersions: 1 } })).not.toThrow();
    expect(errorOf(build({ cleanup: { keepMostRecentVersions: 0 } }))).toMatch(
      /cleanup\.keepMostRecentVersions: got 0/,
    );
    expect(errorOf(build({ cleanup: { deleteUntaggedOlderThan: "30 days" } }))).toMatch(
      /cleanup\.deleteUntaggedOlderThan: got "30 days"; must be a positive duration/,
    );
    expect(errorOf(build({ cleanup: { deleteUntaggedOlderThan: "0d" } }))).toMatch(/positive duration/);
  });

  test("all problems in one ValidationError", () => {
    let caught: unknown;
    try {
      build({ repositoryId: "Models", location: "Europe", project: "x" })();
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(ValidationError);
    expect((caught as ValidationError).problems.map((p) => p.path)).toEqual(["project", "repositoryId", "location"]);
    expect((caught as ValidationError).message).toMatch(/^ArtifactRepository "test\/images" has 3 invalid props:/);
  });
});

describe("ArtifactRepository: formats and remote repositories", () => {
  test("a Python cache of PyPI and an encrypted Docker Hub cache, each with its upstream", () => {
    const out = stack((s) => {
      new ArtifactRepository(s, "pypi", {
        repositoryId: "pypi-cache",
        location: REGION,
        format: "python",
        remote: { upstream: "pypi" },
      });
      new ArtifactRepository(s, "hub", {
        repositoryId: "dockerhub-cache",
        location: REGION,
        remote: { upstream: "docker-hub" },
        encryptionKey: `projects/acme-kms/locations/${REGION}/keyRings/ml/cryptoKeys/registry`,
      });
    });
    const repos = Object.values<Json>(resources(out, "google_artifact_registry_repository"));
    const pypi = repos.find((r) => r.repository_id === "pypi-cache")!;
    expect(pypi).toMatchObject({
      format: "PYTHON",
      mode: "REMOTE_REPOSITORY",
      remote_repository_config: { python_repository: { public_repository: "PYPI" } },
    });
    expect(pypi.docker_config).toBeUndefined();
    expect(pypi.vulnerability_scanning_config).toBeUndefined();
    const hub = repos.find((r) => r.repository_id === "dockerhub-cache")!;
    expect(hub).toMatchObject({
      format: "DOCKER",
      mode: "REMOTE_REPOSITORY",
      remote_repository_config: { docker_repository: { public_repository: "DOCKER_HUB" } },
      kms_key_name: `projects/acme-kms/locations/${REGION}/keyRings/ml/cryptoKeys/registry`,
    });
    const [grantId, grant] = Object.entries<Json>(resources(out, "google_kms_crypto_key_iam_member"))[0];
    expect(grant.member).toMatch(/@gcp-sa-artifactregistry\.iam\.gserviceaccount\.com$/);
    expect(hub.depends_on).toEqual([`google_kms_crypto_key_iam_member.${grantId}`]);
  });

  test("an unknown upstream, an upstream of another format, an unknown format; images only in Docker repositories", () => {
    refused(
      () => repo({ remote: { upstream: "ghcr" as never } }),
      "remote.upstream",
      "ghcr",
      /must be one of "docker-hub", "pypi", "npmjs", "maven-central"/,
    );
    refused(
      () => repo({ remote: { upstream: "pypi" } }),
      "remote.upstream",
      "pypi",
      /serves python packages; the repository's format is "docker"/,
    );
    refused(() => repo({ format: "wheel" as never }), "format", "wheel", /must be one of "docker", "python", "kfp"/);
    let kfp: ArtifactRepository | undefined;
    stack((s) => {
      kfp = new ArtifactRepository(s, "kfp", { repositoryId: "pipelines", location: REGION, format: "kfp" });
    });
    expect(() => kfp!.imageUri("x", "1.0")).toThrow(/images are in Docker repositories only/);
  });

  test("a package repository: its URL names its format, no Docker-only settings, cleanup only when asked", () => {
    let py: ArtifactRepository | undefined;
    const out = stack((s) => {
      py = new ArtifactRepository(s, "py", {
        repositoryId: "wheels",
        location: REGION,
        project: PROJECT,
        format: "python",
      });
    });
    expect(py!.repositoryUrl).toBe(`${REGION}-python.pkg.dev/${PROJECT}/wheels`);
    // yum and apt name the project under projects/; apt's sources line names the repository apart.
    const urls: Record<string, string> = {};
    stack((s) => {
      for (const format of ["yum", "apt", "npm"] as const) {
        urls[format] = new ArtifactRepository(s, format, {
          repositoryId: `os-${format}`,
          location: REGION,
          project: PROJECT,
          format,
        }).repositoryUrl;
      }
    });
    expect(urls).toEqual({
      yum: `${REGION}-yum.pkg.dev/projects/${PROJECT}/os-yum`,
      apt: `${REGION}-apt.pkg.dev/projects/${PROJECT}`,
      npm: `${REGION}-npm.pkg.dev/${PROJECT}/os-npm`,
    });
    const wheels = Object.values<Json>(resources(out, "google_artifact_registry_repository"))[0];
    expect(wheels.cleanup_policies).toBeUndefined();
    refused(
      () => repo({ format: "python", vulnerabilityScanning: true }),
      "vulnerabilityScanning",
      true,
      /Docker repositories only/,
    );
    refused(
      () => repo({ remote: { upstream: "docker-hub" }, immutableTags: true }),
      "immutableTags",
      true,
      /standard Docker repositories only/,
    );
  });

  test("AR-001 asks Docker repositories for cleanup, not package repositories", () => {
    const s = new TerraformStack(Testing.app(), "serving");
    new GoogleProvider(s, "google", { project: PROJECT, region: REGION });
    new ArtifactRepository(s, "py", { repositoryId: "wheels", location: REGION, format: "python" });
    new ArtifactRepository(s, "images", { repositoryId: "images", location: REGION, cleanup: false });
    const ar001 = new PolicyPack({ stage: "production" })
      .evaluate(s)
      .findings.filter((f) => f.ruleId === "AR-001")
      .map((f) => f.path);
    expect(ar001).toEqual([expect.stringMatching(/images/)]);
  });

  test("a key's grants wait for the APIs, whose enabling creates the service agents", () => {
    const out = stack((s) => {
      const apis = new ProjectServices(s, "apis", {
        services: ["run.googleapis.com", "artifactregistry.googleapis.com", "cloudkms.googleapis.com"],
      });
      new CloudRunService(s, "grpc", { ...grpcProps, projectNumber: "123456789012", dependsOn: [apis] });
      new ArtifactRepository(s, "repo", {
        repositoryId: "images",
        location: REGION,
        encryptionKey: KEY,
        projectNumber: "123456789012",
        dependsOn: [apis],
      });
    });
    const grants = Object.values<Json>(resources(out, "google_kms_crypto_key_iam_member"));
    expect(grants.map((g) => g.member).sort()).toEqual([
      "serviceAccount:service-123456789012@gcp-sa-artifactregistry.iam.gserviceaccount.com",
      "serviceAccount:service-123456789012@serverless-robot-prod.iam.gserviceaccount.com",
    ]);
    for (const g of grants) {
      expect(g.depends_on).toEqual(expect.arrayContaining([expect.stringMatching(/^google_project_service\./)]));
    }
  });

  test("grantKeyAccess: false leaves the key's grant to whoever made the key", () => {
    const out = repo({ encryptionKey: KEY, grantKeyAccess: false, projectNumber: "123456789012" });
    expect(resources(out, "google_kms_crypto_key_iam_member")).toEqual({});
    const r = Object.values<Json>(resources(out, "google_artifact_registry_repository"))[0];
    expect(r.kms_key_name).toBe(KEY);
    expect(r.depends_on).toBeUndefined();
  });

  // Moved from serving.test.ts "a malformed key id, on the service and on a repository"; the
  // service's half is in cloud-run-service.test.ts.
  test("a malformed key id", () => {
    refused(
      () => repo({ encryptionKey: "projects/acme-kms/keyRings/ml" }),
      "encryptionKey",
      "projects/acme-kms/keyRings/ml",
      /must be a key id/,
    );
  });
});

describe("ArtifactRepository projectNumber", () => {
  test("digits pass; anything else is refused at projectNumber", () => {
    expect(() =>
      synth((s) => new ArtifactRepository(s, "images", { ...base, projectNumber: "123456789012" })),
    ).not.toThrow();
    const message = errorOf(() =>
      synth((s) => new ArtifactRepository(s, "images", { ...base, projectNumber: "acme" })),
    );
    expect(message).toMatch(/projectNumber: got "acme"; must be the project's number: digits/);
  });
});
