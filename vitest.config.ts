import { configDefaults, defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Run by `npm run test:postgres` (vitest.postgres.config.ts): they need a PostgreSQL server.
    exclude: [...configDefaults.exclude, "test/postgres/**"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // End-to-end tests start pods as child processes; keep the 2-core machine calm.
    fileParallelism: true,
    maxWorkers: 2,
  },
});
