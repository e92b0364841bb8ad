/** The pod's key pairs on SQLite (two connections to one file); PostgreSQL: test/postgres/keys-store.test.ts. */
import { afterAll } from "vitest";
import { openDatabase, type DatabaseHandle } from "../../src/db/client.ts";
import { sqliteRoomDb } from "../../src/db/room-db-sqlite.ts";
import { describeKeysContract } from "../support/keys-contract.ts";
import { sqliteRoomsForFile } from "../support/room-databases.ts";

const { rooms, handle } = sqliteRoomsForFile();
let other: DatabaseHandle | undefined;
afterAll(() => other?.close());
describeKeysContract("SQLite", {
  rooms,
  another: () => sqliteRoomDb((other ??= openDatabase(handle().sqlite.name)).sqlite),
});
