/** The settings room on SQLite; the same suite runs on PostgreSQL in test/postgres/settings-service.test.ts. */
import { sqliteRoomsForFile } from "../support/room-databases.ts";
import { describeSettingsContract } from "../support/settings-contract.ts";

const { rooms } = sqliteRoomsForFile();
describeSettingsContract("SQLite", rooms);
