/** The Mastodon API's OAuth store on PostgreSQL; the same suite runs on SQLite (test/integration). */
import { afterAll, describe } from "vitest";
import { openPostgresPool, type PostgresPool } from "../../src/db/postgres.ts";
import { postgresRoomDb } from "../../src/db/room-db-postgres.ts";
import { describeMastodonOAuthContract } from "../support/mastodon-oauth-contract.ts";
import { postgresUnavailable } from "../support/postgres.ts";
import { postgresRoomsForFile } from "../support/room-databases.ts";

const skip = postgresUnavailable();
if (skip) console.warn(skip);

describe.skipIf(skip != null)("Mastodon OAuth on PostgreSQL", () => {
  const { rooms, pool } = postgresRoomsForFile();
  let other: PostgresPool | undefined;
  afterAll(async () => other?.end());
  describeMastodonOAuthContract("PostgreSQL", {
    rooms,
    another: () => postgresRoomDb((other ??= openPostgresPool(pool().options.connectionString!))),
  });
});
