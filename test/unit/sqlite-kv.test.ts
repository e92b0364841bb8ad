import { Temporal } from "@js-temporal/polyfill";
import type { KvKey, KvStoreListEntry, KvStoreSetOptions } from "@fedify/fedify";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { openMigratedDatabase, type DatabaseHandle } from "../../src/db/client.ts";
import { SqliteKvStore } from "../../src/federation/sqlite-kv.ts";
import { describeKvStoreContract } from "../support/kv-contract.ts";

// Fedify's types name the global Temporal; at runtime it hands over polyfill objects, as we do here.
const ttl = (seconds: number) => ({ ttl: Temporal.Duration.from({ seconds }) }) as unknown as KvStoreSetOptions;

/** Listed keys in a fixed order: the store promises no particular order, like MemoryKvStore. */
const sortedKeys = (entries: KvStoreListEntry[]) => entries.map((e) => JSON.stringify(e.key)).sort();
const sorted = (keys: KvKey[]) => keys.map((k) => JSON.stringify(k)).sort();

async function collect(iterable: AsyncIterable<KvStoreListEntry>): Promise<KvStoreListEntry[]> {
  const entries: KvStoreListEntry[] = [];
  for await (const entry of iterable) entries.push(entry);
  return entries;
}

describe("SqliteKvStore", () => {
  let dir: string;
  let file: string;
  let handle: DatabaseHandle;
  let clock: number;
  let kv: SqliteKvStore;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "pods-kv-"));
    file = path.join(dir, "pod.sqlite");
    handle = openMigratedDatabase(file);
    clock = Date.UTC(2025, 0, 1);
    kv = new SqliteKvStore(handle, { now: () => clock });
  });

  afterEach(() => {
    handle.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("gets, sets, overwrites and deletes values", async () => {
    expect(await kv.get(["missing"])).toBeUndefined();
    await kv.set(["a", "b"], { n: 1, list: [1, "two", null], nested: { ok: true } });
    expect(await kv.get(["a", "b"])).toEqual({ n: 1, list: [1, "two", null], nested: { ok: true } });
    expect(await kv.get(["a"])).toBeUndefined();
    await kv.set(["a", "b"], "replaced");
    expect(await kv.get(["a", "b"])).toBe("replaced");
    await kv.delete(["a", "b"]);
    expect(await kv.get(["a", "b"])).toBeUndefined();
    await kv.delete(["a", "b"]); // deleting an absent key is fine
  });

  it("hides entries once their TTL has passed, and purges them", async () => {
    await kv.set(["short"], 1, ttl(10));
    await kv.set(["long"], 2, ttl(100));
    await kv.set(["forever"], 3);
    clock += 9_999;
    expect(await kv.get(["short"])).toBe(1);
    clock += 1;
    expect(await kv.get(["short"])).toBeUndefined();
    expect(sortedKeys(await collect(kv.list()))).toEqual(sorted([["forever"], ["long"]]));

    clock += 90_000;
    expect(await collect(kv.list())).toEqual([{ key: ["forever"], value: 3 }]);
    // get() already removed ["short"] lazily; ["long"] is still a row until purged.
    expect(kv.purgeExpired()).toBe(1);
    expect(handle.sqlite.prepare("SELECT key FROM kv_entries").pluck().all()).toEqual(['["forever"]']);
  });

  it("set without a TTL clears an earlier expiry", async () => {
    await kv.set(["k"], "v1", ttl(1));
    await kv.set(["k"], "v2");
    clock += 60_000;
    expect(await kv.get(["k"])).toBe("v2");
  });

  describe("cas", () => {
    it("treats an expected undefined as 'absent'", async () => {
      expect(await kv.cas(["k"], undefined, "first")).toBe(true);
      expect(await kv.get(["k"])).toBe("first");
      expect(await kv.cas(["k"], undefined, "second")).toBe(false);
      expect(await kv.get(["k"])).toBe("first");
    });

    it("swaps when the current value is deeply equal, whatever the key order", async () => {
      await kv.set(["k"], { a: 1, b: { c: [1, 2], d: "x" } });
      expect(await kv.cas(["k"], { b: { d: "x", c: [1, 2] }, a: 1 }, { a: 2 })).toBe(true);
      expect(await kv.get(["k"])).toEqual({ a: 2 });
    });

    it("refuses on a mismatch or when the key is absent", async () => {
      await kv.set(["k"], { a: 1 });
      expect(await kv.cas(["k"], { a: 2 }, "nope")).toBe(false);
      expect(await kv.cas(["k"], { a: 1, extra: true }, "nope")).toBe(false);
      expect(await kv.cas(["k"], [1], "nope")).toBe(false);
      expect(await kv.get(["k"])).toEqual({ a: 1 });
      expect(await kv.cas(["other"], { a: 1 }, "nope")).toBe(false);
      expect(await kv.get(["other"])).toBeUndefined();
    });

    it("sees an expired entry as absent and applies the new TTL", async () => {
      await kv.set(["k"], "old", ttl(1));
      clock += 1_000;
      expect(await kv.cas(["k"], "old", "new")).toBe(false);
      expect(await kv.cas(["k"], undefined, "new", ttl(5))).toBe(true);
      expect(await kv.get(["k"])).toBe("new");
      clock += 5_000;
      expect(await kv.get(["k"])).toBeUndefined();
    });

    it("swapping to undefined deletes the entry", async () => {
      await kv.set(["k"], 1);
      expect(await kv.cas(["k"], 1, undefined)).toBe(true);
      expect(await collect(kv.list(["k"]))).toEqual([]);
    });
  });

  describe("list", () => {
    const keys: KvKey[] = [
      ["a"],
      ["a", "b"],
      ["a", "b", "c"],
      ["a", "c"],
      ["ab"],
      ["ab", "a"],
      ["b"],
      ['a"'],
      ["a", ""],
    ];

    beforeEach(async () => {
      for (const key of keys) await kv.set(key, key.join("/"));
    });

    it("with a prefix yields the prefix itself and longer keys below it, not ['ab']", async () => {
      const entries = await collect(kv.list(["a"]));
      expect(sortedKeys(entries)).toEqual(sorted([["a"], ["a", ""], ["a", "b"], ["a", "b", "c"], ["a", "c"]]));
      expect(entries.find((e) => e.key.length === 1)?.value).toBe("a");
    });

    it("with a longer prefix narrows further", async () => {
      expect(sortedKeys(await collect(kv.list(["a", "b"])))).toEqual(
        sorted([
          ["a", "b"],
          ["a", "b", "c"],
        ]),
      );
      expect(sortedKeys(await collect(kv.list(["ab"])))).toEqual(sorted([["ab"], ["ab", "a"]]));
      expect(await collect(kv.list(["zzz"]))).toEqual([]);
    });

    it("without a prefix yields every live entry", async () => {
      await kv.set(["gone"], 0, ttl(1));
      clock += 1_000;
      expect(sortedKeys(await collect(kv.list()))).toEqual(sorted(keys));
    });

    it("skips expired entries under the prefix", async () => {
      await kv.set(["a", "temp"], "t", ttl(1));
      expect((await collect(kv.list(["a"]))).some((e) => e.key[1] === "temp")).toBe(true);
      clock += 1_000;
      expect((await collect(kv.list(["a"]))).some((e) => e.key[1] === "temp")).toBe(false);
    });

    it("with a prefix is a range scan on the primary key", () => {
      const prepared: string[] = [];
      const prepare = handle.sqlite.prepare.bind(handle.sqlite);
      vi.spyOn(handle.sqlite, "prepare").mockImplementation((sql: string) => {
        prepared.push(sql);
        return prepare(sql);
      });
      new SqliteKvStore(handle);
      const rangeStatements = prepared.filter((sql) => sql.includes("@low"));
      expect(rangeStatements.length).toBeGreaterThan(0);
      for (const sql of rangeStatements) {
        const plan = prepare(`EXPLAIN QUERY PLAN ${sql}`)
          .all({ low: "", high: "", now: 0 })
          .map((row) => (row as { detail: string }).detail);
        expect(plan).toEqual(["SEARCH kv_entries USING INDEX sqlite_autoindex_kv_entries_1 (key>? AND key<?)"]);
      }
    });

    it("allows writes while iterating", async () => {
      for await (const entry of kv.list(["a"])) await kv.delete(entry.key);
      expect(await collect(kv.list(["a"]))).toEqual([]);
      expect(await kv.get(["ab"])).toBe("ab");
    });
  });

  it("persists entries across closing and reopening the file", async () => {
    await kv.set(["actor", "key"], { jwk: "secret" });
    await kv.set(["cache", "doc"], "soon gone", ttl(60));
    handle.close();

    handle = openMigratedDatabase(file);
    kv = new SqliteKvStore(handle, { now: () => clock });
    expect(await kv.get(["actor", "key"])).toEqual({ jwk: "secret" });
    expect(await kv.get(["cache", "doc"])).toBe("soon gone");
    clock += 60_000;
    expect(await kv.get(["cache", "doc"])).toBeUndefined();
  });
});

describe("SqliteKvStore on the shared contract", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pods-kv-contract-"));
  const handle = openMigratedDatabase(path.join(dir, "pod.sqlite"));

  afterAll(() => {
    handle.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  describeKvStoreContract("SqliteKvStore", () => ({
    open: async (now) => {
      handle.sqlite.prepare("DELETE FROM kv_entries").run();
      return new SqliteKvStore(handle, { now });
    },
  }));
});
