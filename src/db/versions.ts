import type Database from "better-sqlite3";

/** Names of the `document_versions` rows that SQL triggers bump (migrations 0013 and 0033). */
export type VersionName = "nodeinfo" | "actor" | "settings" | "moderation";

/**
 * Reads one change counter kept by SQL triggers, so a process's in-memory copy of something another process
 * (or the CLI) changed can tell it is stale: one primary-key read, cheap enough for every request.
 * Returns -1 when the row is missing (a database older than the migration: then nothing is ever cached).
 */
export function versionReader(sqlite: Database.Database, name: VersionName): () => number {
  const read = sqlite.prepare("SELECT version FROM document_versions WHERE name = ?").pluck();
  return () => (read.get(name) as number | undefined) ?? -1;
}
