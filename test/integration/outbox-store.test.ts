/** The outbox's store on SQLite: the suite test/postgres/outbox-store.test.ts runs on PostgreSQL. */
import { describe } from "vitest";
import { describeOutboxContract } from "../support/outbox-contract.ts";
import { sqliteRoomsForFile } from "../support/room-databases.ts";

describe("the outbox on SQLite", () => {
  const { rooms } = sqliteRoomsForFile();
  describeOutboxContract("SQLite", rooms);
});
