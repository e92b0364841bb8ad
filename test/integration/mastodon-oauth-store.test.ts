/** The Mastodon API's OAuth store on SQLite (two connections to one file); PostgreSQL: test/postgres. */
import { afterAll } from "vitest";
import { openDatabase, type DatabaseHandle } from "../../src/db/client.ts";
import { sqliteRoomDb } from "../../src/db/room-db-sqlite.ts";
import { describeMastodonOAuthContract } from "../support/mastodon-oauth-contract.ts";
import { sqliteRoomsForFile } from "../support/room-databases.ts";

const { rooms, handle } = sqliteRoomsForFile();
let other: DatabaseHandle | undefined;
afterAll(() => other?.close());
describeMastodonOAuthContract("SQLite", {
  rooms,
  another: () => sqliteRoomDb((other ??= openDatabase(handle().sqlite.name)).sqlite),
});
