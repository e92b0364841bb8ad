/** The memory room on PostgreSQL; the same suite runs on SQLite (test/integration/memory-store.test.ts). */
import { describe } from "vitest";
import { postgresVersionReader } from "../../src/db/versions-postgres.ts";
import { describeMemoryContract } from "../support/memory-contract.ts";
import { postgresUnavailable } from "../support/postgres.ts";
import { postgresRoomsForFile } from "../support/room-databases.ts";

const skip = postgresUnavailable();
if (skip) console.warn(skip);

describe.skipIf(skip != null)("memory on PostgreSQL", () => {
  const { rooms, another, pool } = postgresRoomsForFile();
  describeMemoryContract("PostgreSQL", {
    rooms,
    another,
    guidesVersion: () => postgresVersionReader(pool(), "guides"),
  });
});
