/**
 * Which tier runs a test file: `npm run test:unit` loads the unit tests through
 * __tests__/unit/all.ts, which says so here; `npm test` and `npx jest <file>` run each file alone.
 * The unit tier is the inner loop, so its property tests draw a tenth of the full suite's cases,
 * from a fixed seed (a failure there is reproducible at once); the full suite draws them all,
 * afresh each run.
 */
const UNIT = "CDKTF_CLOUD_RUN_TEST_TIER";

/** Marks the tests loaded from now on as the unit tier's. */
export function enterUnitTier(): void {
  process.env[UNIT] = "unit";
}

/** fast-check's options for a property with `full` cases in the full suite. */
export function propertyRuns(full: number): { numRuns: number; seed?: number } {
  return process.env[UNIT] === "unit" ? { numRuns: Math.ceil(full / 10), seed: 20261206 } : { numRuns: full };
}
