export declare function expectedFiles(): string[];
export declare function packageProblems(files: readonly string[]): string[];
export declare function packedFiles(): { files: string[]; unpackedSize: number; name: string };
