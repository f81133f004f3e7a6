import { guardPolicyPlacement } from "./common";
import { ITerraformDependable, Token } from "cdktf";
import { Construct } from "constructs";
import { artifactRegistryLocation, duration, parseDurationSeconds, repositoryId } from "../gcp/artifact-registry";
import { iamMember, isPublicMember } from "../gcp/iam";
import { imageDigest, imageInRepository, imageName, imageTag } from "../gcp/images";
import { checkLabels, projectNumber } from "../gcp/projects";
import { sortedRecord } from "../gcp/terraform";
import { Problem, Problems, hasOwn, intRange, oneOf, throwIfInvalid } from "../gcp/validation";
import {
  ArtifactRegistryRepository,
  ArtifactRegistryRepositoryCleanupPolicies,
  ArtifactRegistryRepositoryIamMember,
} from "../providers";
import { FORMATS, RepositoryFormat, UPSTREAMS, Upstream, repositoryUrlOf } from "../gcp/artifact-registry";
import { SERVICE_AGENTS, kmsKeyName } from "../gcp/run";
import { CommonProps, checkCommonProps, grantId, projectNumberOf, resolveDependencies } from "./common";
import { Grant, Grantee, grantKeyUse, grantOf, grantOnce, memberOf } from "./grants";

/** Cleanup policies of an {@link ArtifactRepository}. */
export interface CleanupProps {
  /**
   * Keep this many most recent versions of each image, whatever else the policies say.
   * @default 10
   */
  readonly keepMostRecentVersions?: number;

  /**
   * Delete untagged versions older than this ("30d", "12h", "90m", "3600s"). Written to the
   * API in seconds, the form it stores.
   * @default "30d"
   */
  readonly deleteUntaggedOlderThan?: string;

  /**
   * Only report what the policies would delete, without deleting.
   * @default false
   */
  readonly dryRun?: boolean;
}

export interface ArtifactRepositoryProps extends CommonProps {
  /**
   * The repository id, the last part of its name. Changing it replaces the repository.
   * 1-63 lowercase letters, digits and hyphens, starting with a letter.
   */
  readonly repositoryId: string;

  /** A region (`europe-west1`) or multi-region (`us`, `europe`, `asia`). */
  readonly location: string;

  /**
   * What it stores: `"docker"` images, `"python"` packages, `"kfp"` pipeline templates, `"npm"`,
   * `"maven"`, `"apt"`, `"yum"`, `"go"` or `"generic"`. Docker-only settings (immutable tags,
   * vulnerability scanning, {@link ArtifactRepository.imageUri}) apply to Docker repositories.
   * @default "docker"
   */
  readonly format?: RepositoryFormat;

  /**
   * A remote repository: a cache of a public upstream (`"docker-hub"`, `"pypi"`, `"npmjs"`,
   * `"maven-central"`), whose format must match. Builds pull through it instead of the internet.
   * @default - a standard repository
   */
  readonly remote?: { readonly upstream: Upstream };

  /**
   * A customer-managed key (`projects/P/locations/L/keyRings/R/cryptoKeys/K`). The project's
   * Artifact Registry service agent is granted `roles/cloudkms.cryptoKeyEncrypterDecrypter` on it,
   * and the repository waits for the grant. Changing it replaces the repository.
   * @default - Google-managed encryption
   */
  readonly encryptionKey?: string;

  /**
   * Grant the Artifact Registry service agent the use of `encryptionKey`. Turn it off when the
   * grant is made elsewhere.
   * @default true
   */
  readonly grantKeyAccess?: boolean;

  /**
   * The project's number, which names its service agent (for `encryptionKey`).
   * @default - read with a `google_project` data source
   */
  readonly projectNumber?: string;

  /**
   * A description shown in the console.
   * @default - none
   */
  readonly description?: string;

  /**
   * Labels on the repository.
   * @see https://cloud.google.com/resource-manager/docs/labels-overview#requirements
   * @default - none
   */
  readonly labels?: Readonly<Record<string, string>>;

  /**
   * Refuse to move a tag once pushed, so a tag always means the same image. Standard Docker
   * repositories only; refused elsewhere.
   * @default true (standard Docker repositories)
   */
  readonly immutableTags?: boolean;

