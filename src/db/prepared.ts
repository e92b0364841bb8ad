import type { Db } from "./client.ts";

const cache = new WeakMap<object, Map<object, unknown>>();

/**
 * A query built and prepared once per database handle (drizzle otherwise builds the SQL and asks SQLite to
 * prepare it on every call: most of a cheap lookup's cost on the inbox's hot path). `build` is the key, so
 * pass a function defined once at module level.
 */
export function preparedOnce<T>(db: Db, build: (db: Db) => T): T {
  let queries = cache.get(db);
  if (!queries) cache.set(db, (queries = new Map()));
  let query = queries.get(build) as T | undefined;
  if (query === undefined) queries.set(build, (query = build(db)));
  return query;
}
