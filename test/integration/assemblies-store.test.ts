/** The assemblies room's stores on SQLite; the same suite runs on PostgreSQL (test/postgres). */
import { describeAssembliesContract } from "../support/assemblies-contract.ts";
import { sqliteRoomsForFile } from "../support/room-databases.ts";

const { rooms } = sqliteRoomsForFile();
describeAssembliesContract("SQLite", rooms);
