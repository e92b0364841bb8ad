import { createHash } from "node:crypto";
import { getTableName, is } from "drizzle-orm";
import { drizzle } from "drizzle-orm/node-postgres";
import { PgTable } from "drizzle-orm/pg-core";
import type { SQLiteTable } from "drizzle-orm/sqlite-core";
import { inTransaction, type PostgresClient, type PostgresPool } from "./postgres.ts";
import * as postgresSchema from "./postgres-schema.ts";
import { bindWriteClient, postgresClientOf, takeTurn } from "./postgres-write-client.ts";
import {
  placeholders,
  refuseNesting,
  runAsWrite,
  type Placeholders,
  type Preparable,
  type RoomDb,
  type RoomQueries,
} from "./room-db.ts";
import { postgresCountersDue, postgresVersionOf } from "./versions-postgres.ts";

/** The derived PostgreSQL tables by SQL name: the twin of a room's SQLite table has its name and columns. */
const twins = new Map<string, PgTable>(
  (Object.values(postgresSchema) as unknown[])
    .filter((value): value is PgTable => is(value, PgTable))
    .map((table) => [getTableName(table), table]),
);

/**
 * The RoomDb on a PostgreSQL pool: a read takes any pooled connection, a write is one transaction on one pooled
 * connection (BEGIN, the callback on a drizzle database over that connection, COMMIT; ROLLBACK on a throw). Concurrent
 * writes run at once, as PostgreSQL transactions do (READ COMMITTED): a store that reads a row to change it
 * says so in its SQL (an UPDATE with a condition, `.for("update")`), not by relying on writes queuing as they
 * do on SQLite.
 */
export function postgresRoomDb(pool: PostgresPool): RoomDb {
  let rooms = roomDbs.get(pool);
  if (!rooms) roomDbs.set(pool, (rooms = roomDbOn(pool)));
  return rooms;
}

/** One RoomDb per pool (as one per SQLite connection): its prepared queries and counters are shared by every caller. */
const roomDbs = new WeakMap<PostgresPool, RoomDb>();

function roomDbOn(pool: PostgresPool): RoomDb {
  // Every write's db this RoomDb handed out: a prepared query runs only on its own RoomDb's (or on its reads').
  const writes = new WeakSet<RoomQueries>();
  // The one place the PostgreSQL database and tables take the SQLite types stores are written against
  // (see RoomQueries for what that type promises and what stores must not use).
  const db = drizzle({ client: pool }) as unknown as RoomQueries;
  const asQueries = (tx: unknown) => tx as RoomQueries;
  return {
    dialect: "postgres",
    version: (name, withinMs) => postgresVersionOf(pool, name, withinMs),
    countersDue: () => postgresCountersDue(pool),
    table<T extends SQLiteTable>(table: T): T {
      const name = getTableName(table);
      const twin = twins.get(name);
      if (!twin) throw new Error(`no PostgreSQL table ${name} in src/db/postgres-schema.ts (npm run db:generate)`);
      return twin as unknown as T;
    },
    async read(fn) {
      refuseNesting("read");
      return fn(db);
    },
    async write(fn, options) {
      refuseNesting("write");
      return runAsWrite(() =>
        inTransaction(pool, async (client) => {
          const key = options?.oneAtATime;
          if (key !== undefined) await takeTurn(client, key);
          const { guarded, close } = openOnlyWhileWriting(client);
          const tx = asQueries(drizzle({ client: guarded }));
          const unbind = bindWriteClient(tx, guarded);
          writes.add(tx);
          try {
            return await fn(tx);
          } finally {
            close();
            unbind();
          }
        }),
      );
    },
    prepare<P extends object, R>(build: (db: RoomQueries, p: Placeholders<P>) => Preparable<R>) {
      let query: PostgresPrepared<R> | undefined;
      return async (on: RoomQueries, values: P): Promise<R> => {
        if (on !== db && !writes.has(on)) {
          throw new Error("a prepared query runs on the db of its own RoomDb's read or write");
        }
        const client = on === db ? pool : postgresClientOf(on);
        query ??= named(() => build(db, placeholders as Placeholders<P>));
        // The query as prepared, run on the connection of the read (the pool) or of the write (its transaction).
        return (Object.create(query, { client: { value: client } }) as PostgresPrepared<R>).execute(
          values as Record<string, unknown>,
        );
      };
    },
  };
}

/** drizzle's node-postgres prepared query: `execute` runs it on `this.client`. */
interface PostgresPrepared<R> {
  getQuery(): { sql: string };
  execute(values?: Record<string, unknown>): Promise<R>;
}

/**
 * The query prepared with a name taken from its SQL text: node-postgres parses a named statement once per pooled
 * connection, and the same text always has the same name (two stores preparing it share one statement).
 */
function named<R>(build: () => Preparable<R>): PostgresPrepared<R> {
  const prepare = (name?: string) =>
    (build() as unknown as { prepare(name?: string): PostgresPrepared<R> }).prepare(name);
  const text = prepare().getQuery().sql;
  return prepare(`pods_${createHash("sha256").update(text).digest("hex").slice(0, 24)}`);
}

/**
 * The write's connection, refusing statements once the write has ended: a statement the callback did not await
 * would otherwise run on the pooled connection inside whichever write holds it next, and commit or roll back with
 * that one (on SQLite the same mistake throws too).
 */
function openOnlyWhileWriting(client: PostgresClient): { guarded: PostgresClient; close: () => void } {
  let open = true;
  const query = (...args: unknown[]) => {
    if (!open) throw new Error("RoomDb.write: a statement after the write ended (a promise not awaited?)");
    return (client.query as (...a: unknown[]) => unknown)(...args);
  };
  const guarded = new Proxy(client, {
    get: (target, property, receiver) => (property === "query" ? query : Reflect.get(target, property, receiver)),
  });
  return { guarded, close: () => (open = false) };
}
