/**
 * A real pod's SQLite data copied into PostgreSQL (the rooms' derived schema): every row of every room arrives,
 * typed by its column, and counting keys go on after the largest id SQLite ever handed out. A pod made through
 * its own services on a real SQLite file; a throwaway PostgreSQL server.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { getTableName } from "drizzle-orm";
import { getTableConfig, PgTable } from "drizzle-orm/pg-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/load.ts";
import { openPostgresPool, type PostgresPool } from "../../src/db/postgres.ts";
import * as schema from "../../src/db/postgres-schema.ts";
import { createLogger } from "../../src/log/logger.ts";
import { copyToPostgres } from "../../src/moving/to-postgres.ts";
import { offerInputSchema } from "../../src/offers/model.ts";
import { openPod } from "../../src/pod.ts";
import { freshDatabase, postgresUnavailable, type TestDatabase } from "../support/postgres.ts";
import { sqliteOf } from "../support/sqlite-of.ts";

const skip = postgresUnavailable();
if (skip) console.warn(skip);

const tables = new Map(
  Object.values(schema as Record<string, unknown>)
    .filter((value): value is PgTable => value instanceof PgTable)
    .map((table) => [getTableName(table), table]),
);

/** A row as comparable JSON: booleans as booleans, JSON columns parsed, integers as decimal strings. */
function comparable(table: PgTable, row: Record<string, unknown>): string {
  const out: Record<string, unknown> = {};
  for (const column of getTableConfig(table).columns) {
    let value = row[column.name];
    if (value !== null && column.columnType === "PgBoolean") value = value === true || value === 1 || value === 1n;
    if (value !== null && column.columnType === "PgJsonb" && typeof value === "string") value = JSON.parse(value);
    if (typeof value === "bigint") value = value.toString();
    if (value !== null && column.columnType === "PgBigInt53") value = String(value);
    out[column.name] = value ?? null;
  }
  return JSON.stringify(out);
}

describe.skipIf(skip != null)("a pod's data copied into PostgreSQL", () => {
  const root = mkdtempSync(join(tmpdir(), "to-postgres-"));
  const databasePath = join(root, "pod.sqlite");
  let database: TestDatabase;
  let pool: PostgresPool;

  beforeAll(async () => {
    const config = loadConfig({ POD_URL: "http://127.0.0.1:39102", DATA_DIR: root, LOG_LEVEL: "warn" });
    const pod = await openPod(config, createLogger("warn", process.stderr));
    for (const name of ["Apples", "Pears", "Plums"]) {
      const input = offerInputSchema.parse({
        name,
        quantity: "2.5",
        unit: "kg",
        category: "food",
        area: { name: "Riverside", latitude: 40.4168, longitude: -3.7038 },
      });
      await pod.offers.create("offer", input);
    }
    await pod.memory.create({ kind: "lesson", title: "Lentils keep", summary: "Dry and dark, they keep a year." });
    const secret = (await pod.members.freshSetupSecret())!;
    await pod.members.accept(secret, { displayName: "Ana", username: "ana", password: "long enough password" });
    // The last outbox entry removed: its number must not be handed out again.
    sqliteOf(pod).sqlite.exec("DELETE FROM outbox_activities WHERE seq = (SELECT max(seq) FROM outbox_activities)");
    pod.close();
    database = await freshDatabase();
    pool = openPostgresPool(database.url);
  });
  afterAll(async () => {
    await pool?.end();
    await database?.drop();
    rmSync(root, { recursive: true, force: true });
  });

  it("copies every room's rows, typed, and leaves only the full-text index and Fedify's SQLite stores", async () => {
    const summary = await copyToPostgres(databasePath, pool);
    expect(summary.left.sort()).toEqual(["kv_entries", "memory_search", "queue_messages"]);
    expect(summary.rows.offers).toBe(3);
    const sqlite = new Database(databasePath, { readonly: true });
    sqlite.defaultSafeIntegers(true);
    try {
      for (const [name, table] of tables) {
        const before = (sqlite.prepare(`SELECT * FROM "${name}"`).all() as Record<string, unknown>[])
          .map((row) => comparable(table, row))
          .sort();
        const after = (await pool.query(`SELECT * FROM "${name}"`)).rows.map((row) => comparable(table, row)).sort();
        expect(after, name).toEqual(before);
      }
      const handedOut = sqlite
        .prepare("SELECT seq FROM sqlite_sequence WHERE name = 'outbox_activities'")
        .pluck()
        .get();
      const next = await pool.query(
        `INSERT INTO outbox_activities (iri, type, object_iri, json, published_at)
         SELECT iri || '#next', type, object_iri, json, published_at FROM outbox_activities LIMIT 1
         RETURNING seq`,
      );
      expect(BigInt(next.rows[0].seq)).toBe((handedOut as bigint) + 1n);
    } finally {
      sqlite.close();
    }
  });

  it("refuses to copy into a database that already holds a pod", async () => {
    await expect(copyToPostgres(databasePath, pool)).rejects.toThrow(/already holds/);
  });
});
