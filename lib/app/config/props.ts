import type { ArtifactRepositoryProps } from "../../constructs/artifact-repository";
import type { CloudRunServiceProps } from "../../constructs/cloud-run-service";
import { dockerRepositoryUrl } from "../../gcp/artifact-registry";
import { imageInRepository } from "../../gcp/images";
import type { EnvironmentConfig, ServiceConfig } from "./types";

/** How an environment's configuration becomes construct props. */

/** The props of the environment's repository, as {@link EnvironmentStack} creates it. */
export function repositoryProps(config: EnvironmentConfig): ArtifactRepositoryProps {
  const { location, ...rest } = config.repository;
  return {
    ...rest,
    project: config.project,
    location: location ?? config.region,
    preventDestroy: config.deletionProtection ?? true,
  };
}

/**
 * The props of one service, as {@link EnvironmentStack} creates it. `image` is left as written
 * when it names an image in the repository: the stack turns it into the repository's URI.
 */
export function serviceProps(config: EnvironmentConfig, id: string): Omit<CloudRunServiceProps, "image"> {
  const { image: _image, name, deletionProtection, ...rest } = config.services[id];
  return {
    ...rest,
    name: name ?? id,
    project: config.project,
    location: config.region,
    deletionProtection: deletionProtection ?? config.deletionProtection ?? true,
    requireImageDigest: config.requireImageDigest ?? true,
  };
}

/** The image reference a service config stands for, given the repository's URL. */
export function imageReference(image: ServiceConfig["image"], repositoryUrl: string): string {
  return typeof image === "string" ? image : imageInRepository(repositoryUrl, image.name, image.version);
}

/** The URL of the environment's repository, as the stack creates it. */
export function repositoryUrl(config: EnvironmentConfig): string {
  const repo = repositoryProps(config);
  return dockerRepositoryUrl(repo.location, config.project, repo.repositoryId);
}
