/** The requests room on SQLite; the same suite runs on PostgreSQL in test/postgres/requests-service.test.ts. */
import { describeRequestsContract } from "../support/requests-contract.ts";
import { sqliteRoomsForFile } from "../support/room-databases.ts";

const { rooms } = sqliteRoomsForFile();
describeRequestsContract("SQLite", rooms);
