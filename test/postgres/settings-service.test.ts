/** The settings room on PostgreSQL: the suite test/integration/settings-service.test.ts runs on SQLite. */
import { describe } from "vitest";
import { postgresUnavailable } from "../support/postgres.ts";
import { postgresRoomsForFile } from "../support/room-databases.ts";
import { describeSettingsContract } from "../support/settings-contract.ts";

const skip = postgresUnavailable();
if (skip) console.warn(skip);

describe.skipIf(skip != null)("settings on PostgreSQL", () => {
  const { rooms } = postgresRoomsForFile();
  describeSettingsContract("PostgreSQL", rooms);
});
