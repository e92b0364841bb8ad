import { createHash } from "node:crypto";
import { existsSync, linkSync, lstatSync, mkdirSync, mkdtempSync, rmdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import type Database from "better-sqlite3";
import type { Config } from "../config/schema.ts";
import { migrateDatabase, openDatabase, type DatabaseHandle } from "../db/client.ts";
import { SqliteKvStore } from "../federation/sqlite-kv.ts";
import { ArchiveRefused, type Manifest } from "./format.ts";
import { archiveLines } from "./lines.ts";
import { ArchiveLoader } from "./loader.ts";
import { parseManifest } from "./manifest.ts";
import { appliedTag, migrateUpTo } from "./schema-version.ts";
import { podTables } from "./tables.ts";

export interface ImportOptions {
  /** Take the archive's pod to POD_URL although it lived at another address (as `move-url` does). */
  moveUrl: boolean;
}

export interface ImportSummary {
  url: string;
  /** The archive's schema, and this code's, which the database was migrated to after loading. */
  archiveSchema: string;
  schema: string;
  tables: number;
  rows: number;
  files: number;
  bytes: number;
}

const hasPod = (config: Config) =>
  ["", "-wal", "-journal"].some((suffix) => existsSync(`${config.databasePath}${suffix}`));

/**
 * Makes the pod in an archive the pod of DATA_DIR, which must not have one. Everything is built and checked
 * in a staging folder inside DATA_DIR first (database migrated to the archive's schema, rows loaded in one
 * transaction, foreign keys checked, then migrated to this code's schema; files checked against their
 * SHA-256); only then are the files and the database linked into place. On any failure nothing is left.
 */
export async function importPod(config: Config, archive: string, options: ImportOptions): Promise<ImportSummary> {
  if (hasPod(config)) {
    throw new ArchiveRefused(`DATA_DIR ${config.dataDir} already has a pod: import only into a new data directory`);
  }
  if (!existsSync(archive) || !statSync(archive).isFile()) throw new ArchiveRefused(`no archive file at ${archive}`);
  // The first folder this made (DATA_DIR or a parent of it), removed again if the import fails.
  const createdDir = mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const staging = mkdtempSync(join(config.dataDir, ".import-"));
  const placed: string[] = [];
  const createdDirs: string[] = [];
  let done = false;
  try {
    const { manifest, files, schema } = await build(config, archive, staging, options);
    if (hasPod(config)) throw new ArchiveRefused(`DATA_DIR ${config.dataDir} got a pod during the import`);
    for (const path of files) placeFile(config.dataDir, staging, path, placed, createdDirs);
    link(join(staging, "pod.sqlite"), config.databasePath, placed, "pod.sqlite");
    done = true;
    return importSummary(config, manifest, schema);
  } catch (error) {
    removePlaced(placed, createdDirs);
    throw error;
  } finally {
    rmSync(staging, { recursive: true, force: true });
    if (createdDir && !done) rmSync(createdDir, { recursive: true, force: true });
  }
}

export function importSummary(config: Config, manifest: Manifest, schema: string): ImportSummary {
  return {
    url: config.url.origin,
    archiveSchema: manifest.schema,
    schema,
    tables: manifest.tables.length,
    rows: manifest.tables.reduce((sum, table) => sum + table.rows, 0),
    files: manifest.files.count,
    bytes: manifest.files.bytes,
  };
}

/** Takes back what a failed import placed in DATA_DIR: its files, then the folders it made for them. */
export function removePlaced(placed: string[], createdDirs: string[]): void {
  for (const path of placed.reverse()) rmSync(path, { force: true });
  for (const dir of createdDirs.reverse()) {
    try {
      rmdirSync(dir);
    } catch {}
  }
}

/** A hard link that never replaces what is there (the staging folder is on the same file system). */
export function link(from: string, to: string, placed: string[], name: string): void {
  try {
    linkSync(from, to);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") throw new ArchiveRefused(`DATA_DIR already has ${name}`);
    throw error;
  }
  placed.push(to);
}

/** Links a staged file into DATA_DIR, making its folders; an existing folder must be one (not a link). */
export function placeFile(
  dataDir: string,
  staging: string,
  path: string,
  placed: string[],
  createdDirs: string[],
): void {
  let dir = dataDir;
  for (const segment of path.split("/").slice(0, -1)) {
    dir = join(dir, segment);
    const stat = lstatSync(dir, { throwIfNoEntry: false });
    if (!stat) {
      mkdirSync(dir);
      createdDirs.push(dir);
    } else if (!stat.isDirectory()) {
      throw new ArchiveRefused(`DATA_DIR has ${segment} where the archive has a folder (a file or a link)`);
    }
  }
  link(join(staging, "files", path), join(dataDir, path), placed, path);
}

function parseLine(bytes: Buffer, number: number): unknown {
  try {
    return JSON.parse(bytes.toString("utf8"));
  } catch {
    throw new ArchiveRefused(`line ${number} is not JSON`);
  }
}

/** Reads the whole archive into the staging folder; returns once everything in it checked out. */
export async function build(
  config: Config,
  archive: string,
  staging: string,
  options: ImportOptions,
): Promise<{ manifest: Manifest; files: string[]; schema: string }> {
  const hash = createHash("sha256");
  let lines = 0;
  let manifest: Manifest | undefined;
  let handle: DatabaseHandle | undefined;
  let loader: ArchiveLoader | undefined;
  let triggers: { name: string; sql: string }[] = [];
  let ended = false;
  try {
    for await (const bytes of archiveLines(archive)) {
      if (ended) throw new ArchiveRefused("there is data after the archive's closing line");
      const value = parseLine(bytes, lines + 1);
      if (!manifest) {
        manifest = parseManifest(value);
        checkUrl(manifest, config, options);
        handle = openDatabase(join(staging, "pod.sqlite"));
        migrateUpTo(handle, manifest.schema);
        loader = new ArchiveLoader(handle.sqlite, manifest, staging);
        triggers = beginLoad(handle.sqlite);
      } else if (isEnd(value)) {
        checkEnd(value.end, lines, hash.digest("hex"));
        ended = true;
        continue;
      } else {
        loader!.line(value, lines + 1);
      }
      hash.update(bytes);
      hash.update("\n");
      lines++;
    }
    if (!manifest || !handle || !loader) throw new ArchiveRefused("the archive is empty");
    if (!ended) throw new ArchiveRefused("the archive is cut short (it has no closing line)");
    loader.finish();
    endLoad(handle.sqlite, triggers, manifest.sequences);
    // An older archive: the migrations it had not seen run now, over its rows, as on the pod itself.
    migrateDatabase(handle);
    // Loaded here, once the archive checked out: the pod's module is most of the code.
    const { checkAddress } = await import("../pod.ts");
    await checkAddress(new SqliteKvStore(handle), config, options.moveUrl);
    const check = handle.sqlite.pragma("quick_check", { simple: true });
    if (check !== "ok") throw new Error(`the imported database does not check out: ${String(check)}`);
    return { manifest, files: loader.files, schema: appliedTag(handle.sqlite) ?? "unknown" };
  } finally {
    loader?.abandon();
    handle?.close();
  }
}

function checkUrl(manifest: Manifest, config: Config, options: ImportOptions): void {
  if (manifest.url === config.url.origin || options.moveUrl) return;
  throw new ArchiveRefused(
    `this archive is the pod at ${manifest.url}, not at POD_URL ${config.url.origin}; changing a pod's address ` +
      `breaks every follower. Set POD_URL=${manifest.url}, or move it on purpose with "import --move-url".`,
  );
}

const isEnd = (value: unknown): value is { end: unknown } =>
  typeof value === "object" && value !== null && Object.keys(value).length === 1 && Object.hasOwn(value, "end");

function checkEnd(end: unknown, lines: number, sha256: string): void {
  const fields = (typeof end === "object" && end !== null ? end : {}) as Record<string, unknown>;
  if (fields.lines !== lines)
    throw new ArchiveRefused(`the closing line counts ${String(fields.lines)} lines, not ${lines}`);
  if (fields.sha256 !== sha256) throw new ArchiveRefused("the archive's checksum does not match its content");
}

/**
 * Opens the load: foreign keys are checked once at the end (rows come parents first, but a table may refer
 * to itself), triggers are set aside so loading a row does not change another (they count, for instance),
 * and rows the migrations seeded make way for the archive's own.
 */
function beginLoad(sqlite: Database.Database): { name: string; sql: string }[] {
  sqlite.pragma("foreign_keys = OFF");
  sqlite.exec("BEGIN IMMEDIATE");
  const triggers = sqlite.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").all() as {
    name: string;
    sql: string;
  }[];
  for (const trigger of triggers) sqlite.exec(`DROP TRIGGER "${trigger.name.replaceAll('"', '""')}"`);
  for (const table of podTables(sqlite)) sqlite.exec(`DELETE FROM "${table}"`);
  if (hasSequences(sqlite)) sqlite.exec("DELETE FROM sqlite_sequence");
  return triggers;
}