  /**
   * Cleanup policies, or `false` for none.
   * @default - Docker: keep the 10 most recent versions, delete untagged versions older than 30
   *   days; other formats: none
   */
  readonly cleanup?: CleanupProps | false;

  /**
   * Scan pushed images for vulnerabilities. `true` writes `INHERITED` (scanning follows the
   * project's Container Scanning API setting), `false` writes `DISABLED`. Docker repositories
   * only; refused elsewhere.
   * @default true (Docker repositories)
   */
  readonly vulnerabilityScanning?: boolean;

  /**
   * Add Terraform's `lifecycle.prevent_destroy`, so a plan that would delete the repository (and
   * every image in it) fails. The resource has no `deletion_protection` field of its own.
   * @default true
   */
  readonly preventDestroy?: boolean;
}

/** Options of a grant on a repository. */
export interface GrantOptions {
  /**
   * Allow `allUsers` or `allAuthenticatedUsers`, which makes the grant public (readers only).
   * @default false
   */
  readonly allowPublic?: boolean;
  /**
   * A name for the grant in its construct id (`reader-ID`, `writer-ID`, `admin-ID`): for a member
   * whose email differs between environments (it holds the project), so that the addresses do not.
   * @default - derived from the member
   */
  readonly id?: string;
}

/**
 * The roles behind {@link ArtifactRepository.grantReader}, {@link ArtifactRepository.grantWriter}
 * and {@link ArtifactRepository.grantAdmin}.
 */
export const REPOSITORY_ROLES = {
  reader: "roles/artifactregistry.reader",
  writer: "roles/artifactregistry.writer",
  admin: "roles/artifactregistry.admin",
} as const;

const DEFAULT_KEEP = 10;
const DEFAULT_UNTAGGED_AGE = "30d";

/** Checks {@link ArtifactRepositoryProps}; returns every problem, with prop paths. */
export function validateArtifactRepositoryProps(props: ArtifactRepositoryProps): Problem[] {
  const problems = new Problems();
  checkCommonProps(problems, props);
  problems.check("repositoryId", props.repositoryId, repositoryId);
  problems.check("location", props.location, artifactRegistryLocation);
  checkLabels(problems, "labels", props.labels);
  if (props.description !== undefined && props.description.length > 256) {
    problems.add("description", props.description, "must be at most 256 characters");
  }
  const format = props.format ?? "docker";
  problems.check("format", props.format, oneOf(FORMATS));
  if (props.remote !== undefined) {
    const upstream = props.remote.upstream;
    if (!hasOwn(UPSTREAMS, upstream)) {
      problems.add(
        "remote.upstream",
        upstream,
        `must be one of ${Object.keys(UPSTREAMS)
          .map((k) => `"${k}"`)
          .join(", ")} (the public upstreams the provider knows)`,
      );
    } else if (UPSTREAMS[upstream].format !== format) {
      problems.add(
        "remote.upstream",
        upstream,
        `serves ${UPSTREAMS[upstream].format} packages; the repository's format is "${format}" (set format: "${UPSTREAMS[upstream].format}")`,
      );
    }
  }
  problems.check("encryptionKey", props.encryptionKey, kmsKeyName);
  problems.check("projectNumber", props.projectNumber, projectNumber);
  // Docker settings on a repository they do not apply to are refused, not dropped.
  const standardDocker = format === "docker" && props.remote === undefined;
  if (props.immutableTags !== undefined && !standardDocker) {
    problems.add(
      "immutableTags",
      props.immutableTags,
      "applies to standard Docker repositories only (a remote repository's tags are its upstream's)",
    );
  }
  if (props.vulnerabilityScanning !== undefined && format !== "docker") {
    problems.add("vulnerabilityScanning", props.vulnerabilityScanning, "applies to Docker repositories only");
  }
  if (props.cleanup) {
    problems.check(
      "cleanup.keepMostRecentVersions",
      props.cleanup.keepMostRecentVersions,
      intRange(1, 10000, "must be a whole number from 1 to 10000"),
    );
    problems.check("cleanup.deleteUntaggedOlderThan", props.cleanup.deleteUntaggedOlderThan, duration);
  }
  return [...problems.list];
}

