/** The sovereignty ledger on SQLite: the suite test/postgres/sovereignty-store.test.ts runs on PostgreSQL. */
import { describe } from "vitest";
import { sqliteRoomsForFile } from "../support/room-databases.ts";
import { describeSovereigntyContract } from "../support/sovereignty-contract.ts";

describe("the sovereignty room on SQLite", () => {
  const { rooms } = sqliteRoomsForFile();
  describeSovereigntyContract("SQLite", rooms);
});
