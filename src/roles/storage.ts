import { existsSync, mkdirSync } from "node:fs";
import type { Config } from "../config/schema.ts";
import { noPodThere, type PodStorage, type StorageOptions } from "./pod-storage.ts";
import { openMigratedDatabase } from "../db/client.ts";
import { sqliteRoomDb } from "../db/room-db-sqlite.ts";
import { SqliteKvStore } from "../federation/sqlite-kv.ts";
import { SqliteMessageQueue } from "../federation/sqlite-mq.ts";
import { sqliteAnswers, sqliteMigrated } from "./health.ts";
import { sqliteTimerLock } from "./timer-lock.ts";

export async function openStorage(config: Config, options: StorageOptions): Promise<PodStorage> {
  if (config.databaseUrl) {
    // Loaded only here: node-postgres and the PostgreSQL schema are about a hundred modules a pod on SQLite
    // would load and never use (start time and memory).
    const { openPostgresStorage } = await import("./storage-postgres.ts");
    return openPostgresStorage(config, config.databaseUrl, options);
  }
  return openSqliteStorage(config, options);
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
