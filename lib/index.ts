// The package's public API. Each name is re-exported from the module that defines it.
export { ArtifactRepository } from "./artifact-repository";
export type { ArtifactRepositoryProps, CleanupProps, GrantOptions } from "./artifact-repository";
export { CloudRunService, runtimeServiceAccountId } from "./cloud-run-service";
export type {
  CloudRunServiceProps,
  HttpProbe,
  Ingress,
  InvokerOptions,
  SecretEnvVar,
  TrafficTarget,
} from "./cloud-run-service";
export type { CommonProps, Dependency } from "./common";
export { ProjectServices } from "./project-services";
export type { ProjectServicesProps } from "./project-services";
export { ValidationError } from "./validation";
export type { Problem } from "./validation";
export * as rules from "./rules";
export { API_FOR_RESOURCE, apiFor } from "./apis";
export { ConfigError, parseEnvironmentConfig } from "./config";
export type {
  EnvironmentConfig,
  ImageInRepository,
  PolicyAcknowledgement,
  RepositoryConfig,
  ServiceConfig,
} from "./config";
export { EnvironmentStack } from "./environment-stack";
export { compareStacks, isClean, renderMarkdown, renderText } from "./parity";
export type { ParityReport, ParityRow, StackJson } from "./parity";
export { PolicyPack, acknowledge, formatReport, hasErrors } from "./policy-pack";
export type { AcknowledgementRecord, Finding, PolicyPackProps, PolicyReport } from "./policy-pack";
export { RULES } from "./policies";
export type { PolicyRule, ResourceView, RuleResult, Severity, StackView, Tier } from "./policies";
