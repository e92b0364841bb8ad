/** The shared rate limit store on SQLite; the same suite runs on PostgreSQL in test/postgres/rate-limit-store.test.ts. */
import { describeRateLimitContract } from "../support/rate-limit-contract.ts";
import { sqliteRoomsForFile } from "../support/room-databases.ts";

const { rooms } = sqliteRoomsForFile();
describeRateLimitContract("SQLite", rooms);
