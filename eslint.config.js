// ESLint 9 flat config: typescript-eslint's type-checked recommended rules over the frontend and
// its tests (`npm run lint`, run by scripts/test.sh).
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  // generated code (js/src/generated, from the Python protocol models) is checked by regenerating it
  {
    ignores: [
      "node_modules/",
      "src/threadwidget/static/",
      "dist/",
      "build/",
      "js/src/generated/",
      "**/*.js",
      "**/*.mjs",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    files: ["js/**/*.ts", "vitest.config.ts"],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      eqeqeq: ["error", "always"],
    },
  },
);
