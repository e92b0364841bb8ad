/** The RoomDb on a real PostgreSQL server: the contract its SQLite twin passes in test/integration/room-db.test.ts. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migratePostgres, openPostgresPool, type PostgresPool } from "../../src/db/postgres.ts";
import { postgresRoomDb } from "../../src/db/room-db-postgres.ts";
import { operatorTokens } from "../../src/operators/schema.ts";
import { describeRoomDbContract } from "../support/room-db-contract.ts";
import { freshDatabase, postgresUnavailable, type TestDatabase } from "../support/postgres.ts";

const skip = postgresUnavailable();
if (skip) console.warn(skip);

describe.skipIf(skip != null)("RoomDb on PostgreSQL", () => {
  let database: TestDatabase;
  let pool: PostgresPool;

  beforeAll(async () => {
    database = await freshDatabase();
    pool = openPostgresPool(database.url);
    await migratePostgres(pool);
  });

  afterAll(async () => {
    await pool?.end();
    await database?.drop();
  });

  describeRoomDbContract("PostgreSQL", () => postgresRoomDb(pool));

  it("queries the derived twin of a room's SQLite table", () => {
    const twin = postgresRoomDb(pool).table(operatorTokens);
    expect(twin).not.toBe(operatorTokens);
    expect(twin.constructor.name).toBe("PgTable");
  });
});
