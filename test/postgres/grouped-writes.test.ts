/** Group commit on the RoomDb, PostgreSQL; the same suite runs on SQLite (test/integration/grouped-writes.test.ts). */
import { describe } from "vitest";
import { describeGroupedWritesContract } from "../support/grouped-writes-contract.ts";
import { postgresUnavailable } from "../support/postgres.ts";
import { postgresRoomsForFile } from "../support/room-databases.ts";

const skip = postgresUnavailable();
if (skip) console.warn(skip);

describe.skipIf(skip != null)("grouped writes on PostgreSQL", () => {
  const { rooms, another } = postgresRoomsForFile();
  describeGroupedWritesContract("PostgreSQL", {
    rooms,
    another,
  });
});
