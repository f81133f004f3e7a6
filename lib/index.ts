export * from "./artifact-repository";
export * from "./cloud-run-service";
export * from "./common";
export * from "./project-services";
export * from "./validation";
export * as rules from "./rules";
export * from "./apis";
export * from "./config";
export * from "./environment-stack";
