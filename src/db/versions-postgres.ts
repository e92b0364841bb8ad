import type { PostgresPool } from "./postgres.ts";
import { OTHER_PROCESSES_SEEN_WITHIN_MS, type VersionName } from "./versions.ts";

/**
 * The PostgreSQL twin of versionReader (versions.ts): the same change counters (bumped by the triggers of
 * migrations-pg/0002_document_versions.sql), read through the same synchronous getter, so an in-memory copy
 * checks it on every request for nothing. A query cannot answer synchronously, so the getter answers the last
 * value read and, at most once per `withinMs`, asks for a newer one in the background: another process's change
 * is seen within `withinMs` plus one query. Made with the first value already read.
 */
export async function postgresVersionReader(
  pool: PostgresPool,
  name: VersionName,
  withinMs = OTHER_PROCESSES_SEEN_WITHIN_MS,
  onError: (error: unknown) => void = () => {},
): Promise<() => number> {
  const query = async () => {
    const { rows } = await pool.query<{ version: string }>("SELECT version FROM document_versions WHERE name = $1", [
      name,
    ]);
    // bigint arrives as text from node-postgres; -1 when the row is missing, as on SQLite.
    return rows[0] ? Number(rows[0].version) : -1;
  };
  let version = await query();
  let readAt = performance.now();
  let reading = false;
  return () => {
    const now = performance.now();
    if (!reading && now - readAt >= withinMs) {
      reading = true;
      readAt = now;
      query()
        .then((latest) => (version = latest), onError)
        .finally(() => (reading = false));
    }
    return version;
  };
}
