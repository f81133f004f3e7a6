/**
 * Transpile-only: with `isolatedModules` in tsconfig.json, ts-jest compiles each file on its own,
 * without the type checker. Types are checked once, by `tsc --noEmit` in `npm test`.
 * @type {import('jest').Config}
 */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/__tests__"],
  testMatch: ["**/*.test.ts"],
  transform: {
    "^.+\\.ts$": ["ts-jest", { diagnostics: false }],
  },
  moduleFileExtensions: ["ts", "js", "json"],
};
