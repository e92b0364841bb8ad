/** The memory room on SQLite (two connections to one file where two processes race); PostgreSQL: test/postgres. */
import { versionReader } from "../../src/db/versions.ts";
import { describeMemoryContract } from "../support/memory-contract.ts";
import { sqliteRoomsForFile } from "../support/room-databases.ts";

const { rooms, another, handle } = sqliteRoomsForFile();
describeMemoryContract("SQLite", {
  rooms,
  another,
  guidesVersion: async () => versionReader(handle().sqlite, "guides"),
});
