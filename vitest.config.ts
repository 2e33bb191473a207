import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["js/tests/**/*.test.ts"],
    // DOMPurify needs a real DOM implementation: jsdom, not happy-dom (see notes/browser-testing.md).
    environment: "jsdom",
  },
});
