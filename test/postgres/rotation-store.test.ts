/** The rotation room on PostgreSQL; the same suite runs on SQLite (test/integration/rotation-store.test.ts). */
import { describe } from "vitest";
import { describeRotationContract } from "../support/rotation-contract.ts";
import { postgresUnavailable } from "../support/postgres.ts";
import { postgresRoomsForFile } from "../support/room-databases.ts";

const skip = postgresUnavailable();
if (skip) console.warn(skip);

describe.skipIf(skip != null)("rotation on PostgreSQL", () => {
  const { rooms, another } = postgresRoomsForFile();
  describeRotationContract("PostgreSQL", {
    rooms,
    another,
  });
});
