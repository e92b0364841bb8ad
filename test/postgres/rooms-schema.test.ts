/**
 * The rooms' tables on a real PostgreSQL server: migrations-pg (drizzle-kit, from the derived schema) creates
 * every table and column the SQLite schema has, keys and foreign-key actions hold, and several processes
 * starting at once migrate once.
 */
import { getTableColumns, getTableName } from "drizzle-orm";
import { drizzle } from "drizzle-orm/node-postgres";
import { getTableConfig, PgTable } from "drizzle-orm/pg-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migratePostgres, openPostgresPool, type PostgresPool } from "../../src/db/postgres.ts";
import * as schema from "../../src/db/postgres-schema.ts";
import { freshDatabase, postgresUnavailable, type TestDatabase } from "../support/postgres.ts";

const skip = postgresUnavailable();
if (skip) console.warn(skip);

const tables: PgTable[] = Object.values(schema as Record<string, unknown>).filter(
  (value): value is PgTable => value instanceof PgTable,
);

describe.skipIf(skip != null)("the rooms' schema on PostgreSQL", () => {
  let database: TestDatabase;
  let pools: PostgresPool[];

  beforeAll(async () => {
    database = await freshDatabase();
    pools = [openPostgresPool(database.url), openPostgresPool(database.url), openPostgresPool(database.url)];
    // Three processes starting together: one migrates, the others wait and find nothing left to do.
    await Promise.all(pools.map((pool) => migratePostgres(pool)));
  });

  afterAll(async () => {
    await Promise.all((pools ?? []).map((pool) => pool.end()));
    await database?.drop();
  });

  it("has every table and column of the rooms, migrated once", async () => {
    const { rows } = await pools[0]!.query<{ table_name: string; column_name: string }>(
      "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public'",
    );
    const found = new Set(rows.map((row) => `${row.table_name}.${row.column_name}`));
    const expected = tables.flatMap((table) =>
      Object.values(getTableColumns(table)).map((column) => `${getTableName(table)}.${column.name}`),
    );
    expect(tables.length).toBeGreaterThan(70);
    expect(expected.filter((name) => !found.has(name))).toEqual([]);
    const applied = await pools[0]!.query("SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations");
    expect(applied.rows[0].n).toBeGreaterThan(0);
    await migratePostgres(pools[1]!);
    const again = await pools[0]!.query("SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations");
    expect(again.rows[0].n).toBe(applied.rows[0].n);
  });

  it("keeps unique keys, identity columns and the foreign keys' delete actions", async () => {
    const db = drizzle({ client: pools[0]! });
    const ana = {
      displayName: "Ana",
      role: "coordinator" as const,
      username: "ana",
      createdAt: "2026-11-30T00:00:00Z",
    };
    await db.insert(schema.members).values({ id: "m1", ...ana });
    await expect(db.insert(schema.members).values({ id: "m2", ...ana })).rejects.toThrow();
    const event = { kind: "k", payload: "{}", dueAt: 1, createdAt: "2026-11-30T00:00:00Z" };
    const seqs = await db
      .insert(schema.events)
      .values([
        { id: "e1", ...event },
        { id: "e2", ...event },
      ])
      .returning({ seq: schema.events.seq });
    expect(seqs.map((row) => row.seq)).toEqual([1, 2]);
    const cascades = await pools[0]!.query(
      "SELECT count(*)::int AS n FROM information_schema.referential_constraints WHERE delete_rule = 'CASCADE'",
    );
    const declared = tables
      .flatMap((table) => getTableConfig(table).foreignKeys)
      .filter((fk) => fk.onDelete === "cascade");
    expect(declared.length).toBeGreaterThan(0);
    expect(cascades.rows[0].n).toBe(declared.length);
  });

  it("bumps the change counters in the changing transaction, as the SQLite triggers do", async () => {
    const pool = pools[0]!;
    const version = async (name: string) =>
      Number((await pool.query("SELECT version FROM document_versions WHERE name = $1", [name])).rows[0].version);
    const before = { actor: await version("actor"), settings: await version("settings") };
    await pool.query("INSERT INTO pod_settings (id, name, updated_at) VALUES (1, 'Riverside', 'now')");
    expect(await version("settings")).toBe(before.settings + 1);
    expect(await version("actor")).toBe(before.actor + 1);
    const moderation = await version("moderation");
    await pool.query("BEGIN");
    await pool.query("INSERT INTO blocked_domains (domain, created_at) VALUES ('spam.example', 'now')");
    await pool.query("ROLLBACK");
    expect(await version("moderation")).toBe(moderation);
    const nodeinfo = await version("nodeinfo");
    await pool.query(
      `INSERT INTO accounts (id, iri, local, username, host, created_at, fetched_at)
       VALUES ('a-remote', 'https://elsewhere.example/u/x', false, 'x', 'elsewhere.example', 'now', 'now'),
              ('a-local', 'https://pod.example/users/pod', true, 'pod', 'pod.example', 'now', 'now')`,
    );
    const status = (id: string, account: string) =>
      pool.query(
        `INSERT INTO statuses (id, iri, account_id, kind, content, visibility, published_at)
         VALUES ($1, $1, $2, 'note', '', 'public', 'now')`,
        [id, account],
      );
    await status("s-remote", "a-remote");
    expect(await version("nodeinfo")).toBe(nodeinfo);
    await status("s-local", "a-local");
    expect(await version("nodeinfo")).toBe(nodeinfo + 1);
    await pool.query("DELETE FROM statuses WHERE id = 's-local'");
    expect(await version("nodeinfo")).toBe(nodeinfo + 2);
  });
});
