/**
 * Which tier runs a test: `npm run test:unit` (jest.unit.config.js) marks its run as the inner
 * loop with a jest global; `npm test` and `npx jest <file>` do not. The inner loop's property
 * tests draw a tenth of the full suite's cases, from a fixed seed (a failure there is reproducible
 * at once); the full suite draws them all, afresh each run.
 */
const FLAG = "CDKTF_CLOUD_RUN_INNER_LOOP";

/** True in `npm run test:unit`. */
export function innerLoop(): boolean {
  return (globalThis as Record<string, unknown>)[FLAG] === true;
}

/** fast-check's options for a property with `full` cases in the full suite. */
export function propertyRuns(full: number): { numRuns: number; seed?: number } {
  return innerLoop() ? { numRuns: Math.ceil(full / 10), seed: 20261206 } : { numRuns: full };
}
