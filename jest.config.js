/**
 * Tests are compiled by swc (@swc/jest): TypeScript syntax is stripped, nothing is type-checked.
 * Types are checked once, by `tsc -b` in `npm test`. Measured here, a cold run of the suite takes
 * about 2 s less than with ts-jest in isolatedModules mode, which loads the TypeScript compiler
 * in every worker.
 * @type {import('jest').Config}
 */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/__tests__", "<rootDir>/services"],
  testMatch: ["**/*.test.ts"],
  transform: {
    "^.+\\.ts$": [
      "@swc/jest",
      {
        jsc: { parser: { syntax: "typescript" }, target: "es2022" },
        module: { type: "commonjs" },
        sourceMaps: false,
      },
    ],
  },
  moduleFileExtensions: ["ts", "js", "json"],
  // The documentation's examples import the package by name (__tests__/docs/generated/).
  moduleNameMapper: { "^cdktf-cloud-run$": "<rootDir>/lib/index.ts" },
  setupFilesAfterEnv: ["<rootDir>/__tests__/setup.ts"],
  // Jest's default on 2 cores is one worker; most test files wait on child processes (npm pack,
  // tsc, the app command), so two workers keep both cores busy.
  maxWorkers: 2,
  // Jest runs every file in its own process, one after another, when its cache says each took
  // under a second, as the in-process tests do: one core idle. Setting a worker memory limit
  // keeps both workers (jest's shouldRunInBand): `npm run test:unit` 5.1 s → 4.3 s here. A
  // worker whose heap passes the limit after a file is restarted, which these tests never reach.
  workerIdleMemoryLimit: "1GB",
};
