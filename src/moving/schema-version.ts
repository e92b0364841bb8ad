import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type Database from "better-sqlite3";
import { readMigrationFiles } from "drizzle-orm/migrator";
import type { DatabaseHandle } from "../db/client.ts";

const MIGRATIONS_FOLDER = fileURLToPath(new URL("../../migrations", import.meta.url));

interface JournalEntry {
  tag: string;
  when: number;
}

/** This code's migrations, oldest first. */
export function journal(): JournalEntry[] {
  const text = readFileSync(join(MIGRATIONS_FOLDER, "meta", "_journal.json"), "utf8");
  return (JSON.parse(text) as { entries: JournalEntry[] }).entries.map(({ tag, when }) => ({ tag, when }));
}

/** The tag of the last migration applied to a database, or null if it names none this code knows. */
export function appliedTag(sqlite: Database.Database): string | null {
  const last = sqlite.prepare("SELECT created_at FROM __drizzle_migrations ORDER BY created_at DESC LIMIT 1").get() as
    | { created_at: number | string }
    | undefined;
  if (!last) return null;
  return journal().find((entry) => entry.when === Number(last.created_at))?.tag ?? null;
}

/** What drizzle's migrator needs from a database (its dialect and session are not in the public type). */
interface Migratable {
  dialect: { migrate(migrations: unknown[], session: unknown, config: object): void };
  session: unknown;
}

/** Applies this code's migrations up to and including `tag` (an archive's schema), and no further. */
export function migrateUpTo(handle: DatabaseHandle, tag: string): void {
  const index = journal().findIndex((entry) => entry.tag === tag);
  if (index < 0) throw new Error(`unknown migration ${tag}`);
  const migrations = readMigrationFiles({ migrationsFolder: MIGRATIONS_FOLDER }).slice(0, index + 1);
  const db = handle.db as unknown as Migratable;
  db.dialect.migrate(migrations, db.session, {});
}
