/** A fenced block of a documentation page (see doc-blocks.cjs). */
export interface DocBlock {
  /** The page, relative to the repository's root: `README.md`, `docs/releasing.md`. */
  readonly doc: string;
  readonly language: string;
  text: string;
  /** The line of the opening fence, 1-based. */
  readonly line: number;
  readonly marker?: { readonly kind: string; readonly arg?: string };
}
export declare const ROOT: string;
export declare const README: string;
export declare function docFiles(): string[];
export declare function pageBlocks(doc: string, text?: string): DocBlock[];
export declare function docBlocks(): DocBlock[];
