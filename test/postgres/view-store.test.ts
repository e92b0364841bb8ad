/** The confederal view's reads on PostgreSQL; the same suite runs on SQLite (test/integration/view-store.test.ts). */
import { describe } from "vitest";
import { postgresUnavailable } from "../support/postgres.ts";
import { postgresRoomsForFile } from "../support/room-databases.ts";
import { describeViewContract } from "../support/view-contract.ts";

const skip = postgresUnavailable();
if (skip) console.warn(skip);

describe.skipIf(skip != null)("the confederal view on PostgreSQL", () => {
  const { rooms } = postgresRoomsForFile();
  describeViewContract("PostgreSQL", { rooms });
});
