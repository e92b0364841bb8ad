/** The social room on PostgreSQL; the same suite runs on SQLite (test/integration/social-store.test.ts). */
import { describe } from "vitest";
import { describeSocialContract } from "../support/social-contract.ts";
import { postgresUnavailable } from "../support/postgres.ts";
import { postgresRoomsForFile } from "../support/room-databases.ts";

const skip = postgresUnavailable();
if (skip) console.warn(skip);

describe.skipIf(skip != null)("social on PostgreSQL", () => {
  const { rooms, another } = postgresRoomsForFile();
  describeSocialContract("PostgreSQL", { rooms, another });
});
