/** The requests room on PostgreSQL: the suite test/integration/requests-service.test.ts runs on SQLite. */
import { describe } from "vitest";
import { postgresUnavailable } from "../support/postgres.ts";
import { describeRequestsContract } from "../support/requests-contract.ts";
import { postgresRoomsForFile } from "../support/room-databases.ts";

const skip = postgresUnavailable();
if (skip) console.warn(skip);

describe.skipIf(skip != null)("requests on PostgreSQL", () => {
  const { rooms } = postgresRoomsForFile();
  describeRequestsContract("PostgreSQL", rooms);
});
