/** The moderation room on SQLite (a second connection to the file as a second process); PostgreSQL: test/postgres. */
import { describeModerationContract } from "../support/moderation-contract.ts";
import { sqliteRoomsForFile } from "../support/room-databases.ts";

const { rooms, another } = sqliteRoomsForFile();
describeModerationContract("SQLite", { rooms, another });