const hasSequences = (sqlite: Database.Database) =>
  sqlite.prepare("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'").get() !== undefined;

function endLoad(sqlite: Database.Database, triggers: { sql: string }[], sequences: Record<string, number>): void {
  for (const trigger of triggers) sqlite.exec(trigger.sql);
  if (hasSequences(sqlite)) {
    const insert = sqlite.prepare(
      "INSERT INTO sqlite_sequence (name, seq) SELECT @name, @seq " +
        "WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = @name)",
    );
    const raise = sqlite.prepare("UPDATE sqlite_sequence SET seq = @seq WHERE name = @name AND seq < @seq");
    for (const [name, seq] of Object.entries(sequences)) {
      // As an integer: the column has no type, a number would be kept as a real.
      insert.run({ name, seq: BigInt(seq) });
      raise.run({ name, seq: BigInt(seq) });
    }
  }
  const broken = sqlite.pragma("foreign_key_check") as { table: string; rowid: number; parent: string }[];
  if (broken.length > 0) {
    const first = broken[0]!;
    throw new ArchiveRefused(
      `${broken.length} rows refer to rows the archive does not have (first: ${first.table} row ${first.rowid} ` +
        `to ${first.parent})`,
    );
  }
  sqlite.exec("COMMIT");
  sqlite.pragma("foreign_keys = ON");
}
