import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // End-to-end tests start pods as child processes; keep the 2-core machine calm.
    fileParallelism: true,
    maxWorkers: 2,
  },
});
