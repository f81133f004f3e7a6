// @ts-check
import eslint from "@eslint/js";
import tseslint from "typescript-eslint";

const providerImports = {
  paths: [
    {
      name: "@cdktf/provider-google",
      message:
        "The package root loads all 1,474 resource modules (seconds and a gigabyte per synth). Import from lib/providers.ts instead.",
    },
  ],
  patterns: [
    {
      group: ["@cdktf/provider-google/*"],
      message: "Provider classes are imported in lib/providers.ts only (one place to move to CDK Terrain).",
    },
  ],
};

export default tseslint.config(
  { ignores: ["node_modules/", "dist/", "cdktf.out/", ".gen/", "coverage/", "**/*.js", "**/*.mjs", "**/*.cjs"] },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "no-restricted-imports": ["error", providerImports],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  {
    files: ["lib/providers.ts"],
    rules: { "no-restricted-imports": ["error", { paths: providerImports.paths }] },
  },
);
