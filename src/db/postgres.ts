import pg from "pg";

export type PostgresPool = pg.Pool;
export type PostgresClient = pg.PoolClient;

export interface PostgresPoolOptions {
  /** Connections this process may hold at once. */
  max?: number;
  /** Shown in pg_stat_activity, so an operator can tell web processes from workers. */
  applicationName?: string;
}

/** True for the URLs that select the PostgreSQL backend (`postgres://…` or `postgresql://…`). */
export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//i.test(url);
}

/**
 * A connection pool for a `postgres://user:password@host:port/database` URL. Connections are opened on
 * first use; a pool error (a connection the server dropped while idle) is absorbed: the pool replaces it.
 */
export function openPostgresPool(url: string, options: PostgresPoolOptions = {}): PostgresPool {
  if (!isPostgresUrl(url)) throw new Error("DATABASE_URL must start with postgres:// or postgresql://");
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 10,
    application_name: options.applicationName ?? "pods",
  });
  pool.on("error", () => {});
  return pool;
}

/** Runs `work` in one transaction on one pooled connection; rolls back if it throws. */
export async function inTransaction<T>(pool: PostgresPool, work: (client: PostgresClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query("BEGIN");
    const result = await work(client);
    await client.query("COMMIT");
    return result;
  } catch (error) {
    // A connection that cannot even roll back is closed rather than handed to the next caller.
    await client.query("ROLLBACK").catch(() => (broken = true));
    throw error;
  } finally {
    client.release(broken);
  }
}

/**
 * Runs idempotent DDL once at a time across processes: two workers starting together would otherwise race on
 * CREATE TABLE IF NOT EXISTS (it is not atomic against a concurrent creator).
 */
export async function createSchemaOnce(pool: PostgresPool, statements: readonly string[]): Promise<void> {
  await inTransaction(pool, async (client) => {
    await client.query("SELECT pg_advisory_xact_lock(hashtextextended('pods:schema', 0))");
    for (const sql of statements) await client.query(sql);
  });
}
