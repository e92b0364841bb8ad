import { Temporal } from "@js-temporal/polyfill";
import type { KvKey, KvStore, KvStoreListEntry, KvStoreSetOptions } from "@fedify/fedify";
import { beforeEach, describe, expect, it } from "vitest";

/** The behaviour every pod KvStore shares (SQLite and PostgreSQL), on a controllable clock. */
export interface KvBackend {
  /** A store on an empty table whose clock is `now`. */
  open(now: () => number): Promise<Required<KvStore>>;
}

const ttl = (seconds: number) => ({ ttl: Temporal.Duration.from({ seconds }) }) as unknown as KvStoreSetOptions;
const sortedKeys = (entries: KvStoreListEntry[]) => entries.map((e) => JSON.stringify(e.key)).sort();
const sorted = (keys: KvKey[]) => keys.map((k) => JSON.stringify(k)).sort();

async function collect(iterable: AsyncIterable<KvStoreListEntry>): Promise<KvStoreListEntry[]> {
  const entries: KvStoreListEntry[] = [];
  for await (const entry of iterable) entries.push(entry);
  return entries;
}

export function describeKvStoreContract(name: string, backend: () => KvBackend): void {
  describe(`${name} (KvStore contract)`, () => {
    let clock: number;
    let kv: Required<KvStore>;

    beforeEach(async () => {
      clock = Date.UTC(2025, 0, 1);
      kv = await backend().open(() => clock);
    });

    it("hides an entry once its TTL has passed, in get, list and cas", async () => {
      await kv.set(["short"], 1, ttl(10));
      await kv.set(["forever"], 3);
      clock += 9_999;
      expect(await kv.get(["short"])).toBe(1);
      clock += 1;
      expect(await kv.get(["short"])).toBeUndefined();
      expect(await collect(kv.list())).toEqual([{ key: ["forever"], value: 3 }]);
      expect(await kv.cas(["short"], 1, 2)).toBe(false);
      expect(await kv.cas(["short"], undefined, 2)).toBe(true);
      expect(await kv.get(["short"])).toBe(2);
    });

    it("compare-and-swaps on deep equality, and 'undefined' means absent", async () => {
      expect(await kv.cas(["k"], undefined, { a: 1, b: [1, 2] })).toBe(true);
      expect(await kv.cas(["k"], undefined, "again")).toBe(false);
      expect(await kv.cas(["k"], { b: [1, 2], a: 1 }, "swapped")).toBe(true);
      expect(await kv.cas(["k"], "not it", "nope")).toBe(false);
      expect(await kv.get(["k"])).toBe("swapped");
    });

    it("lets exactly one of many concurrent compare-and-swaps win", async () => {
      await kv.set(["counter"], 0);
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => kv.cas(["counter"], 0, i + 1)));
      expect(results.filter(Boolean)).toHaveLength(1);
      const absent = await Promise.all(Array.from({ length: 20 }, (_, i) => kv.cas(["fresh"], undefined, i)));
      expect(absent.filter(Boolean)).toHaveLength(1);
    });

    it("lists by prefix: the prefix itself and longer keys below it, not siblings that merely start alike", async () => {
      const keys: KvKey[] = [["a"], ["a", "b"], ["a", "b", "c"], ["a", ""], ["ab"], ["ab", "a"], ['a"'], ["b"]];
      for (const key of keys) await kv.set(key, key.join("/"));
      await kv.set(["a", "gone"], 0, ttl(1));
      clock += 1_000;
      expect(sortedKeys(await collect(kv.list(["a"])))).toEqual(
        sorted([["a"], ["a", ""], ["a", "b"], ["a", "b", "c"]]),
      );
      expect(sortedKeys(await collect(kv.list(["a", "b"])))).toEqual(
        sorted([
          ["a", "b"],
          ["a", "b", "c"],
        ]),
      );
      expect(sortedKeys(await collect(kv.list()))).toEqual(sorted(keys));
    });

    it("keeps keys with odd characters apart, and lists them by prefix", async () => {
      const odd: KvKey[] = [
        ["ü", "é"],
        ["ü", "\u0000"],
        ["ü", "]"],
        ["ü", ","],
        ["ü", '"quoted"'],
        ["ü", "back\\slash"],
        ["ü", "🧺"],
        ["ü", "%_"],
        ["u"],
        ["ü\u0000"],
        ["ü]"],
      ];
      for (const [i, key] of odd.entries()) await kv.set(key, i);
      for (const [i, key] of odd.entries()) expect(await kv.get(key)).toBe(i);
      expect(sortedKeys(await collect(kv.list(["ü"])))).toEqual(sorted(odd.slice(0, 8)));
      expect(await collect(kv.list(["ü", "%"]))).toEqual([]);
    });

    it("round-trips hostile values without polluting prototypes", async () => {
      const hostile = JSON.parse('{"__proto__": {"polluted": true}, "nested": {"__proto__": [1]}}');
      let deep: unknown = "bottom";
      for (let i = 0; i < 2_000; i++) deep = [deep];
      await kv.set(["hostile"], hostile);
      await kv.set(["deep"], deep);
      await kv.set(["text"], "nul \u0000 and 'quotes'");
      const back = await kv.get<object>(["hostile"]);
      expect(back).toEqual(hostile);
      expect(Object.hasOwn(back!, "__proto__")).toBe(true);
      expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
      expect(await kv.get(["deep"])).toEqual(deep);
      expect(await kv.get(["text"])).toBe("nul \u0000 and 'quotes'");
    });

    it("deletes, and setting undefined is the same as deleting", async () => {
      await kv.set(["x"], 1);
      await kv.delete(["x"]);
      await kv.delete(["x"]);
      expect(await kv.get(["x"])).toBeUndefined();
      await kv.set(["y"], 1);
      await kv.set(["y"], undefined);
      expect(await collect(kv.list(["y"]))).toEqual([]);
    });
  });
}
