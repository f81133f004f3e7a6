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

/** The import direction (tested in __tests__/layout.test.ts): what each part of lib/ may not import. */
const layer = (files, forbidden, why) => ({
  files,
  rules: {
    "no-restricted-imports": [
      "error",
      {
        paths: providerImports.paths,
        patterns: [
          ...providerImports.patterns,
          { regex: `^\\.\\.?/(\\.\\./)*(${forbidden.join("|")})(/|$)`, message: why },
        ],
      },
    ],
  },
});

export default tseslint.config(
  {
    ignores: [
      "node_modules/",
      "dist/",
      "docs/api/",
      "cdktf.out/",
      ".gen/",
      "coverage/",
      "__tests__/docs/generated/",
      "**/*.js",
      "**/*.mjs",
      "**/*.cjs",
    ],
  },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "no-restricted-imports": ["error", providerImports],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  layer(
    ["lib/gcp/**"],
    ["constructs", "policies", "app"],
    "lib/gcp holds shared facts; it imports no construct, policy or app code.",
  ),
  layer(
    ["lib/policies/**"],
    ["constructs", "app"],
    "Policies read synthesized Terraform JSON and lib/gcp facts; they import no construct or app code.",
  ),
  layer(["lib/constructs/**", "lib/index.ts"], ["app"], "The library never imports the app (lib/app)."),
  {
    files: ["lib/providers.ts"],
    rules: { "no-restricted-imports": ["error", { paths: providerImports.paths }] },
  },
);
