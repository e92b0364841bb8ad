import type Database from "better-sqlite3";

/**
 * The pod's own tables by name: not SQLite's, not the migrations' record, and not the shadow tables where a
 * full-text index keeps its pages (the index itself, a virtual table, is listed: its rows are what it indexes).
 */
export function podTables(sqlite: Database.Database): string[] {
  const rows = sqlite.pragma("table_list") as { schema: string; name: string; type: string }[];
  return rows
    .filter((row) => row.schema === "main" && (row.type === "table" || row.type === "virtual"))
    .map((row) => row.name)
    .filter((name) => !name.startsWith("sqlite_") && name !== "__drizzle_migrations")
    .sort();
}

/**
 * The pod's tables with every table after the tables its foreign keys refer to, so a loader that checks keys
 * row by row (PostgreSQL without deferred constraints) can insert in this order. A cycle, if one ever
 * appears, keeps the alphabetical order for the tables in it.
 */
export function tablesParentsFirst(sqlite: Database.Database): string[] {
  const names = podTables(sqlite);
  const parents = new Map<string, Set<string>>();
  for (const name of names) {
    const keys = sqlite.pragma(`foreign_key_list("${name.replaceAll('"', '""')}")`) as { table: string }[];
    parents.set(name, new Set(keys.map((key) => key.table).filter((table) => table !== name && names.includes(table))));
  }
  const ordered: string[] = [];
  const placed = new Set<string>();
  while (ordered.length < names.length) {
    const ready = names.filter((name) => !placed.has(name) && [...parents.get(name)!].every((p) => placed.has(p)));
    const next = ready.length > 0 ? ready : names.filter((name) => !placed.has(name)).slice(0, 1);
    for (const name of next) {
      ordered.push(name);
      placed.add(name);
    }
  }
  return ordered;
}
