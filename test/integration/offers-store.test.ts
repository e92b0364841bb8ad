/** The offers room on SQLite (two connections to one file where two processes race); PostgreSQL: test/postgres. */
import { describeOffersContract } from "../support/offers-contract.ts";
import { sqliteRoomsForFile } from "../support/room-databases.ts";

const { rooms, another } = sqliteRoomsForFile();
describeOffersContract("SQLite", {
  rooms,
  another,
});
