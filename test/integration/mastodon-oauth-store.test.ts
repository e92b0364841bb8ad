/** The Mastodon API's OAuth store on SQLite (two connections to one file); PostgreSQL: test/postgres. */
import { describeMastodonOAuthContract } from "../support/mastodon-oauth-contract.ts";
import { sqliteRoomsForFile } from "../support/room-databases.ts";

const { rooms, another } = sqliteRoomsForFile();
describeMastodonOAuthContract("SQLite", {
  rooms,
  another,
});
