import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { drizzle } from "drizzle-orm/node-postgres";
import { migrate } from "drizzle-orm/node-postgres/migrator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migratePostgres, openPostgresPool, type PostgresPool } from "../../src/db/postgres.ts";
import { freshDatabase, postgresUnavailable, type TestDatabase } from "../support/postgres.ts";
import { LEGACY_POSTS_SQL, MIGRATED_INSTANTS } from "../support/status-instants.ts";

const MIGRATIONS = fileURLToPath(new URL("../../migrations-pg", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "pod-instants-pg-"));

describe.skipIf(postgresUnavailable())("migrations-pg 0007: the posts' instants in one spelling (PostgreSQL)", () => {
  let database: TestDatabase;
  let pool: PostgresPool;
  beforeAll(async () => {
    database = await freshDatabase();
    pool = openPostgresPool(database.url, { max: 2 });
  });
  afterAll(async () => {
    await pool?.end();
    await database?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("rewrites posts stored with an offset or without milliseconds; a value that is no instant stays", async () => {
    // The migrations before 0007: a copy of the folder whose journal ends at 0006.
    const before = join(dir, "migrations-pg");
    cpSync(MIGRATIONS, before, { recursive: true });
    const journal = JSON.parse(readFileSync(join(before, "meta", "_journal.json"), "utf8")) as {
      entries: { tag: string }[];
    };
    journal.entries = journal.entries.slice(
      0,
      journal.entries.findIndex((e) => e.tag === "0007_status_instants"),
    );
    writeFileSync(join(before, "meta", "_journal.json"), JSON.stringify(journal));
    const client = await pool.connect();
    try {
      await migrate(drizzle({ client }), { migrationsFolder: before });
    } finally {
      client.release();
    }
    for (const sql of LEGACY_POSTS_SQL) await pool.query(sql);

    await migratePostgres(pool);
    const { rows } = await pool.query<{ id: string; published_at: string; edited_at: string | null }>(
      "SELECT id, published_at, edited_at FROM statuses ORDER BY id",
    );
    expect(Object.fromEntries(rows.map((r) => [r.id, [r.published_at, r.edited_at]]))).toEqual(MIGRATED_INSTANTS);
    const functions = await pool.query("SELECT 1 FROM pg_proc WHERE proname = 'pods_iso_instant'");
    expect(functions.rowCount).toBe(0);
  });
});
