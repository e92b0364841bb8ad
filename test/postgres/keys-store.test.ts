/** The pod's key pairs on PostgreSQL; the same suite runs on SQLite (test/integration/keys-store.test.ts). */
import { afterAll, describe } from "vitest";
import { openPostgresPool, type PostgresPool } from "../../src/db/postgres.ts";
import { postgresRoomDb } from "../../src/db/room-db-postgres.ts";
import { describeKeysContract } from "../support/keys-contract.ts";
import { postgresUnavailable } from "../support/postgres.ts";
import { postgresRoomsForFile } from "../support/room-databases.ts";

const skip = postgresUnavailable();
if (skip) console.warn(skip);

describe.skipIf(skip != null)("the pod's key pairs on PostgreSQL", () => {
  const { rooms, pool } = postgresRoomsForFile();
  let other: PostgresPool | undefined;
  afterAll(async () => other?.end());
  describeKeysContract("PostgreSQL", {
    rooms,
    another: () => postgresRoomDb((other ??= openPostgresPool(pool().options.connectionString!))),
  });
});
