/** The shared rate limit store on PostgreSQL: the suite test/integration/rate-limit-store.test.ts runs on SQLite. */
import { describe } from "vitest";
import { postgresUnavailable } from "../support/postgres.ts";
import { describeRateLimitContract } from "../support/rate-limit-contract.ts";
import { postgresRoomsForFile } from "../support/room-databases.ts";

const skip = postgresUnavailable();
if (skip) console.warn(skip);

describe.skipIf(skip != null)("rate limit hits on PostgreSQL", () => {
  const { rooms } = postgresRoomsForFile();
  describeRateLimitContract("PostgreSQL", rooms);
});
