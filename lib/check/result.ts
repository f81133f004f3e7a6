/** What a run of the command printed, and its exit code: 0 clean, 1 findings (or a blocked plan), 2 usage or input errors. */
export interface CommandResult {
  readonly code: 0 | 1 | 2;
  readonly stdout: string;
  readonly stderr: string;
  /** A file to write (`--output`), written by the caller only when the run got that far. */
  readonly output?: { readonly file: string; readonly text: string };
}
