/** The confederal view's reads on SQLite; PostgreSQL: test/postgres/view-store.test.ts. */
import { sqliteRoomsForFile } from "../support/room-databases.ts";
import { describeViewContract } from "../support/view-contract.ts";

const { rooms } = sqliteRoomsForFile();
describeViewContract("SQLite", { rooms });
