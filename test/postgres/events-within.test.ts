/** Events and tombstones in a RoomDb write on PostgreSQL; the same suite runs on SQLite (test/integration). */
import { describe } from "vitest";
import { describeEventsContract } from "../support/events-contract.ts";
import { postgresUnavailable } from "../support/postgres.ts";
import { postgresRoomsForFile } from "../support/room-databases.ts";

const skip = postgresUnavailable();
if (skip) console.warn(skip);

describe.skipIf(skip != null)("events on PostgreSQL", () => {
  const { rooms } = postgresRoomsForFile();
  describeEventsContract("PostgreSQL", rooms);
});
