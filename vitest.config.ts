import { configDefaults, defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Run by `npm run test:postgres` (vitest.postgres.config.ts): they need a PostgreSQL server.
    exclude: [...configDefaults.exclude, "test/postgres/**"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // expect.poll's own default (1 s) is shorter than one browser round trip on a loaded 2-core CI machine.
    expect: { poll: { timeout: 15_000 } },
    // End-to-end tests start pods as child processes; keep the 2-core machine calm.
    fileParallelism: true,
    maxWorkers: 2,
  },
});
