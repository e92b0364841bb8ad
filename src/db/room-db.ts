import { AsyncLocalStorage } from "node:async_hooks";
import { type Placeholder, sql } from "drizzle-orm";
import type { BaseSQLiteDatabase, SQLiteTable } from "drizzle-orm/sqlite-core";

import type { VersionName } from "./versions.ts";

export type Dialect = "sqlite" | "postgres";

/**
 * What a converted room's store queries with, on either database.
 *
 * Typed as drizzle's asynchronous SQLite database, whatever the dialect: on PostgreSQL it is a node-postgres
 * database (or transaction) handed over at one cast (room-db-postgres.ts). That is honest for what stores may do:
 * build a query from `RoomDb.table(…)` columns and await it. It lies about three things, which stores must not use:
 * `.get()`, `.all()` and `.run()` (PostgreSQL builders have none: test/unit/room-db-stores.test.ts refuses them in
 * converted stores), and the result of an awaited insert/update/delete without `.returning()` (typed `unknown`
 * here: it is a RunResult on SQLite and a QueryResult on PostgreSQL; ask `.returning()` for what changed).
 */
export type RoomQueries = BaseSQLiteDatabase<"async", unknown>;

/**
 * The rooms' database, written once for SQLite (the default) and PostgreSQL.
 *
 * - `table(t)`: the table to query in the dialect in use: `t` itself on SQLite, its derived twin from
 *   src/db/postgres-schema.ts (same SQL name, same columns) on PostgreSQL. Stores pass their own SQLite tables.
 * - `read(fn)`: runs `fn` outside any transaction (each statement sees committed data).
 * - `write(fn, options)`: runs `fn` in one transaction; a throw rolls everything back. Writes neither nest nor contain
 *   reads (`fn` has the transaction's `db`: use it); both are refused with an error saying so, because a nested
 *   write would wait for itself on SQLite and would run on another connection on PostgreSQL.
 *
 * Values come back the same from both: booleans as booleans, JSON columns parsed, integer columns (bigint on
 * PostgreSQL, which node-postgres reads as strings) as numbers through drizzle's column mapping. A raw `sql`
 * expression has no mapping: give it `.mapWith(Number)` (drizzle's `count()` does) or it is a string on PostgreSQL.
 */
export interface RoomDb {
  readonly dialect: Dialect;
  table<T extends SQLiteTable>(table: T): T;
  read<R>(fn: (db: RoomQueries) => Promise<R>): Promise<R>;
  write<R>(fn: (db: RoomQueries) => Promise<R>, options?: WriteOptions): Promise<R>;
  /**
   * A change counter that SQL triggers bump whenever any process changes what it counts, read synchronously (an
   * in-memory copy checks it on every request): another process's change is seen within `withinMs` (100 ms by
   * default; on PostgreSQL plus one query, answered in the background). One getter per name, interval and database,
   * shared by every caller.
   */
  version(name: VersionName, withinMs?: number): () => number;
  /**
   * What a request waits for before in-memory copies check their counters: on PostgreSQL, a read of the counters
   * when the last is older than 100 ms (so the first request after that sees another process's change); null
   * when none is due, and always on SQLite (read synchronously).
   */
  countersDue(): Promise<void> | null;
  /**
   * A query built once and run many times (the inbox's statements, run for every delivery: building a drizzle query
   * cost more CPU than SQLite running it). `build` makes it with `p.name` wherever a value goes (a drizzle
   * placeholder); the function returned runs it on the `db` it is handed (a read's or a write's, of this RoomDb)
   * with the values named, and answers what awaiting the query would. Built on its first run; on PostgreSQL a named
   * statement, which each pooled connection parses once. A placeholder in an insert's values or an update's set is
   * mapped through its column even when null (a boolean column's null is written 0, a JSON column's 'null'): write
   * a nullable boolean or JSON column's value in place, not through a placeholder.
   */
  prepare<P extends object, R>(build: (db: RoomQueries, p: Placeholders<P>) => Preparable<R>): Prepared<P, R>;
}

/** `p.name`: the placeholder for the value named `name` (typed by the values the prepared query is run with). */
export type Placeholders<P> = { readonly [K in keyof P & string]: Placeholder<K, P[K]> };

/** A drizzle query builder (select, insert, update, delete) as RoomQueries makes it. */
export interface Preparable<R> {
  prepare(): { execute(values?: Record<string, unknown>): Promise<R> };
}

export type Prepared<P, R> = (db: RoomQueries, values: P) => Promise<R>;

/**
 * `{ key: p.key }` for each key: an insert's values or an update's set, every value a placeholder. Typed as the values
 * themselves, which is what drizzle's types accept there; at run time drizzle takes a placeholder in either and maps
 * the value it is given through the column (as for a value written in place).
 */
export function placeholdersOf<P, K extends keyof P & string>(p: Placeholders<P>, keys: readonly K[]): Pick<P, K> {
  return Object.fromEntries(keys.map((key) => [key, p[key]])) as unknown as Pick<P, K>;
}

/** The `p` handed to a prepared query's `build`: any name read from it is a placeholder of that name. */
export const placeholders = new Proxy({} as Placeholders<Record<string, unknown>>, {
  get: (_target, name) => sql.placeholder(String(name)),
});

export interface WriteOptions {
  /**
   * Writes naming the same key run one at a time across every process (e.g. "make the first token unless one
   * exists", where two processes starting together must not both make one). SQLite's immediate transactions
   * already run one at a time per file; on PostgreSQL the transaction first takes an advisory lock on the key.
   */
  oneAtATime?: string;
}

/** Marks the asynchronous context of a running write, so a nested write or read is refused, not deadlocked. */
const insideWrite = new AsyncLocalStorage<true>();

export function refuseNesting(kind: "read" | "write"): void {
  if (insideWrite.getStore()) {
    throw new Error(
      `RoomDb.${kind} called inside RoomDb.write: use the db the write hands its callback (writes do not nest)`,
    );
  }
}

export function runAsWrite<R>(work: () => Promise<R>): Promise<R> {
  return insideWrite.run(true, work);
}

/** The RoomDb of a pod's dependencies (SQLite or PostgreSQL): the same object for every caller of a pod. */
export function roomsOf(deps: { rooms: RoomDb }): RoomDb {
  return deps.rooms;
}
