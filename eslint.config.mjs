// Lint for the TypeScript sources: typescript-eslint's recommended rules plus the type-aware
// no-floating-promises. projectService finds each file's tsconfig (tsconfig.json for the
// server, src/dashboard/web/tsconfig.json for the browser page).
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/**", "coverage/**", "data/**", "node_modules/**"] },
  {
    files: ["{src,commands,jobs,test,bench}/**/*.{ts,mts}"],
    extends: [js.configs.recommended, ...tseslint.configs.recommended],
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      // The ideographic space (U+3000) spaces Chinese text in replies and sheets, templates included.
      "no-irregular-whitespace": ["error", { skipStrings: true, skipTemplates: true }],
      // An unused argument or caught error named with a leading underscore is deliberate.
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrorsIgnorePattern: "^_" },
      ],
    },
  },
);
