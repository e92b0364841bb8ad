/** The categories room on SQLite; the same suite runs on PostgreSQL in test/postgres/categories.test.ts. */
import { describeCategoriesContract } from "../support/categories-contract.ts";
import { sqliteRoomsForFile } from "../support/room-databases.ts";

const { rooms } = sqliteRoomsForFile();
describeCategoriesContract("SQLite", rooms);
