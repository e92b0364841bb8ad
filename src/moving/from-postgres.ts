import type Database from "better-sqlite3";
import { getTableName } from "drizzle-orm";
import { getTableConfig, type PgColumn, PgTable } from "drizzle-orm/pg-core";
import { migrateDatabase, openDatabase } from "../db/client.ts";
import type { PostgresClient, PostgresPool } from "../db/postgres.ts";
import * as postgresSchema from "../db/postgres-schema.ts";
import { sqliteRoomDb } from "../db/room-db-sqlite.ts";
import { memorySearch } from "../memory/search.ts";
import { tablesParentsFirst } from "./tables.ts";

const pgTables = new Map(
  Object.values(postgresSchema as Record<string, unknown>)
    .filter((value): value is PgTable => value instanceof PgTable)
    .map((table) => [getTableName(table), table]),
);

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** A value as node-postgres returns it, as SQLite keeps it: booleans as 0/1, int8 (text) as integers, JSON as text. */
function toSqlite(column: PgColumn, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (column.columnType === "PgBoolean") return value ? 1 : 0;
  if (column.columnType === "PgJsonb") return JSON.stringify(value);
  if (column.columnType.startsWith("PgBigInt")) return BigInt(value as string);
  return value;
}

/**
 * Writes a pod on PostgreSQL into a new SQLite file at `sqlitePath` (migrated to this code's schema), from one
 * consistent snapshot of the database (a read-only REPEATABLE READ transaction): every room's rows, Fedify's
 * key-value entries and pending deliveries, the counting keys' positions; the memory's search index rebuilt.
 * The file is what `exportPod` archives, so a pod moves off PostgreSQL in the archive format it moves in with.
 */
export async function copyFromPostgres(pool: PostgresPool, sqlitePath: string): Promise<void> {
  const handle = openDatabase(sqlitePath);
  try {
    migrateDatabase(handle);
    const { sqlite } = handle;
    const triggers = sqlite.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").all() as {
      name: string;
      sql: string;
    }[];
    const client = await pool.connect();
    try {
      await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
      // The file is this export's own (no other statement runs on its connection): its transaction may span the
      // reads. Each table is written as it is read, so a large pod is never held in memory whole. The triggers
      // are set aside, so a loaded row changes no other (counters; the search index is rebuilt below).
      sqlite.pragma("foreign_keys = OFF");
      sqlite.exec("BEGIN IMMEDIATE");
      for (const trigger of triggers) sqlite.exec(`DROP TRIGGER ${quote(trigger.name)}`);
      const order = tablesParentsFirst(sqlite).filter((name) => pgTables.has(name));
      for (const name of order) await copyTable(client, sqlite, name);
      await copyPositions(client, sqlite, order);
      await copyFedifyTables(client, sqlite);
      await client.query("COMMIT");
      for (const trigger of triggers) sqlite.exec(trigger.sql);
      sqlite.exec("COMMIT");
    } finally {
      if (sqlite.inTransaction) sqlite.exec("ROLLBACK");
      client.release();
    }
    sqlite.pragma("foreign_keys = ON");
    await rebuildSearchIndex(sqlite);
    const check = sqlite.pragma("foreign_key_check") as unknown[];
    if (check.length > 0) throw new Error(`${check.length} rows refer to rows PostgreSQL did not have`);
  } finally {
    handle.close();
  }
}

/** One table's rows (those the migrations seeded, the change counters, make way for the pod's own). */
async function copyTable(client: PostgresClient, sqlite: Database.Database, name: string): Promise<void> {
  const { columns } = getTableConfig(pgTables.get(name)!);
  const list = columns.map((c) => quote(c.name)).join(", ");
  const result = await client.query({ text: `SELECT ${list} FROM ${quote(name)}`, rowMode: "array" });
  sqlite.exec(`DELETE FROM ${quote(name)}`);
  const insert = sqlite.prepare(`INSERT INTO ${quote(name)} (${list}) VALUES (${columns.map(() => "?").join(", ")})`);
  for (const row of result.rows as unknown[][]) insert.run(row.map((value, at) => toSqlite(columns[at]!, value)));
}

async function copyPositions(client: PostgresClient, sqlite: Database.Database, order: string[]): Promise<void> {
  const positions = await identityPositions(client, order);
  if (!sqlite.prepare("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'").get()) return;
  const set = sqlite.prepare("INSERT OR REPLACE INTO sqlite_sequence (name, seq) VALUES (?, ?)");
  for (const [name, seq] of positions) set.run(name, seq);
}

/** Fedify's key-value entries and the pending deliveries, into the SQLite key-value store and queue. */
async function copyFedifyTables(client: PostgresClient, sqlite: Database.Database): Promise<void> {
  const kv = await client.query("SELECT key, value, expires_at FROM fedify_kv_entries");
  const entry = sqlite.prepare("INSERT INTO kv_entries (key, value, expires_at) VALUES (?, ?, ?)");
  for (const row of kv.rows) entry.run(row.key, row.value, row.expires_at === null ? null : BigInt(row.expires_at));
  const queue = await client.query(
    "SELECT id, payload, ordering_key, available_at FROM fedify_queue_messages ORDER BY seq",
  );
  const message = sqlite.prepare(
    "INSERT INTO queue_messages (id, payload, ordering_key, available_at, created_at) VALUES (?, ?, ?, ?, ?)",
  );
  const now = Date.now();
  queue.rows.forEach((row, at) => {
    // PostgreSQL keeps the key as JSON text (a key may hold NUL, which its text refuses); SQLite as it is.
    const key = row.ordering_key === null ? null : (JSON.parse(row.ordering_key) as string);
    message.run(row.id, row.payload, key, BigInt(row.available_at), now + at);
  });
}

/** Where each table's counting key stands on PostgreSQL (the next id continues after it on SQLite too). */
async function identityPositions(client: PostgresClient, order: string[]): Promise<Map<string, bigint>> {
  const positions = new Map<string, bigint>();
  for (const name of order) {
    for (const column of getTableConfig(pgTables.get(name)!).columns) {
      if (column.generatedIdentity === undefined) continue;
      const sequence = (await client.query("SELECT pg_get_serial_sequence($1, $2) AS s", [quote(name), column.name]))
        .rows[0]?.s as string | null;
      if (!sequence) continue;
      const state = (await client.query(`SELECT last_value::text AS last, is_called FROM ${sequence}`)).rows[0];
      if (state?.is_called) positions.set(name, BigInt(state.last));
    }
  }
  return positions;
}

/** SQLite's full-text index of the memory (PostgreSQL computes its search in the query and has no such table). */
async function rebuildSearchIndex(sqlite: Database.Database): Promise<void> {
  const rooms = sqliteRoomDb(sqlite);
  await rooms.write((db) => memorySearch(rooms).rebuildWithin(db));
}
