import * as fs from "fs";
import * as path from "path";

/** The repository's GitHub Actions workflow files, by file name, in name order. */
export const WORKFLOW_DIR = path.resolve(__dirname, "..", ".github", "workflows");

export function workflowTexts(): Record<string, string> {
  const files = fs
    .readdirSync(WORKFLOW_DIR)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort();
  return Object.fromEntries(files.map((f) => [f, fs.readFileSync(path.join(WORKFLOW_DIR, f), "utf8")]));
}
