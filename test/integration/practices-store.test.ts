/** The practices room's writes on SQLite; the same suite runs on PostgreSQL (test/postgres). */
import { describePracticesContract } from "../support/practices-contract.ts";
import { sqliteRoomsForFile } from "../support/room-databases.ts";

const { rooms } = sqliteRoomsForFile();
describePracticesContract("SQLite", rooms);
