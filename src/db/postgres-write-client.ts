import type { PostgresClient } from "./postgres.ts";
import type { RoomQueries } from "./room-db.ts";

// Apart from room-db-postgres.ts so that what a write on either database may call (the grouped write's savepoints,
// `oneAtATimeWithin`) does not load node-postgres and the PostgreSQL schema into a pod on SQLite.

/** The connection of each open write, for what must write in it without drizzle (the queue's SQL). */
const clients = new WeakMap<RoomQueries, PostgresClient>();

/** While a PostgreSQL RoomDb write runs: its `db` and the pooled connection it runs on. */
export function bindWriteClient(db: RoomQueries, client: PostgresClient): () => void {
  clients.set(db, client);
  return () => clients.delete(db);
}

/** The pooled connection a PostgreSQL RoomDb write runs on; throws for anything else (a read, a SQLite write). */
export function postgresClientOf(db: RoomQueries): PostgresClient {
  const client = clients.get(db);
  if (!client) throw new Error("not the db of a PostgreSQL RoomDb write");
  return client;
}

/** Waits for, then holds until the transaction ends, the advisory lock of `key` (what `oneAtATime` takes). */
export const takeTurn = (client: PostgresClient, key: string) =>
  client.query("SELECT pg_advisory_xact_lock(hashtextextended($1, 2))", [key]);

/**
 * `oneAtATime` from inside a write that is already running (a grouped write's delivery): the write holds the key
 * until it commits, and other writes naming it (here or with `oneAtATime`) wait for it.
 */
export async function oneAtATimeWithin(db: RoomQueries, key: string): Promise<void> {
  await takeTurn(postgresClientOf(db), key);
}
