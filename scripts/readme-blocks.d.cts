/** A fenced block of README.md (see readme-blocks.cjs). */
export interface ReadmeBlock {
  readonly language: string;
  text: string;
  /** The line of the opening fence, 1-based. */
  readonly line: number;
  readonly marker?: { readonly kind: string; readonly arg?: string };
}
export declare const README: string;
export declare function readmeBlocks(text?: string): ReadmeBlock[];
