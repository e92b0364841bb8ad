/** The pod's key pairs on PostgreSQL; the same suite runs on SQLite (test/integration/keys-store.test.ts). */
import { describe } from "vitest";
import { describeKeysContract } from "../support/keys-contract.ts";
import { postgresUnavailable } from "../support/postgres.ts";
import { postgresRoomsForFile } from "../support/room-databases.ts";

const skip = postgresUnavailable();
if (skip) console.warn(skip);

describe.skipIf(skip != null)("the pod's key pairs on PostgreSQL", () => {
  const { rooms, another } = postgresRoomsForFile();
  describeKeysContract("PostgreSQL", {
    rooms,
    another,
  });
});
