import { Constraint, pattern } from "./validation";
import { region } from "./projects";

/** Artifact Registry: repository ids, locations, URLs and cleanup ages. */

/** Artifact Registry repository id (unverified: conservative, RFC 1035 style up to 63). */
export const repositoryId = pattern(
  /^[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?$/,
  "must be 1-63 characters of lowercase letters, digits and hyphens, start with a letter and not end with a hyphen",
);

/** Artifact Registry location: a region or one of the multi-regions. Source: AR locations docs. */
export const artifactRegistryLocation: Constraint<string> = (value) =>
  ["us", "europe", "asia"].includes(value) || region(value) === undefined
    ? undefined
    : "must be a region such as europe-west1, or one of the multi-regions us, europe, asia";

/**
 * Cleanup-policy age such as "30d", "12h", "3600s". Returned normalised to seconds, the form the
 * API stores (writing "30d" shows a permanent diff).
 */
export function parseDurationSeconds(value: string): number | undefined {
  const m = /^([0-9]+)(s|m|h|d)$/.exec(value);
  if (!m) return undefined;
  const unit = { s: 1, m: 60, h: 3600, d: 86400 }[m[2] as "s" | "m" | "h" | "d"];
  return Number(m[1]) * unit;
}

export const duration: Constraint<string> = (value) => {
  const seconds = parseDurationSeconds(value);
  return seconds !== undefined && seconds > 0
    ? undefined
    : 'must be a positive duration such as "30d", "12h", "90m" or "3600s"';
};

/**
 * Repository formats: our names for the API's. Source: Artifact Registry "Supported formats" and
 * provider 6.50 google_artifact_registry_repository (format).
 */
export const FORMATS = {
  docker: "DOCKER",
  python: "PYTHON",
  kfp: "KFP",
  npm: "NPM",
  maven: "MAVEN",
  apt: "APT",
  yum: "YUM",
  go: "GO",
  generic: "GENERIC",
} as const;
export type RepositoryFormat = keyof typeof FORMATS;

/**
 * Public upstreams of remote repositories the provider knows by name, each with the format it
 * serves and where it goes in remote_repository_config. Source: provider 6.50
 * (remote_repository_config: docker_repository.public_repository DOCKER_HUB,
 * python_repository.public_repository PYPI, npm_repository.public_repository NPMJS,
 * maven_repository.public_repository MAVEN_CENTRAL).
 */
export const UPSTREAMS = {
  "docker-hub": { format: "docker", block: "dockerRepository", value: "DOCKER_HUB" },
  pypi: { format: "python", block: "pythonRepository", value: "PYPI" },
  npmjs: { format: "npm", block: "npmRepository", value: "NPMJS" },
  "maven-central": { format: "maven", block: "mavenRepository", value: "MAVEN_CENTRAL" },
} as const;
export type Upstream = keyof typeof UPSTREAMS;

/**
 * A repository's URL, by format: `LOCATION-FORMAT.pkg.dev/PROJECT/REPOSITORY` (`docker`, `python`,
 * `npm`, `maven`, `go`, `kfp`, `generic`); `LOCATION-yum.pkg.dev/projects/PROJECT/REPOSITORY` for
 * yum; and for apt, whose sources line names the repository apart
 * (`deb ar+https://LOCATION-apt.pkg.dev/projects/PROJECT REPOSITORY main`), the part before it.
 * Source: Artifact Registry's package URLs, as its apt and yum setup lines use them.
 */
export function repositoryUrlOf(
  location: string,
  format: RepositoryFormat,
  project: string,
  repositoryId: string,
): string {
  const host = `${location}-${format}.pkg.dev`;
  if (format === "apt") return `${host}/projects/${project}`;
  if (format === "yum") return `${host}/projects/${project}/${repositoryId}`;
  return `${host}/${project}/${repositoryId}`;
}
