/*
 * The per-environment app: configuration, the environment stack, parity, the synth driver. Used
 * by main.ts, environments/ and scripts/; not part of the published library (lib/index.ts).
 */
export * from "./config";
export { apiFor } from "./resources";
export { EnvironmentStack } from "./environment-stack";
export { environmentFiles, environmentMatrix } from "./environments";
export type { EnvironmentFile, MatrixEntry } from "./environments";
export { describeFailure, synthesize } from "./synth";
export type { SynthResult } from "./synth";
