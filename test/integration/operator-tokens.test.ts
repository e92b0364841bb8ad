/** The operators room on SQLite; the same suite runs on PostgreSQL in test/postgres/operator-tokens.test.ts. */
import { describeOperatorsContract } from "../support/operators-contract.ts";
import { sqliteRoomsForFile } from "../support/room-databases.ts";

const { rooms } = sqliteRoomsForFile();
describeOperatorsContract("SQLite", async () => rooms());
