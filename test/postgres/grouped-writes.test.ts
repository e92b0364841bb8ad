/** Group commit on the RoomDb, PostgreSQL; the same suite runs on SQLite (test/integration/grouped-writes.test.ts). */
import { afterAll, describe } from "vitest";
import { openPostgresPool, type PostgresPool } from "../../src/db/postgres.ts";
import { postgresRoomDb } from "../../src/db/room-db-postgres.ts";
import { describeGroupedWritesContract } from "../support/grouped-writes-contract.ts";
import { postgresUnavailable } from "../support/postgres.ts";
import { postgresRoomsForFile } from "../support/room-databases.ts";

const skip = postgresUnavailable();
if (skip) console.warn(skip);

describe.skipIf(skip != null)("grouped writes on PostgreSQL", () => {
  const { rooms, pool } = postgresRoomsForFile();
  let other: PostgresPool | undefined;
  afterAll(async () => other?.end());
  describeGroupedWritesContract("PostgreSQL", {
    rooms,
    another: () => postgresRoomDb((other ??= openPostgresPool(pool().options.connectionString!))),
  });
});
