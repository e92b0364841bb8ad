/** The moderation room on PostgreSQL; the same suite runs on SQLite (test/integration/moderation-store.test.ts). */
import { describe } from "vitest";
import { describeModerationContract } from "../support/moderation-contract.ts";
import { postgresUnavailable } from "../support/postgres.ts";
import { postgresRoomsForFile } from "../support/room-databases.ts";

const skip = postgresUnavailable();
if (skip) console.warn(skip);

describe.skipIf(skip != null)("moderation on PostgreSQL", () => {
  const { rooms, another } = postgresRoomsForFile();
  describeModerationContract("PostgreSQL", { rooms, another });
});
