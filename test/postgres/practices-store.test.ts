/** The practices room's writes on PostgreSQL; the same suite runs on SQLite (test/integration). */
import { describe } from "vitest";
import { describePracticesContract } from "../support/practices-contract.ts";
import { postgresUnavailable } from "../support/postgres.ts";
import { postgresRoomsForFile } from "../support/room-databases.ts";

const skip = postgresUnavailable();
if (skip) console.warn(skip);

describe.skipIf(skip != null)("practices on PostgreSQL", () => {
  const { rooms } = postgresRoomsForFile();
  describePracticesContract("PostgreSQL", rooms);
});
