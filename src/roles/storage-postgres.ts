import { mkdirSync } from "node:fs";
import type { Config } from "../config/schema.ts";
import { migratePostgres, openPostgresPool, type PostgresPool } from "../db/postgres.ts";
import { postgresRoomDb } from "../db/room-db-postgres.ts";
import { PostgresKvStore } from "../federation/postgres-kv.ts";
import { PostgresMessageQueue } from "../federation/postgres-mq.ts";
import { postgresAnswers, postgresMigrated } from "./health-postgres.ts";
import { noPodThere, type PodStorage, type StorageOptions } from "./pod-storage.ts";
import { postgresTimerLock } from "./timer-lock-postgres.ts";

/** The pod's storage on PostgreSQL (DATABASE_URL): see `openStorage`. */
export async function openPostgresStorage(config: Config, url: string, options: StorageOptions): Promise<PodStorage> {
  // Uploaded pictures stay in DATA_DIR: processes on several machines share it as a volume.
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const pool = openPostgresPool(url, { max: options.poolSize, applicationName: options.applicationName });
  try {
    if (options.mustExist && !(await postgresHasPod(pool))) throw noPodThere(config);
    await migratePostgres(pool);
    const kv = new PostgresKvStore(pool);
    const queue = new PostgresMessageQueue(pool, { leaseMs: config.queueLeaseMs });
    await kv.initialize();
    await queue.initialize();
    return {
      rooms: postgresRoomDb(pool),
      kv,
      queue,
      timerLock: (leaseMs) => postgresTimerLock(pool, leaseMs),
      checks: () => [postgresAnswers(pool), postgresMigrated(pool)],
      sqlite: null,
      async close() {
        queue.close();
        await pool.end();
      },
    };
  } catch (error) {
    await pool.end();
    throw error;
  }
}

/** A pod lives in the database once its keys are stored (the first start stores them before it serves). */
export async function postgresHasPod(pool: PostgresPool): Promise<boolean> {
  const table = await pool.query("SELECT to_regclass('actor_keys') AS t");
  if (table.rows[0]?.t === null) return false;
  const keys = await pool.query("SELECT 1 FROM actor_keys LIMIT 1");
  return keys.rowCount === 1;
}
