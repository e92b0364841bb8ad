/** The confederal view's writes on SQLite (a second connection where two processes race); PostgreSQL: test/postgres. */
import { describeViewWritesContract } from "../support/view-writes-contract.ts";
import { sqliteRoomsForFile } from "../support/room-databases.ts";

const { rooms, another } = sqliteRoomsForFile();
describeViewWritesContract("SQLite", { rooms, another });
