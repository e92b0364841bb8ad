import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { Temporal as Polyfill } from "@js-temporal/polyfill";
import type Database from "better-sqlite3";
import type { Config } from "../config/schema.ts";
import { openPostgresPool, type PostgresClient } from "../db/postgres.ts";
import { PostgresKvStore } from "../federation/postgres-kv.ts";
import { PostgresMessageQueue } from "../federation/postgres-mq.ts";
import { postgresHasPod } from "../roles/storage-postgres.ts";
import { ArchiveRefused } from "./format.ts";
import { build, type ImportOptions, type ImportSummary, importSummary, placeFile, removePlaced } from "./import.ts";
import { copyToPostgres } from "./to-postgres.ts";

const RECORDED_URL = ["pod", "url"] as const;

/**
 * Makes the pod in an archive the pod of DATABASE_URL's database, which must have none. The archive is built and
 * checked in a staging folder exactly as for SQLite; then its files are placed in DATA_DIR (uploads stay on disk)
 * and its rows, with its pending deliveries, are copied into PostgreSQL in one transaction. On any failure
 * nothing is left: the transaction rolls back and the placed files are removed.
 */
export async function importIntoPostgres(
  config: Config,
  url: string,
  archive: string,
  options: ImportOptions,
): Promise<ImportSummary> {
  if (!existsSync(archive) || !statSync(archive).isFile()) throw new ArchiveRefused(`no archive file at ${archive}`);
  const pool = openPostgresPool(url, { max: 2, applicationName: "pods import" });
  const refuseTaken = async () => {
    if (await postgresHasPod(pool)) {
      throw new ArchiveRefused("DATABASE_URL's database already has a pod: import only into an empty database");
    }
  };
  try {
    await refuseTaken();
    const createdDir = mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
    const staging = mkdtempSync(join(config.dataDir, ".import-"));
    const placed: string[] = [];
    const createdDirs: string[] = [];
    let done = false;
    try {
      const { manifest, files, schema } = await build(config, archive, staging, options);
      for (const path of files) placeFile(config.dataDir, staging, path, placed, createdDirs);
      const kv = new PostgresKvStore(pool);
      const queue = new PostgresMessageQueue(pool);
      await kv.initialize();
      await queue.initialize();
      await refuseTaken();
      // copyToPostgres refuses a database that holds rows: two imports at once cannot both land. The recorded
      // address and the pending deliveries commit with the rows: the pod is there whole, or not at all.
      await copyToPostgres(join(staging, "pod.sqlite"), pool, async (client, sqlite) => {
        await copyPendingDeliveries(client, sqlite, queue);
        await kv.setOnConnection(client, RECORDED_URL, config.url.origin);
      });
      done = true;
      return importSummary(config, manifest, schema);
    } finally {
      if (!done) removePlaced(placed, createdDirs);
      rmSync(staging, { recursive: true, force: true });
      if (createdDir && !done) rmSync(createdDir, { recursive: true, force: true });
    }
  } finally {
    await pool.end();
  }
}

interface QueueRow {
  payload: string;
  ordering_key: string | null;
  available_at: bigint;
}

/** The SQLite queue's messages, in the order they would have been handed out, into PostgreSQL's queue. */
async function copyPendingDeliveries(
  client: PostgresClient,
  sqlite: Database.Database,
  queue: PostgresMessageQueue,
): Promise<void> {
  const rows = sqlite
    .prepare("SELECT payload, ordering_key, available_at FROM queue_messages ORDER BY available_at, created_at, id")
    .all() as QueueRow[];
  if (rows.length === 0) return;
  const now = Date.now();
  await queue.enqueueOnConnection(
    client,
    rows.map((row) => ({
      messages: [JSON.parse(row.payload)],
      options: {
        orderingKey: row.ordering_key ?? undefined,
        // Fedify's types name the global Temporal, which Node 24 lacks at run time: the polyfill's value.
        delay: Polyfill.Duration.from({
          milliseconds: Math.max(0, Number(row.available_at) - now),
        }) as unknown as Temporal.Duration,
      },
    })),
  );
}
