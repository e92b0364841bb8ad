import type { KvKey, KvStore, KvStoreSetOptions } from "@fedify/fedify";

/** Fedify's key prefixes for what it reads and writes around every delivery (its defaults). */
const CIRCUIT_PREFIX: KvKey = ["_fedify", "circuit"];
const SPEC_PREFIX: KvKey = ["_fedify", "httpMessageSignaturesSpec"];
const MAX_ENTRIES = 10_000;

/**
 * The KvStore Fedify is given, remembering the two entries it reads or writes for every delivery:
 * - a host's circuit-breaker state, read twice per delivery (before sending, and on success), and absent
 *   for every host that answers. Absence is remembered until this store writes that key; Fedify writes
 *   circuit states only from the delivery queue, which runs in the server process (through this store).
 * - the signature spec a host accepted, written again after every successful delivery: a write of the
 *   value already stored is skipped.
 * Everything else goes straight to `kv`.
 */
export function cacheDeliveryState(kv: KvStore): KvStore {
  const absentCircuits = new Set<string>();
  const specs = new Map<string, string>();
  const encoded = (key: KvKey) => JSON.stringify(key);
  const under = (key: KvKey, prefix: KvKey) =>
    key.length === prefix.length + 1 && prefix.every((part, i) => key[i] === part);
  const forget = (key: KvKey) => {
    absentCircuits.delete(encoded(key));
    specs.delete(encoded(key));
  };
  const bounded = <T extends { size: number; clear(): void }>(collection: T) => {
    if (collection.size >= MAX_ENTRIES) collection.clear();
    return collection;
  };

  return {
    async get<T = unknown>(key: KvKey): Promise<T | undefined> {
      if (under(key, CIRCUIT_PREFIX)) {
        if (absentCircuits.has(encoded(key))) return undefined;
        const value = await kv.get<T>(key);
        if (value === undefined) bounded(absentCircuits).add(encoded(key));
        return value;
      }
      if (under(key, SPEC_PREFIX)) {
        const known = specs.get(encoded(key));
        if (known !== undefined) return JSON.parse(known) as T;
        const value = await kv.get<T>(key);
        if (value !== undefined) bounded(specs).set(encoded(key), JSON.stringify(value));
        return value;
      }
      return kv.get<T>(key);
    },
    async set(key: KvKey, value: unknown, options?: KvStoreSetOptions): Promise<void> {
      const spec = under(key, SPEC_PREFIX) && options?.ttl == null && value !== undefined;
      if (spec && specs.get(encoded(key)) === JSON.stringify(value)) return;
      forget(key);
      await kv.set(key, value, options);
      forget(key);
      if (spec) bounded(specs).set(encoded(key), JSON.stringify(value));
    },
    async delete(key: KvKey): Promise<void> {
      forget(key);
      await kv.delete(key);
      forget(key);
    },
    ...(kv.cas
      ? {
          async cas(key: KvKey, expectedValue: unknown, newValue: unknown, options?: KvStoreSetOptions) {
            forget(key);
            const swapped = await kv.cas!(key, expectedValue, newValue, options);
            forget(key);
            return swapped;
          },
        }
      : {}),
    list: (prefix?: KvKey) => kv.list(prefix),
  };
}
