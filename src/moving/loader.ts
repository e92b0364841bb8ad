import { createHash, type Hash } from "node:crypto";
import { closeSync, mkdirSync, openSync, writeSync } from "node:fs";
import { dirname, join } from "node:path";
import type Database from "better-sqlite3";
import { ArchiveRefused, decodeValue, isArchivablePath, type Manifest, type SqlValue } from "./format.ts";
import { podTables } from "./tables.ts";

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);
const SHA256 = /^[0-9a-f]{64}$/;
/** Distinct column lists kept as prepared statements (an archive varying them cannot grow this without end). */
const MAX_STATEMENTS = 1000;

interface OpenFile {
  path: string;
  fd: number;
  size: number;
  written: number;
  hash: Hash;
}

/**
 * Puts an archive's lines into a freshly migrated database (inside the caller's transaction) and its files into a
 * staging folder, checking each line against the manifest: tables and columns must be this schema's, files must
 * have plain relative paths and the size and SHA-256 they announce.
 */
export class ArchiveLoader {
  readonly #sqlite: Database.Database;
  readonly #manifest: Manifest;
  readonly #stagingDir: string;
  /** Per table: its columns in this database, and how many rows arrived. */
  readonly #tables = new Map<string, { columns: Set<string>; rows: number }>();
  readonly #statements = new Map<string, Database.Statement>();
  readonly #filePaths = new Set<string>();
  #file: OpenFile | null = null;
  #fileBytes = 0;
  #inFiles = false;

  constructor(sqlite: Database.Database, manifest: Manifest, stagingDir: string) {
    this.#sqlite = sqlite;
    this.#manifest = manifest;
    this.#stagingDir = stagingDir;
    const ours = new Set(podTables(sqlite));
    for (const table of manifest.tables) {
      if (!ours.has(table.name)) {
        throw new ArchiveRefused(`table ${JSON.stringify(table.name)} is not one of this pod's tables`);
      }
      const columns = new Set(
        (sqlite.pragma(`table_info("${table.name}")`) as { name: string }[]).map((column) => column.name),
      );
      for (const column of table.columns) {
        if (!columns.has(column.name)) {
          throw new ArchiveRefused(`column ${table.name}.${column.name} is not in this pod's schema`);
        }
      }
      this.#tables.set(table.name, { columns, rows: 0 });
    }
  }