/**
 * A Docker-format Artifact Registry repository with immutable tags, cleanup policies,
 * vulnerability scanning and protection from destroy by default.
 *
 * The construct id of the repository resource inside is `repository`; it becomes the Terraform
 * address, so it never changes between versions.
 */
export class ArtifactRepository extends Construct {
  /** The `google_artifact_registry_repository` resource. */
  readonly repository: ArtifactRegistryRepository;
  readonly repositoryId: string;
  readonly location: string;
  /**
   * Where clients reach it: `LOCATION-docker.pkg.dev/PROJECT/REPOSITORY`, the prefix of every
   * image in a Docker repository; `LOCATION-FORMAT.pkg.dev/PROJECT/REPOSITORY` for most other
   * formats; `LOCATION-yum.pkg.dev/projects/PROJECT/REPOSITORY` for yum; and for apt
   * `LOCATION-apt.pkg.dev/projects/PROJECT`, the sources line naming the repository after it.
   */
  readonly repositoryUrl: string;
  /** What it stores. */
  readonly format: RepositoryFormat;

  private readonly project?: string;

  constructor(scope: Construct, id: string, props: ArtifactRepositoryProps) {
    super(scope, id);
    guardPolicyPlacement(this);
    throwIfInvalid(this, "ArtifactRepository", validateArtifactRepositoryProps(props));

    this.repositoryId = props.repositoryId;
    this.location = props.location;
    this.project = props.project;
    const dependsOn = resolveDependencies(props.dependsOn);

    const format = props.format ?? "docker";
    // The default cleanup deletes untagged versions: Docker's notion. Packages have no tags, so
    // other formats get cleanup only when asked for.
    const cleanup = props.cleanup === false ? undefined : (props.cleanup ?? (format === "docker" ? {} : undefined));
    const docker = format === "docker";
    const upstream = props.remote === undefined ? undefined : UPSTREAMS[props.remote.upstream];
    // The Artifact Registry service agent may use the key; the repository waits for the grant, and
    // the grant for dependsOn (the agent appears when the API is enabled).
    const keyGrants: ITerraformDependable[] = [];
    if (props.encryptionKey !== undefined && props.grantKeyAccess !== false) {
      const number = projectNumberOf(this, props.projectNumber, props.project);
      keyGrants.push(grantKeyUse(this, props.encryptionKey, SERVICE_AGENTS.artifactRegistry(number), dependsOn));
    }
    this.format = format;
    this.repository = new ArtifactRegistryRepository(this, "repository", {
      project: props.project,
      location: props.location,
      repositoryId: props.repositoryId,
      description: props.description,
      format: FORMATS[format],
      mode: upstream === undefined ? "STANDARD_REPOSITORY" : "REMOTE_REPOSITORY",
      remoteRepositoryConfig:
        upstream === undefined
          ? undefined
          : {
              description: `Cache of ${props.remote!.upstream}`,
              [upstream.block]: { publicRepository: upstream.value },
            },
      kmsKeyName: props.encryptionKey,
      labels: sortedRecord(props.labels),
      // Tags of a remote repository are the upstream's: immutability is a standard Docker setting.
      dockerConfig: docker && upstream === undefined ? { immutableTags: props.immutableTags ?? true } : undefined,
      cleanupPolicyDryRun: cleanup === undefined ? undefined : (cleanup.dryRun ?? false),
      cleanupPolicies: cleanup === undefined ? undefined : cleanupPolicies(cleanup),
      vulnerabilityScanningConfig: docker
        ? { enablementConfig: (props.vulnerabilityScanning ?? true) ? "INHERITED" : "DISABLED" }
        : undefined,
      lifecycle: { preventDestroy: props.preventDestroy ?? true },
      dependsOn: dependsOn.length + keyGrants.length > 0 ? [...dependsOn, ...keyGrants] : undefined,
    });

    this.repositoryUrl = repositoryUrlOf(
      props.location,
      format,
      props.project ?? this.repository.project,
      props.repositoryId,
    );
  }

