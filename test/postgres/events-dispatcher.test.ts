/** The event dispatcher on PostgreSQL, several workers on one database; the same suite runs on SQLite. */
import { afterAll, beforeAll, describe } from "vitest";
import type { Config } from "../../src/config/schema.ts";
import { migratePostgres, openPostgresPool, type PostgresPool } from "../../src/db/postgres.ts";
import { postgresRoomDb } from "../../src/db/room-db-postgres.ts";
import { EventDispatcher } from "../../src/events/dispatcher.ts";
import type { PodDeps } from "../../src/federation/deps.ts";
import { PostgresMessageQueue } from "../../src/federation/postgres-mq.ts";
import { createLogger } from "../../src/log/logger.ts";
import { describeDispatcherContract } from "../support/dispatcher-contract.ts";
import { freshDatabase, postgresUnavailable, type TestDatabase } from "../support/postgres.ts";

const skip = postgresUnavailable();
if (skip) console.warn(skip);

describe.skipIf(skip != null)("the event dispatcher on PostgreSQL", () => {
  let database: TestDatabase;
  let admin: PostgresPool;
  beforeAll(async () => {
    database = await freshDatabase();
    admin = openPostgresPool(database.url);
    await migratePostgres(admin);
    await new PostgresMessageQueue(admin).initialize();
  });
  afterAll(async () => {
    await admin?.end();
    await database?.drop();
  });

  describeDispatcherContract("PostgreSQL, a pool per worker", {
    async reset() {
      await admin.query("TRUNCATE events, tombstones, fedify_queue_messages");
    },
    async open(now) {
      // Each side is a worker process of its own: its own pool, queue and dispatcher.
      const pool = openPostgresPool(database.url);
      const rooms = postgresRoomDb(pool);
      const deps: PodDeps = { config: {} as Config, rooms, log: createLogger("silent", process.stderr), now };
      return {
        rooms,
        dispatcher: new EventDispatcher(deps, new PostgresMessageQueue(pool)),
        queued: async () => {
          const { rows } = await pool.query<{ payload: string }>(
            "SELECT payload FROM fedify_queue_messages ORDER BY seq",
          );
          return rows.map((row) => JSON.parse(row.payload) as unknown);
        },
        close: () => pool.end(),
      };
    },
  });
});
