import { defineConfig } from "vitest/config";

/** `npm run test:postgres`: the same behaviours on a real PostgreSQL server (see test/support/postgres.ts). */
export default defineConfig({
  test: {
    include: ["test/postgres/**/*.test.ts"],
    globalSetup: ["test/support/postgres.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // expect.poll's own default (1 s) is shorter than one browser round trip on a loaded 2-core CI machine.
    expect: { poll: { timeout: 15_000 } },
    fileParallelism: true,
    maxWorkers: 2,
  },
});
