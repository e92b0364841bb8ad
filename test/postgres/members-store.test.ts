/** The members room on PostgreSQL; the same suite runs on SQLite (test/integration/members-store.test.ts). */
import { describe } from "vitest";
import { describeMembersContract } from "../support/members-contract.ts";
import { postgresUnavailable } from "../support/postgres.ts";
import { postgresRoomsForFile } from "../support/room-databases.ts";

const skip = postgresUnavailable();
if (skip) console.warn(skip);

describe.skipIf(skip != null)("members on PostgreSQL", () => {
  const { rooms, another } = postgresRoomsForFile();
  describeMembersContract("PostgreSQL", {
    rooms,
    another,
  });
});
