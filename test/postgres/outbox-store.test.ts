/** The outbox's store on PostgreSQL: the suite test/integration/outbox-store.test.ts runs on SQLite. */
import { describe } from "vitest";
import { describeOutboxContract } from "../support/outbox-contract.ts";
import { postgresUnavailable } from "../support/postgres.ts";
import { postgresRoomsForFile } from "../support/room-databases.ts";

const skip = postgresUnavailable();
if (skip) console.warn(skip);

describe.skipIf(skip != null)("the outbox on PostgreSQL", () => {
  const { rooms } = postgresRoomsForFile();
  describeOutboxContract("PostgreSQL", rooms);
});