  /**
   * The full reference of an image in this repository: `…/IMAGE:TAG`, or `…/IMAGE@sha256:…` when
   * given a `sha256:` digest. Throws when the image name, tag or digest is malformed.
   */
  imageUri(image: string, tagOrDigest: string): string {
    const problems = new Problems().check("image", image, imageName);
    if (this.format !== "docker")
      problems.add("format", this.format, 'images are in Docker repositories only (format "docker")');
    const isDigest = tagOrDigest.startsWith("sha256:");
    problems.check("tagOrDigest", tagOrDigest, isDigest ? imageDigest : imageTag);
    problems.throwIfAny(`ArtifactRepository "${this.node.path}".imageUri()`);
    return imageInRepository(this.repositoryUrl, image, tagOrDigest);
  }

  /** Lets `grantee` pull images (`roles/artifactregistry.reader`). Construct id: `reader-<member>`. */
  grantReader(grantee: Grantee, options: GrantOptions = {}): Grant {
    return this.grant("reader", memberOf(grantee), options);
  }

  /** Lets `grantee` push images (`roles/artifactregistry.writer`). Never public. Construct id: `writer-<member>`. */
  grantWriter(grantee: Grantee, options: Pick<GrantOptions, "id"> = {}): Grant {
    return this.grant("writer", memberOf(grantee), { id: options.id });
  }

  /**
   * Lets `grantee` manage this repository, its settings and its IAM policy, and delete it
   * (`roles/artifactregistry.admin`), here only: for the identity that deploys it, in place of the
   * same role on the project, which would reach every repository there and create more (Artifact
   * Registry does not read the resource attributes of IAM Conditions). The grant needs the
   * repository, so its first apply is by someone who may set its IAM policy already. Never
   * public. Construct id: `admin-<member>`.
   */
  grantAdmin(grantee: Grantee, options: Pick<GrantOptions, "id"> = {}): Grant {
    return this.grant("admin", memberOf(grantee), { id: options.id });
  }

  private grant(kind: keyof typeof REPOSITORY_ROLES, member: string, options: GrantOptions): Grant {
    const method = { reader: "grantReader", writer: "grantWriter", admin: "grantAdmin" }[kind];
    const subject = `ArtifactRepository "${this.node.path}".${method}()`;
    const problems = new Problems().check("member", member, iamMember);
    if (!Token.isUnresolved(member) && isPublicMember(member) && !(kind === "reader" && options.allowPublic)) {
      problems.add(
        "member",
        member,
        kind === "reader"
          ? "a public reader exposes every image to the internet; pass { allowPublic: true } if that is intended (checkov CKV_GCP_101)"
          : `${kind}s can never be public`,
      );
    }
    if (options.id !== undefined && !/^[a-z][a-z0-9-]{0,62}$/.test(options.id)) {
      problems.add(
        "options.id",
        options.id,
        "must be 1-63 lowercase letters, digits and hyphens, starting with a letter",
      );
    }
    problems.throwIfAny(subject);
    const role = REPOSITORY_ROLES[kind];
    const id = options.id === undefined ? grantId(this, kind, member) : `${kind}-${options.id}`;
    const resource = grantOnce(
      this,
      id,
      { role, member },
      () =>
        new ArtifactRegistryRepositoryIamMember(this, id, {
          project: this.project,
          location: this.location,
          repository: this.repository.name,
          role,
          member,
        }),
      { subject, path: "member", value: member },
    );
    return grantOf(member, [{ role, resource }]);
  }
}

function cleanupPolicies(cleanup: CleanupProps): ArtifactRegistryRepositoryCleanupPolicies[] {
  const olderThan = cleanup.deleteUntaggedOlderThan ?? DEFAULT_UNTAGGED_AGE;
  const seconds = parseDurationSeconds(olderThan);
  return [
    {
      id: "delete-untagged",
      action: "DELETE",
      condition: { tagState: "UNTAGGED", olderThan: seconds === undefined ? olderThan : `${seconds}s` },
    },
    {
      id: "keep-most-recent",
      action: "KEEP",
      mostRecentVersions: { keepCount: cleanup.keepMostRecentVersions ?? DEFAULT_KEEP },
    },
  ];
}
