import type { ReadmeBlock } from "./readme-blocks.cjs";
export declare const OUT: string;
export declare function generatedFiles(blocks?: readonly ReadmeBlock[]): Map<string, string>;
export declare function generatedName(block: ReadmeBlock): string | undefined;
