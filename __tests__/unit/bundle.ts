/**
 * The unit tier as one jest test file. Jest gives every test file a fresh module registry, so
 * each of the ~50 unit test files loaded jest's own modules, cdktf, the provider's classes, zod
 * and the library again: 0.3-0.4 CPU-seconds a file, most of `npm run test:unit`'s time (measured
 * with a timing hook in jest-runtime: 39% of the time in workers went to loading). `npm run
 * test:unit` runs __tests__/unit/all.ts instead (jest.unit.config.js, in band: a worker would load
 * everything again), which requires every unit test file inside a describe named by its path, so
 * each file's hooks stay its own. `npm test`, and `npx jest <file>`, still run every test file
 * on its own, isolated.
 *
 * A unit test file must therefore leave shared modules as it found them (restore what it
 * changes, in a `finally` or `afterEach`), which the full suite would not notice.
 */
import * as fs from "fs";
import * as path from "path";

const TESTS = path.join(__dirname, "..");

/** The folders of the unit tier: the tests that mirror lib/. */
export const UNIT_FOLDERS = ["constructs", "policies", "app", "gcp", "check"];

/** Every unit test file, relative to __tests__/, sorted. */
export function unitTestFiles(): string[] {
  return UNIT_FOLDERS.flatMap((folder) =>
    fs
      .readdirSync(path.join(TESTS, folder), { recursive: true, encoding: "utf8" })
      .filter((f) => f.endsWith(".test.ts"))
      .map((f) => `${folder}/${f.split(path.sep).join("/")}`),
  ).sort();
}

/** Registers every unit test file's tests, each file inside a describe of its path. */
export function loadUnitTests(files: readonly string[] = unitTestFiles()): void {
  for (const file of files) {
    describe(file, () => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      require(path.join(TESTS, file));
    });
  }
}
