/** The confederal view's writes on PostgreSQL; the same suite runs on SQLite (test/integration/view-writes-store.test.ts). */
import { describe } from "vitest";
import { describeViewWritesContract } from "../support/view-writes-contract.ts";
import { postgresUnavailable } from "../support/postgres.ts";
import { postgresRoomsForFile } from "../support/room-databases.ts";

const skip = postgresUnavailable();
if (skip) console.warn(skip);

describe.skipIf(skip != null)("the confederal view's writes on PostgreSQL", () => {
  const { rooms, another } = postgresRoomsForFile();
  describeViewWritesContract("PostgreSQL", { rooms, another });
});
