/** The care room on PostgreSQL; the same suite runs on SQLite (test/integration/care-store.test.ts). */
import { describe } from "vitest";
import { describeCareContract } from "../support/care-contract.ts";
import { postgresUnavailable } from "../support/postgres.ts";
import { postgresRoomsForFile } from "../support/room-databases.ts";

const skip = postgresUnavailable();
if (skip) console.warn(skip);

describe.skipIf(skip != null)("care on PostgreSQL", () => {
  const { rooms, another } = postgresRoomsForFile();
  describeCareContract("PostgreSQL", {
    rooms,
    another,
  });
});
