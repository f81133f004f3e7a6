export interface Example {
  readonly text: string;
  readonly label: "positive" | "negative";
}
export interface Options {
  readonly epochs: number;
  readonly modelDir: string;
  readonly modelName: string;
}
export interface Trained {
  readonly weights: Readonly<Record<string, number>>;
  readonly examples: number;
}
/** What a task writes to `part-<task>-of-<taskCount>.json`. */
export interface Part extends Trained {
  readonly epochs: number;
  readonly task: number;
  readonly taskCount: number;
  readonly execution: string;
}
export interface Io {
  out(line: string): void;
  err(line: string): void;
}
type Env = Readonly<Record<string, string | undefined>>;

export declare class UsageError extends Error {}
export declare function parseArgs(argv: readonly string[], env: Env): Options;
export declare function shard<T>(examples: readonly T[], taskIndex: number, taskCount: number): T[];
export declare function train(examples: readonly Example[]): Trained;
export declare function partName(taskIndex: number, taskCount: number): string;
export declare function modelVersion(modelName: string, execution: string): string;
export declare function localExecution(now: Date): string;
export declare function writeAtomically(file: string, text: string): Promise<void>;
/** Runs one task; resolves to the exit code (0 written, 1 cannot write, 2 bad command line). */
export declare function main(argv: readonly string[], env: Env, io?: Io): Promise<number>;
