/** The pod's key pairs on SQLite (two connections to one file); PostgreSQL: test/postgres/keys-store.test.ts. */
import { describeKeysContract } from "../support/keys-contract.ts";
import { sqliteRoomsForFile } from "../support/room-databases.ts";

const { rooms, another } = sqliteRoomsForFile();
describeKeysContract("SQLite", {
  rooms,
  another,
});
