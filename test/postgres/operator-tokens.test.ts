/** The operators room on PostgreSQL: the suite test/integration/operator-tokens.test.ts runs on SQLite. */
import { describe } from "vitest";
import { describeOperatorsContract } from "../support/operators-contract.ts";
import { postgresUnavailable } from "../support/postgres.ts";
import { postgresRoomsForFile } from "../support/room-databases.ts";

const skip = postgresUnavailable();
if (skip) console.warn(skip);

describe.skipIf(skip != null)("operators on PostgreSQL", () => {
  const { rooms } = postgresRoomsForFile();
  describeOperatorsContract("PostgreSQL", async () => rooms());
});
