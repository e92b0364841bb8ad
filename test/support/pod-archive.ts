import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import Database from "better-sqlite3";
import { podTables } from "../../src/moving/tables.ts";

/** An archive's lines, decompressed (the closing line included). */
export const readArchive = (file: string): string[] =>
  gunzipSync(readFileSync(file)).toString("utf8").split("\n").slice(0, -1);

/**
 * Writes lines as an archive whose closing line matches them (count and SHA-256), so a test's change reaches
 * the checks behind the checksum. `lines` has no closing line.
 */
export function writeArchive(file: string, lines: string[]): void {
  const body = lines.map((line) => `${line}\n`).join("");
  const end = JSON.stringify({ end: { lines: lines.length, sha256: createHash("sha256").update(body).digest("hex") } });
  writeFileSync(file, gzipSync(`${body}${end}\n`));
}

/** An archive's lines without its closing line, changed by `change`, written again with a matching one. */
export function rewriteArchive(from: string, to: string, change: (lines: string[]) => string[]): void {
  writeArchive(to, change(readArchive(from).slice(0, -1)));
}

/** Every row of every table of a pod's database, exactly (integers as bigint, so 2 and 2.0 differ). */
export function databaseContent(path: string): Record<string, unknown[]> {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  db.defaultSafeIntegers(true);
  try {
    const content: Record<string, unknown[]> = {};
    for (const table of [...podTables(db), "sqlite_sequence"]) {
      content[table] = db.prepare(`SELECT * FROM "${table}" ORDER BY 1, rowid`).raw(true).all();
    }
    return content;
  } finally {
    db.close();
  }
}

/** The entries of a directory, recursively, with their sizes; null when there is no such directory. */
export function treeOf(dir: string): string[] | null {
  if (!existsSync(dir)) return null;
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .map((entry) => join(entry.parentPath, entry.name).slice(dir.length))
    .sort();
}
