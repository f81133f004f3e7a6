import type { ArtifactRepositoryProps } from "../../constructs/artifact-repository";
import type { CloudRunServiceProps } from "../../constructs/cloud-run-service";
import { dockerRepositoryUrl } from "../../gcp/artifact-registry";
import type { EnvironmentConfig } from "./types";

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
 * The props of one service, as {@link EnvironmentStack} creates it, but for the image and the
 * traffic: those come from the environment's release file.
 */
export function serviceProps(config: EnvironmentConfig, id: string): Omit<CloudRunServiceProps, "image"> {
  const { image: _image, build: _build, name, deletionProtection, ...rest } = config.services[id];
  return {
    ...rest,
    name: name ?? id,
    project: config.project,
    location: config.region,
    deletionProtection: deletionProtection ?? config.deletionProtection ?? true,
  };
}

/** The URL of the environment's repository, as the stack creates it. */
export function repositoryUrl(config: EnvironmentConfig): string {
  const repo = repositoryProps(config);
  return dockerRepositoryUrl(repo.location, config.project, repo.repositoryId);
}
