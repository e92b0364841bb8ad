/** The memory room on SQLite (two connections to one file where two processes race); PostgreSQL: test/postgres. */
import { afterAll } from "vitest";
import { openDatabase, type DatabaseHandle } from "../../src/db/client.ts";
import { sqliteRoomDb } from "../../src/db/room-db-sqlite.ts";
import { versionReader } from "../../src/db/versions.ts";
import { describeMemoryContract } from "../support/memory-contract.ts";
import { sqliteRoomsForFile } from "../support/room-databases.ts";

const { rooms, handle } = sqliteRoomsForFile();
let other: DatabaseHandle | undefined;
afterAll(() => other?.close());
describeMemoryContract("SQLite", {
  rooms,
  another: () => sqliteRoomDb((other ??= openDatabase(handle().sqlite.name)).sqlite),
  guidesVersion: async () => versionReader(handle().sqlite, "guides"),
});
