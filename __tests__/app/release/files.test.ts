/** Release files on disk: what the release command writes, in its canonical form (lib/app/release/files.ts). */
import * as fs from "fs";
import { environmentFiles } from "../../../lib/app";
import { canonicalJson } from "../../../lib/app/release/files";

describe("release files on disk", () => {
  test("every release file in environments/ is exactly what the release command writes", () => {
    // A hand edit or a formatter that reflowed one shows here, and in the next release's diff.
    const files = environmentFiles().flatMap((env) => (env.releaseFile !== undefined ? [env.releaseFile] : []));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files.filter((f) => fs.existsSync(f))) {
      const text = fs.readFileSync(file, "utf8");
      expect({ file, text }).toEqual({ file, text: canonicalJson(JSON.parse(text)) });
    }
  });
});
