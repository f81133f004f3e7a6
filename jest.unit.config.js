/**
 * `npm run test:unit`: the unit tier (the tests that mirror lib/) as one test file, run in band,
 * so that jest, cdktf, the provider's classes and the library load once (__tests__/unit/bundle.ts).
 * @type {import('jest').Config}
 */
const base = require("./jest.config.js");

module.exports = {
  ...base,
  roots: ["<rootDir>/__tests__/unit"],
  testMatch: ["**/all.ts"],
  maxWorkers: 1,
  workerIdleMemoryLimit: undefined,
  // The inner loop: property tests draw a tenth of their cases (__tests__/tier.ts).
  globals: { CDKTF_CLOUD_RUN_INNER_LOOP: true },
};
