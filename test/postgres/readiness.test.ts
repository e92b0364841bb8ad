/** /ready's PostgreSQL checks: the server answers, and this code's migrations are applied; down when not. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migratePostgres, openPostgresPool, type PostgresPool } from "../../src/db/postgres.ts";
import { readiness } from "../../src/roles/health.ts";
import { postgresAnswers, postgresMigrated } from "../../src/roles/health-postgres.ts";
import { freshDatabase, postgresUnavailable, type TestDatabase } from "../support/postgres.ts";

const skip = postgresUnavailable();
if (skip) console.warn(skip);

describe.skipIf(skip != null)("readiness on PostgreSQL", () => {
  let database: TestDatabase;
  let pool: PostgresPool;

  beforeAll(async () => {
    database = await freshDatabase();
    pool = openPostgresPool(database.url);
  });
  afterAll(async () => {
    await pool?.end();
    await database?.drop();
  });

  it("says migrations are down until they are applied, then everything is up", async () => {
    const checks = [postgresAnswers(pool), postgresMigrated(pool)];
    expect(await readiness(checks)).toEqual({ ready: false, checks: { database: "up", migrations: "down" } });
    await migratePostgres(pool);
    expect(await readiness(checks)).toEqual({ ready: true, checks: { database: "up", migrations: "up" } });
  });

  it("says the database is down when nothing answers at its address, without hanging", async () => {
    // A port nobody listens on (the test server's port + 1 is not used by it).
    const url = new URL(database.url);
    url.port = String(Number(url.port) + 1);
    const nowhere = openPostgresPool(url.href);
    try {
      const result = await readiness([postgresAnswers(nowhere), postgresMigrated(nowhere)]);
      expect(result).toEqual({ ready: false, checks: { database: "down", migrations: "down" } });
    } finally {
      await nowhere.end();
    }
  });
});
