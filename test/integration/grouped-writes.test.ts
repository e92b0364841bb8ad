/** Group commit on the RoomDb, SQLite (two connections to one file); PostgreSQL: test/postgres/grouped-writes.test.ts. */
import { afterAll } from "vitest";
import { openDatabase, type DatabaseHandle } from "../../src/db/client.ts";
import { sqliteRoomDb } from "../../src/db/room-db-sqlite.ts";
import { describeGroupedWritesContract } from "../support/grouped-writes-contract.ts";
import { sqliteRoomsForFile } from "../support/room-databases.ts";

const { rooms, handle } = sqliteRoomsForFile();
let other: DatabaseHandle | undefined;
afterAll(() => other?.close());
describeGroupedWritesContract("SQLite", {
  rooms,
  another: () => sqliteRoomDb((other ??= openDatabase(handle().sqlite.name)).sqlite),
});
