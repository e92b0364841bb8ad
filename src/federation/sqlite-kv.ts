import type { KvKey, KvStore, KvStoreListEntry, KvStoreSetOptions } from "@fedify/fedify";
import type { DatabaseHandle } from "../db/client.ts";

export interface SqliteKvStoreOptions {
  /** Clock in milliseconds since the epoch; tests pass a controllable one. */
  now?: () => number;
}

interface Row {
  key: string;
  value: string;
  expires_at: number | null;
}

/**
 * Fedify's KvStore on the pod's SQLite file (table `kv_entries`).
 * Keys are stored as their JSON text; values as JSON, so they must be JSON-serialisable.
 * An entry whose `expires_at` is not after the current time is treated as absent.
 */
export class SqliteKvStore implements KvStore {
  readonly #sqlite: DatabaseHandle["sqlite"];
  readonly #now: () => number;
  readonly #stmt;

  constructor(handle: DatabaseHandle, options: SqliteKvStoreOptions = {}) {
    this.#sqlite = handle.sqlite;
    this.#now = options.now ?? Date.now;
    const live = "(expires_at IS NULL OR expires_at > @now)";
    const prepare = (sql: string) => this.#sqlite.prepare(sql);
    this.#stmt = {
      get: prepare("SELECT key, value, expires_at FROM kv_entries WHERE key = ?"),
      upsert: prepare(
        `INSERT INTO kv_entries (key, value, expires_at) VALUES (@key, @value, @expiresAt)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at`,
      ),
      delete: prepare("DELETE FROM kv_entries WHERE key = ?"),
      deleteIfExpired: prepare("DELETE FROM kv_entries WHERE key = ? AND expires_at <= ?"),
      listAll: prepare(`SELECT key, value FROM kv_entries WHERE ${live} ORDER BY key`),
      listRange: prepare(
        `SELECT key, value FROM kv_entries WHERE key > @low AND key <= @high AND ${live} ORDER BY key`,
      ),
      purgeRange: prepare("DELETE FROM kv_entries WHERE key > @low AND key <= @high AND expires_at <= @now"),
      purge: prepare("DELETE FROM kv_entries WHERE expires_at <= ?"),
    };
  }

  async get<T = unknown>(key: KvKey): Promise<T | undefined> {
    const row = this.#read(JSON.stringify(key));
    return row == null ? undefined : (JSON.parse(row.value) as T);
  }

  async set(key: KvKey, value: unknown, options?: KvStoreSetOptions): Promise<void> {
    this.#write(JSON.stringify(key), value, options);
  }

  async delete(key: KvKey): Promise<void> {
    this.#stmt.delete.run(JSON.stringify(key));
  }

  /** `expectedValue === undefined` means "no live entry". Values are compared deeply. */
  async cas(key: KvKey, expectedValue: unknown, newValue: unknown, options?: KvStoreSetOptions): Promise<boolean> {
    const encodedKey = JSON.stringify(key);
    const swap = this.#sqlite.transaction(() => {
      const row = this.#read(encodedKey);
      const matches =
        row == null
          ? expectedValue === undefined
          : expectedValue !== undefined && canonicalJson(JSON.parse(row.value)) === canonicalJson(expectedValue);
      if (matches) this.#write(encodedKey, newValue, options);
      return matches;
    });
    return swap.immediate();
  }

  /**
   * Like Fedify's MemoryKvStore, prefix ["a"] yields ["a"] itself and every longer key
   * starting with "a", but not ["ab"].
   */
  async *list(prefix?: KvKey): AsyncIterable<KvStoreListEntry> {
    const now = this.#now();
    let rows: Pick<Row, "key" | "value">[];
    if (prefix == null) {
      rows = this.#stmt.listAll.all({ now }) as Row[];
    } else {
      // In JSON text the keys under prefix ["a"] are exactly those starting with `["a"`, which
      // must be followed by `,` or `]`; since "," < "]", they all sort in (`["a"`, `["a"]`].
      // That is a range on the primary-key index.
      const high = JSON.stringify(prefix);
      const range = { low: high.slice(0, -1), high, now };
      this.#stmt.purgeRange.run(range);
      rows = this.#stmt.listRange.all(range) as Row[];
    }
    // Rows are fetched up front: an open cursor would block writes the consumer makes while iterating.
    for (const row of rows) {
      yield { key: JSON.parse(row.key) as KvKey, value: JSON.parse(row.value) };
    }
  }

  /** Deletes every expired entry; returns how many were removed. */
  purgeExpired(): number {
    return this.#stmt.purge.run(this.#now()).changes;
  }

  #read(encodedKey: string): Row | undefined {
    const row = this.#stmt.get.get(encodedKey) as Row | undefined;
    const now = this.#now();
    if (row?.expires_at != null && row.expires_at <= now) {
      this.#stmt.deleteIfExpired.run(encodedKey, now);
      return undefined;
    }
    return row;
  }

  #write(encodedKey: string, value: unknown, options?: KvStoreSetOptions): void {
    // JSON has no `undefined`; storing it is the same as having no entry, as get() would show.
    if (value === undefined) {
      this.#stmt.delete.run(encodedKey);
      return;
    }
    const ttl = options?.ttl;
    this.#stmt.upsert.run({
      key: encodedKey,
      value: JSON.stringify(value),
      expiresAt: ttl == null ? null : this.#now() + Math.round(ttl.total("millisecond")),
    });
  }
}

/** JSON text with object keys sorted, so deep-equal values give equal strings. */
function canonicalJson(value: unknown): string | undefined {
  return JSON.stringify(value, (_key, v: unknown) =>
    v != null && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}
