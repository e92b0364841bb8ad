/** The care room on SQLite (two connections to one file where two processes race); PostgreSQL: test/postgres. */
import { describeCareContract } from "../support/care-contract.ts";
import { sqliteRoomsForFile } from "../support/room-databases.ts";

const { rooms, another } = sqliteRoomsForFile();
describeCareContract("SQLite", {
  rooms,
  another,
});
