/** The offers room on PostgreSQL; the same suite runs on SQLite (test/integration/offers-store.test.ts). */
import { describe } from "vitest";
import { describeOffersContract } from "../support/offers-contract.ts";
import { postgresUnavailable } from "../support/postgres.ts";
import { postgresRoomsForFile } from "../support/room-databases.ts";

const skip = postgresUnavailable();
if (skip) console.warn(skip);

describe.skipIf(skip != null)("offers on PostgreSQL", () => {
  const { rooms, another } = postgresRoomsForFile();
  describeOffersContract("PostgreSQL", {
    rooms,
    another,
  });
});
