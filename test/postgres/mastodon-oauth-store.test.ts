/** The Mastodon API's OAuth store on PostgreSQL; the same suite runs on SQLite (test/integration). */
import { describe } from "vitest";
import { describeMastodonOAuthContract } from "../support/mastodon-oauth-contract.ts";
import { postgresUnavailable } from "../support/postgres.ts";
import { postgresRoomsForFile } from "../support/room-databases.ts";

const skip = postgresUnavailable();
if (skip) console.warn(skip);

describe.skipIf(skip != null)("Mastodon OAuth on PostgreSQL", () => {
  const { rooms, another } = postgresRoomsForFile();
  describeMastodonOAuthContract("PostgreSQL", {
    rooms,
    another,
  });
});
