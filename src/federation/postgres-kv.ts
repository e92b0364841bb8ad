import type { KvKey, KvStore, KvStoreListEntry, KvStoreSetOptions } from "@fedify/fedify";
import { createSchemaOnce, inTransaction, type PostgresClient, type PostgresPool } from "../db/postgres.ts";

export interface PostgresKvStoreOptions {
  /** Clock in milliseconds since the epoch; tests pass a controllable one. */
  now?: () => number;
}

const TABLE = "fedify_kv_entries";

/**
 * COLLATE "C" compares bytes, so the prefix range in list() holds whatever the database's locale is.
 * Values are JSON text, not jsonb: jsonb refuses "\u0000" in strings and caps nesting depth.
 */
const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS ${TABLE} (
     key text COLLATE "C" PRIMARY KEY,
     value text NOT NULL,
     expires_at bigint
   )`,
  `CREATE INDEX IF NOT EXISTS ${TABLE}_expires_at ON ${TABLE} (expires_at) WHERE expires_at IS NOT NULL`,
];

/** The condition for an entry that has not expired; `now` is the parameter holding the current time. */
const live = (now: string) => `(expires_at IS NULL OR expires_at > ${now})`;

/**
 * Fedify's KvStore on PostgreSQL (table `fedify_kv_entries`), with the same encoding and semantics as
 * SqliteKvStore: keys as their JSON text, values as JSON, an entry whose `expires_at` is not after now is absent.
 * Call initialize() once before use.
 */
export class PostgresKvStore implements KvStore {
  readonly #pool: PostgresPool;
  readonly #now: () => number;

  constructor(pool: PostgresPool, options: PostgresKvStoreOptions = {}) {
    this.#pool = pool;
    this.#now = options.now ?? Date.now;
  }

  /** Creates the table if it does not exist. Safe to call from several processes at once. */
  async initialize(): Promise<void> {
    await createSchemaOnce(this.#pool, SCHEMA);
  }

  async get<T = unknown>(key: KvKey): Promise<T | undefined> {
    const value = await this.#read(this.#pool, JSON.stringify(key));
    return value == null ? undefined : (JSON.parse(value) as T);
  }

  async set(key: KvKey, value: unknown, options?: KvStoreSetOptions): Promise<void> {
    await this.#write(this.#pool, JSON.stringify(key), value, options);
  }

  /** As set(), on a connection in the middle of its own transaction (a pod moved in commits it with its rows). */
  async setOnConnection(client: PostgresClient, key: KvKey, value: unknown): Promise<void> {
    await this.#write(client, JSON.stringify(key), value);
  }

  async delete(key: KvKey): Promise<void> {
    await this.#pool.query(`DELETE FROM ${TABLE} WHERE key = $1`, [JSON.stringify(key)]);
  }

  /** `expectedValue === undefined` means "no live entry". Values are compared deeply. */
  async cas(key: KvKey, expectedValue: unknown, newValue: unknown, options?: KvStoreSetOptions): Promise<boolean> {
    const encodedKey = JSON.stringify(key);
    return inTransaction(this.#pool, async (client) => {
      // A row lock cannot guard a key that has no row yet; an advisory lock on the key can.
      await client.query("SELECT pg_advisory_xact_lock(hashtextextended($1, 1))", [encodedKey]);
      const current = await this.#read(client, encodedKey);
      const matches =
        current == null
          ? expectedValue === undefined
          : expectedValue !== undefined && canonicalJson(JSON.parse(current)) === canonicalJson(expectedValue);
      if (matches) await this.#write(client, encodedKey, newValue, options);
      return matches;
    });
  }

  /**
   * Like Fedify's MemoryKvStore, prefix ["a"] yields ["a"] itself and every longer key starting with "a",
   * but not ["ab"]: in JSON text those keys all sort in (`["a"`, `["a"]`] (see SqliteKvStore.list).
   */
  async *list(prefix?: KvKey): AsyncIterable<KvStoreListEntry> {
    const now = this.#now();
    let rows: { key: string; value: string }[];
    if (prefix == null) {
      rows = (await this.#pool.query(`SELECT key, value FROM ${TABLE} WHERE ${live("$1")}`, [now])).rows;
    } else {
      const high = JSON.stringify(prefix);
      const low = high.slice(0, -1);
      rows = (
        await this.#pool.query(
          `SELECT key, value FROM ${TABLE} WHERE key > $1 AND key <= $2 AND ${live("$3")} ORDER BY key`,
          [low, high, now],
        )
      ).rows;
    }
    for (const row of rows) yield { key: JSON.parse(row.key) as KvKey, value: JSON.parse(row.value) };
  }

  /** Deletes every expired entry; returns how many were removed. */
  async purgeExpired(): Promise<number> {
    const result = await this.#pool.query(`DELETE FROM ${TABLE} WHERE expires_at <= $1`, [this.#now()]);
    return result.rowCount ?? 0;
  }

  async #read(client: PostgresPool | PostgresClient, encodedKey: string): Promise<string | undefined> {
    const result = await client.query<{ value: string }>(
      `SELECT value FROM ${TABLE} WHERE key = $1 AND ${live("$2")}`,
      [encodedKey, this.#now()],
    );
    return result.rows[0]?.value;
  }

  async #write(
    client: PostgresPool | PostgresClient,
    encodedKey: string,
    value: unknown,
    options?: KvStoreSetOptions,
  ): Promise<void> {
    // JSON has no `undefined`; storing it is the same as having no entry, as get() would show.
    if (value === undefined) {
      await client.query(`DELETE FROM ${TABLE} WHERE key = $1`, [encodedKey]);
      return;
    }
    const ttl = options?.ttl;
    await client.query(
      `INSERT INTO ${TABLE} (key, value, expires_at) VALUES ($1, $2, $3)
       ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at`,
      [encodedKey, JSON.stringify(value), ttl == null ? null : this.#now() + Math.round(ttl.total("millisecond"))],
    );
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
