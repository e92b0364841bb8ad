import { existsSync, mkdirSync } from "node:fs";
import type { KvStore } from "@fedify/fedify";
import { ConfigError } from "../config/load.ts";
import type { Config } from "../config/schema.ts";
import { type DatabaseHandle, openMigratedDatabase } from "../db/client.ts";
import { migratePostgres, openPostgresPool, type PostgresPool } from "../db/postgres.ts";
import type { RoomDb } from "../db/room-db.ts";
import { postgresRoomDb } from "../db/room-db-postgres.ts";
import { sqliteRoomDb } from "../db/room-db-sqlite.ts";
import type { TransactionalQueue } from "../events/dispatcher.ts";
import { PostgresKvStore } from "../federation/postgres-kv.ts";
import { PostgresMessageQueue } from "../federation/postgres-mq.ts";
import { SqliteKvStore } from "../federation/sqlite-kv.ts";
import { SqliteMessageQueue } from "../federation/sqlite-mq.ts";
import { type ReadinessCheck, sqliteAnswers, sqliteMigrated } from "./health.ts";
import { postgresAnswers, postgresMigrated } from "./health-postgres.ts";
import { type TimerLock, sqliteTimerLock } from "./timer-lock.ts";
import { postgresTimerLock } from "./timer-lock-postgres.ts";

/**
 * Where a pod keeps everything: its rooms' database, Fedify's key-value store and message queue, the lock that
 * runs each periodic job once, and what /ready checks. One SQLite file in DATA_DIR by default; with
 * DATABASE_URL, one PostgreSQL database shared by any number of web processes and workers.
 */
export interface PodStorage {
  rooms: RoomDb;
  kv: KvStore;
  queue: TransactionalQueue & { close(): void };
  timerLock(leaseMs: number): TimerLock;
  /** The database answers, and every migration this code knows has been applied. */
  checks(): ReadinessCheck[];
  /** SQLite only: the file's connection (WAL checkpoints, export, tests). */
  sqlite: DatabaseHandle | null;
  close(): Promise<void>;
}

export interface StorageOptions {
  /** Refuse, rather than make, a pod where there is none (the CLI's commands other than init). */
  mustExist: boolean;
  /** PostgreSQL connections this process may hold: a web process and a worker each have their pool. */
  poolSize?: number;
  /** Shown in pg_stat_activity (`pods web`, `pods worker`). */
  applicationName?: string;
}

export async function openStorage(config: Config, options: StorageOptions): Promise<PodStorage> {
  if (config.databaseUrl) return openPostgresStorage(config, config.databaseUrl, options);
  return openSqliteStorage(config, options);
}

/** A CLI command other than init where the settings point at no pod (an empty DATA_DIR or database). */
function noPodThere(config: Config): ConfigError {
  return new ConfigError(
    config.databaseUrl
      ? "Invalid setting DATABASE_URL: that database has no pod. Check DATABASE_URL, or make a new pod there " +
          'with "npm start" or "npm run pod -- init".'
      : `Invalid setting DATA_DIR: there is no pod in ${config.dataDir}. Check DATA_DIR, or make a new pod there ` +
          'with "npm start" or "npm run pod -- init".',
  );
}

function openSqliteStorage(config: Config, options: StorageOptions): PodStorage {
  if (options.mustExist && !existsSync(config.databasePath)) throw noPodThere(config);
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const database = openMigratedDatabase(config.databasePath);
  const queue = new SqliteMessageQueue(database, { leaseMs: config.queueLeaseMs });
  return {
    rooms: sqliteRoomDb(database.sqlite),
    kv: new SqliteKvStore(database),
    queue,
    timerLock: (leaseMs) => sqliteTimerLock(database.sqlite, leaseMs),
    checks: () => [sqliteAnswers(database.sqlite), sqliteMigrated(database.sqlite)],
    sqlite: database,
    async close() {
      queue.close();
      database.close();
    },
  };
}

async function openPostgresStorage(config: Config, url: string, options: StorageOptions): Promise<PodStorage> {
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
