import type { PostgresPool } from "./postgres.ts";
import { OTHER_PROCESSES_SEEN_WITHIN_MS, type VersionName } from "./versions.ts";

/**
 * The PostgreSQL twin of versionReader (versions.ts): the same change counters (bumped by the triggers of
 * migrations-pg/0002_document_versions.sql), read through the same synchronous getter, so an in-memory copy
 * checks it on every request for nothing. A query cannot answer synchronously, so the getter answers the last
 * value read and, at most once per `withinMs`, asks for a newer one in the background: another process's change
 * is seen within `withinMs` plus one query. Until the first value arrives it answers -1, which copies take as
 * "never applied" (they reload).
 */
function postgresVersionGetter(
  pool: PostgresPool,
  name: VersionName,
  withinMs: number,
  onError: (error: unknown) => void,
): { get: () => number; first: Promise<void> } {
  const query = async () => {
    const { rows } = await pool.query<{ version: string }>("SELECT version FROM document_versions WHERE name = $1", [
      name,
    ]);
    // bigint arrives as text from node-postgres; -1 when the row is missing, as on SQLite.
    return rows[0] ? Number(rows[0].version) : -1;
  };
  let version = -1;
  let readAt = performance.now();
  let reading = true;
  const settle = (read: Promise<number>) =>
    read.then((latest) => void (version = latest), onError).finally(() => (reading = false));
  const first = settle(query());
  const get = () => {
    const now = performance.now();
    if (!reading && now - readAt >= withinMs) {
      reading = true;
      readAt = now;
      void settle(query());
    }
    return version;
  };
  return { get, first };
}

/** A getter made with its first value already read (tests, and a pod priming its counters before it serves). */
export async function postgresVersionReader(
  pool: PostgresPool,
  name: VersionName,
  withinMs = OTHER_PROCESSES_SEEN_WITHIN_MS,
  onError: (error: unknown) => void = () => {},
): Promise<() => number> {
  const { get, first } = postgresVersionGetter(pool, name, withinMs, onError);
  await first;
  return get;
}

/** The pool's one getter per counter (RoomDb.version): shared, so a pod reads each counter once per 100 ms. */
const shared = new WeakMap<PostgresPool, Map<string, () => number>>();

export function postgresVersionOf(
  pool: PostgresPool,
  name: VersionName,
  withinMs = OTHER_PROCESSES_SEEN_WITHIN_MS,
): () => number {
  let byKey = shared.get(pool);
  if (!byKey) shared.set(pool, (byKey = new Map()));
  const key = `${name}/${withinMs}`;
  let getter = byKey.get(key);
  if (!getter) {
    const onError = (error: unknown) => console.warn(`the change counter ${name} could not be read`, error);
    byKey.set(key, (getter = postgresVersionGetter(pool, name, withinMs, onError).get));
  }
  return getter;
}
