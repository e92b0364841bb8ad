/** The sovereignty ledger on PostgreSQL: the suite test/integration/sovereignty-store.test.ts runs on SQLite. */
import { describe } from "vitest";
import { postgresUnavailable } from "../support/postgres.ts";
import { postgresRoomsForFile } from "../support/room-databases.ts";
import { describeSovereigntyContract } from "../support/sovereignty-contract.ts";

const skip = postgresUnavailable();
if (skip) console.warn(skip);

describe.skipIf(skip != null)("the sovereignty room on PostgreSQL", () => {
  const { rooms } = postgresRoomsForFile();
  describeSovereigntyContract("PostgreSQL", rooms);
});
