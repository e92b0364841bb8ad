/** Events and tombstones in a RoomDb write on SQLite; the same suite runs on PostgreSQL (test/postgres). */
import { describeEventsContract } from "../support/events-contract.ts";
import { sqliteRoomsForFile } from "../support/room-databases.ts";

const { rooms } = sqliteRoomsForFile();
describeEventsContract("SQLite", rooms);
