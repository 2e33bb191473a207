import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["js/tests/**/*.test.ts"],
    // DOMPurify needs a real DOM implementation: jsdom, not happy-dom (see notes/browser-testing.md).
    environment: "jsdom",
    // A few tests build thousands of comments in jsdom: 5 s is too tight on a loaded 2-core machine.
    testTimeout: 30_000,
  },
});
