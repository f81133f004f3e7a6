import type { DocBlock } from "./doc-blocks.cjs";
export declare const OUT: string;
export declare function generatedFiles(blocks?: readonly DocBlock[]): Map<string, string>;
export declare function generatedName(block: DocBlock): string | undefined;
