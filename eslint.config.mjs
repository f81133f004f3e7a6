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
    // An environment file is configuration, though written in TypeScript: it may import its
    // siblings (./base) and the app's config helpers, never the policy pack, the stacks, cdktf or
    // Node's modules, so it cannot reach what checks it (__tests__/layout.test.ts). Reviewers
    // still read it as code.
    files: ["environments/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              regex: "^(?!\\./[\\w.-]+$|\\.\\./lib/app/config$)",
              message:
                "An environment file imports ./base (or another file of environments/) and ../lib/app/config only: configuration cannot reach the policy pack, the stacks, cdktf or Node's modules.",
            },
          ],
        },
      ],
      "no-restricted-syntax": [
        "error",
        {
          selector: "ImportExpression",
          message: "An environment file imports statically: ./base and ../lib/app/config only.",
        },
      ],
    },
  },
  {
    files: ["lib/providers.ts"],
    rules: { "no-restricted-imports": ["error", { paths: providerImports.paths }] },
  },
);
