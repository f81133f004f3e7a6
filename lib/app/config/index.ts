export { ConfigError, parseEnvironmentConfig } from "./parse";
export { repositoryProps, repositoryUrl, serviceProps } from "./props";
export type { EnvironmentConfig, BuildConfig, PolicyAcknowledgement, RepositoryConfig, ServiceConfig } from "./types";
export { extendEnvironment } from "./define";
export type { DeepPartial, EnvironmentOverrides, SharedConfig } from "./define";
export { configLocator } from "./origin";
