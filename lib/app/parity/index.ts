export { compareStacks, isClean } from "./compare";
export type { ParityReport, ParityRow, StackJson } from "./compare";
export { PARITY_METADATA_KEY, ParityMetadata } from "./metadata";
export type { StackParityInfo } from "./metadata";
export { renderMarkdown, renderText } from "./render";
