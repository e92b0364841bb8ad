/** The rotation room on SQLite (two connections to one file where two processes race); PostgreSQL: test/postgres. */
import { describeRotationContract } from "../support/rotation-contract.ts";
import { sqliteRoomsForFile } from "../support/room-databases.ts";

const { rooms, another } = sqliteRoomsForFile();
describeRotationContract("SQLite", {
  rooms,
  another,
});
