import { createHash } from "crypto";

/*
 * What validation and the policy rules need of cdktf's tokens, without loading cdktf for values
 * that cannot be tokens: `cdktf-cloud-run check` reads Terraform from files, runs every rule and
 * validation, and must run where cdktf is not installed.
 */

/**
 * True for a value that is a cdktf token (a reference resolved only at synthesis), such as a
 * service account's email before synthesis. A string is one only if it carries a token marker
 * (`${TfToken[…]}`, `#{TfToken[…]}`), a number only if it is one of the huge doubles cdktf encodes
 * tokens as (magnitude about 2^960); only then is cdktf asked.
 */
export function isUnresolved(value: unknown): boolean {
  if (typeof value === "string") {
    if (!/[$#&]\{TfToken\[/.test(value)) return false;
  } else if (typeof value === "number") {
    if (!(Math.abs(value) > 1e288)) return false;
  } else return false;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require("cdktf") as typeof import("cdktf")).Token.isUnresolved(value);
}

/** The first `length` hex digits of the SHA-256 of `text`: stable names from their inputs. */
export function shortHash(text: string, length = 8): string {
  return createHash("sha256").update(text).digest("hex").slice(0, length);
}
