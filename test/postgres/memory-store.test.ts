/** The memory room on PostgreSQL; the same suite runs on SQLite (test/integration/memory-store.test.ts). */
import { afterAll, describe } from "vitest";
import { openPostgresPool, type PostgresPool } from "../../src/db/postgres.ts";
import { postgresRoomDb } from "../../src/db/room-db-postgres.ts";
import { postgresVersionReader } from "../../src/db/versions-postgres.ts";
import { describeMemoryContract } from "../support/memory-contract.ts";
import { postgresUnavailable } from "../support/postgres.ts";
import { postgresRoomsForFile } from "../support/room-databases.ts";

const skip = postgresUnavailable();
if (skip) console.warn(skip);

describe.skipIf(skip != null)("memory on PostgreSQL", () => {
  const { rooms, pool } = postgresRoomsForFile();
  // Another process: its own pool of connections to the same database.
  let other: PostgresPool | undefined;
  afterAll(async () => other?.end());
  describeMemoryContract("PostgreSQL", {
    rooms,
    another: () => postgresRoomDb((other ??= openPostgresPool(pool().options.connectionString!))),
    guidesVersion: () => postgresVersionReader(pool(), "guides"),
  });
});