  /** Files written so far (relative paths), to move into DATA_DIR once everything checked out. */
  get files(): string[] {
    return [...this.#filePaths];
  }

  line(value: unknown, number: number): void {
    const where = `line ${number}`;
    if (!isObject(value)) throw new ArchiveRefused(`${where}: not a JSON object`);
    const keys = Object.keys(value);
    if (keys.length === 2 && typeof value.t === "string" && isObject(value.r)) this.#row(value.t, value.r, where);
    else if (keys.length === 1 && isObject(value.file)) this.#startFile(value.file, where);
    else if (keys.length === 1 && typeof value.chunk === "string") this.#chunk(value.chunk, where);
    else if (keys.length === 1 && isObject(value.fileEnd)) this.#endFile(value.fileEnd, where);
    else throw new ArchiveRefused(`${where}: not a row, file or end line`);
  }

  /** After the closing line: every count the manifest announced must have arrived. */
  finish(): void {
    if (this.#file) throw new ArchiveRefused(`file ${this.#file.path} has no end`);
    for (const table of this.#manifest.tables) {
      const rows = this.#tables.get(table.name)!.rows;
      if (rows !== table.rows) {
        throw new ArchiveRefused(`table ${table.name}: the manifest announces ${table.rows} rows, ${rows} arrived`);
      }
    }
    const { count, bytes } = this.#manifest.files;
    if (this.#filePaths.size !== count || this.#fileBytes !== bytes) {
      throw new ArchiveRefused(`the manifest announces ${count} files (${bytes} bytes), others arrived`);
    }
  }

  /** Closes a file left open by a failed import. */
  abandon(): void {
    if (this.#file) closeSync(this.#file.fd);
    this.#file = null;
  }

  #row(table: string, row: Record<string, unknown>, where: string): void {
    if (this.#inFiles || this.#file) throw new ArchiveRefused(`${where}: a row after the files`);
    const known = this.#tables.get(table);
    if (!known) throw new ArchiveRefused(`${where}: table ${JSON.stringify(table)} is not in the manifest`);
    const names: string[] = [];
    const values: SqlValue[] = [];
    // Keys are only compared with the schema's column names and never assigned to an object.
    for (const [name, value] of Object.entries(row)) {
      if (!known.columns.has(name)) {
        throw new ArchiveRefused(`${where}: column ${JSON.stringify(name)} is not in table ${table}`);
      }
      names.push(name);
      values.push(decodeValue(value, `${where}, ${table}.${name}`));
    }
    if (names.length === 0) throw new ArchiveRefused(`${where}: a row with no columns`);
    try {
      this.#insert(table, names).run(values);
    } catch (error) {
      // A missing required column, a duplicate key, a value the column refuses: the row, not the disk, is wrong.
      const code = String((error as { code?: unknown }).code);
      if (!code.startsWith("SQLITE_CONSTRAINT") && code !== "SQLITE_MISMATCH") throw error;
      throw new ArchiveRefused(`${where}: a ${table} row this schema refuses (${(error as Error).message})`);
    }
    known.rows++;
  }

  #insert(table: string, names: string[]): Database.Statement {
    const key = `${table}\u0000${names.join("\u0000")}`;
    let statement = this.#statements.get(key);
    if (!statement) {
      if (this.#statements.size >= MAX_STATEMENTS) this.#statements.clear();
      // Names were checked against the schema: quoting them is enough. Missing columns take their defaults.
      const list = names.map((name) => `"${name}"`).join(", ");
      const marks = names.map(() => "?").join(", ");
      statement = this.#sqlite.prepare(`INSERT INTO "${table}" (${list}) VALUES (${marks})`);
      this.#statements.set(key, statement);
    }
    return statement;
  }

  #startFile(file: Record<string, unknown>, where: string): void {
    this.#inFiles = true;
    if (this.#file) throw new ArchiveRefused(`${where}: file ${this.#file.path} has no end`);
    const { path, size, mode } = file;
    if (typeof path !== "string" || !isArchivablePath(path)) {
      throw new ArchiveRefused(`${where}: file path ${JSON.stringify(path)} is not a plain relative path`);
    }
    if (this.#filePaths.has(path)) throw new ArchiveRefused(`${where}: file ${path} comes twice`);
    if (!Number.isSafeInteger(size) || (size as number) < 0) throw new ArchiveRefused(`${where}: file size`);
    if (!Number.isSafeInteger(mode) || (mode as number) < 0 || (mode as number) > 0o777) {
      throw new ArchiveRefused(`${where}: file mode`);
    }
    if (this.#fileBytes + (size as number) > this.#manifest.files.bytes) {
      throw new ArchiveRefused(`${where}: more file bytes than the manifest announces`);
    }
    const staged = join(this.#stagingDir, "files", path);
    mkdirSync(dirname(staged), { recursive: true, mode: 0o700 });
    // Never more than the owner could already do, never executable or writable by others.
    const fd = openSync(staged, "wx", (mode as number) & 0o644);
    this.#filePaths.add(path);
    this.#fileBytes += size as number;
    this.#file = { path, fd, size: size as number, written: 0, hash: createHash("sha256") };
  }

  #chunk(base64: string, where: string): void {
    const file = this.#file;
    if (!file) throw new ArchiveRefused(`${where}: file bytes outside a file`);
    const bytes = Buffer.from(base64, "base64");
    if (bytes.toString("base64") !== base64) throw new ArchiveRefused(`${where}: not base64`);
    if (file.written + bytes.length > file.size)
      throw new ArchiveRefused(`${where}: ${file.path} is longer than announced`);
    writeSync(file.fd, bytes);
    file.hash.update(bytes);
    file.written += bytes.length;
  }

  #endFile(end: Record<string, unknown>, where: string): void {
    const file = this.#file;
    if (!file) throw new ArchiveRefused(`${where}: a file end outside a file`);
    if (typeof end.sha256 !== "string" || !SHA256.test(end.sha256)) throw new ArchiveRefused(`${where}: sha256`);
    if (file.written !== file.size) throw new ArchiveRefused(`${where}: ${file.path} is shorter than announced`);
    if (file.hash.digest("hex") !== end.sha256) {
      throw new ArchiveRefused(`${where}: ${file.path} does not match its SHA-256`);
    }
    closeSync(file.fd);
    this.#file = null;
  }
}
