/** The social room on SQLite (two connections to one file where two processes race); PostgreSQL: test/postgres. */
import { describeSocialContract } from "../support/social-contract.ts";
import { sqliteRoomsForFile } from "../support/room-databases.ts";

const { rooms, another } = sqliteRoomsForFile();
describeSocialContract("SQLite", { rooms, another });
