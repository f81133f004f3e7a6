import type { StackView } from "../policies/view";

/*
 * Terraform read from files, as `cdktf-cloud-run check` runs the policy pack on it: HCL (`.tf`
 * files; a folder is one configuration), Terraform JSON (`.tf.json`, cdktf's `cdk.tf.json`
 * included) and plans (`terraform show -json PLANFILE`). The readers (read/) make these; the
 * command (cli.ts) checks them. Nothing here loads cdktf.
 */

/** Where something is in the files read: the file as given (relative to the working folder), 1-based line. */
export interface SourceLocation {
  readonly file: string;
  /** The line of the block (`resource "TYPE" "NAME" {`), 1-based; absent when it cannot be known. */
  readonly line?: number;
  readonly column?: number;
}

/** An acknowledgement read from an HCL comment inside a resource block, or from an acknowledgements file. */
export interface Acknowledgement {
  /** `RUN-001`. */
  readonly ruleId: string;
  readonly reason: string;
  /** The resource address it accepts findings on (`google_cloud_run_v2_service.api`). */
  readonly address: string;
  readonly location: SourceLocation;
}

/** A module call: listed as not checked, with its source. */
export interface ModuleCall {
  readonly name: string;
  readonly source: string;
  readonly location: SourceLocation;
}

/** One configuration read: what the rules see, and where each resource is written. */
export interface Configuration {
  readonly kind: "hcl" | "json" | "plan";
  /** The path as given (a folder, a `.tf.json` file, a plan file). */
  readonly label: string;
  /** Every file read for it, as given or found (relative paths stay relative). */
  readonly files: readonly string[];
  readonly view: StackView;
  /** Each resource's (and data source's) block, by address. */
  readonly locations: ReadonlyMap<string, SourceLocation>;
  /** Module calls, which are not checked (a plan's modules are: their resources are in it). */
  readonly modules: readonly ModuleCall[];
  /** Acknowledgements written in the files (HCL comments). */
  readonly acknowledgements: readonly Acknowledgement[];
  /** True for a whole root module: a plan, or a folder read with `--root`. */
  readonly root: boolean;
}

/** A file that cannot be read or parsed: named, with the parser's line and column when it gives them. */
export class InputError extends Error {
  override readonly name = "InputError";
  constructor(
    readonly file: string,
    readonly problem: string,
    readonly line?: number,
    readonly column?: number,
  ) {
    super(`${file}${line === undefined ? "" : `:${line}${column === undefined ? "" : `:${column}`}`}: ${problem}`);
  }
}
