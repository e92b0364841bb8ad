/** The members room on SQLite (two connections to one file where two processes race); PostgreSQL: test/postgres. */
import { describeMembersContract } from "../support/members-contract.ts";
import { sqliteRoomsForFile } from "../support/room-databases.ts";

const { rooms, another } = sqliteRoomsForFile();
describeMembersContract("SQLite", {
  rooms,
  another,
});
