import type Database from "better-sqlite3";

/** Names of the `document_versions` rows that SQL triggers bump (migrations 0013, 0033, 0036, 0037 and 0038). */
export type VersionName = "nodeinfo" | "actor" | "settings" | "moderation" | "categories" | "follows" | "guides";

/**
 * How late a process may see another process's change. Each read of a counter is a read transaction of its
 * own (in WAL mode a lock on the shared index, about 20 µs): read on every request it cost the actor document
 * a third of its throughput. A process's own changes reach its caches at once (the writer updates them).
 */
export const OTHER_PROCESSES_SEEN_WITHIN_MS = 100;

/**
 * Reads one change counter kept by SQL triggers, so a process's in-memory copy of something another process
 * (or the CLI) changed can tell it is stale: at most one database read per `withinMs`, cheap on every request.
 * Returns -1 when the row is missing (a database older than the migration: then nothing is ever cached).
 */
export function versionReader(
  sqlite: Database.Database,
  name: VersionName,
  withinMs = OTHER_PROCESSES_SEEN_WITHIN_MS,
): () => number {
  const read = sqlite.prepare("SELECT version FROM document_versions WHERE name = ?").pluck();
  let version = -1;
  let readAt = Number.NEGATIVE_INFINITY;
  return () => {
    const now = performance.now();
    if (now - readAt >= withinMs) {
      version = (read.get(name) as number | undefined) ?? -1;
      readAt = now;
    }
    return version;
  };
}
