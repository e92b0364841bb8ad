import type { KvStore } from "@fedify/fedify";
import { ConfigError } from "../config/load.ts";
import type { Config } from "../config/schema.ts";
import type { DatabaseHandle } from "../db/client.ts";
import type { RoomDb } from "../db/room-db.ts";
import type { TransactionalQueue } from "../events/dispatcher.ts";
import type { ReadinessCheck } from "./health.ts";
import type { TimerLock } from "./timer-lock.ts";

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

/** A CLI command other than init where the settings point at no pod (an empty DATA_DIR or database). */
export function noPodThere(config: Config): ConfigError {
  return new ConfigError(
    config.databaseUrl
      ? "Invalid setting DATABASE_URL: that database has no pod. Check DATABASE_URL, or make a new pod there " +
          'with "npm start" or "npm run pod -- init".'
      : `Invalid setting DATA_DIR: there is no pod in ${config.dataDir}. Check DATA_DIR, or make a new pod there ` +
          'with "npm start" or "npm run pod -- init".',
  );
}
