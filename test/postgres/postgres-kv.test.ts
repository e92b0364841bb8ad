import { Temporal } from "@js-temporal/polyfill";
import type { KvStoreSetOptions } from "@fedify/fedify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openPostgresPool, type PostgresPool } from "../../src/db/postgres.ts";
import { PostgresKvStore } from "../../src/federation/postgres-kv.ts";
import { describeKvStoreContract } from "../support/kv-contract.ts";
import { freshDatabase, postgresUnavailable, type TestDatabase } from "../support/postgres.ts";

const skip = postgresUnavailable();
if (skip) console.warn(skip);

describe.skipIf(skip != null)("PostgresKvStore", () => {
  let database: TestDatabase;
  let pool: PostgresPool;

  beforeAll(async () => {
    database = await freshDatabase();
    pool = openPostgresPool(database.url);
    await new PostgresKvStore(pool).initialize();
  });

  afterAll(async () => {
    await pool?.end();
    await database?.drop();
  });

  describeKvStoreContract("PostgresKvStore", () => ({
    open: async (now) => {
      await pool.query("TRUNCATE fedify_kv_entries");
      return new PostgresKvStore(pool, { now });
    },
  }));

  it("purges expired entries, and keeps entries across pools (another process)", async () => {
    await pool.query("TRUNCATE fedify_kv_entries");
    let clock = Date.UTC(2025, 0, 1);
    const kv = new PostgresKvStore(pool, { now: () => clock });
    const ttl = { ttl: Temporal.Duration.from({ seconds: 60 }) } as unknown as KvStoreSetOptions;
    await kv.set(["actor", "key"], { jwk: "secret" });
    await kv.set(["cache", "doc"], "soon gone", ttl);
    const other = openPostgresPool(database.url, { max: 1 });
    try {
      const elsewhere = new PostgresKvStore(other, { now: () => clock });
      await elsewhere.initialize();
      expect(await elsewhere.get(["actor", "key"])).toEqual({ jwk: "secret" });
      clock += 60_000;
      expect(await elsewhere.purgeExpired()).toBe(1);
      expect((await pool.query("SELECT key FROM fedify_kv_entries")).rows).toEqual([{ key: '["actor","key"]' }]);
    } finally {
      await other.end();
    }
  });

  it("lists a prefix by a range scan on the primary key", async () => {
    await pool.query("SET enable_seqscan = off");
    try {
      const { rows } = await pool.query(
        `EXPLAIN SELECT key, value FROM fedify_kv_entries WHERE key > '["a"' AND key <= '["a"]'`,
      );
      expect(rows.map((r) => r["QUERY PLAN"]).join("\n")).toContain("fedify_kv_entries_pkey");
    } finally {
      await pool.query("RESET enable_seqscan");
    }
  });
});
