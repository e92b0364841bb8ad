import { createHash, type Hash } from "node:crypto";
import { createReadStream, createWriteStream, existsSync, mkdtempSync, renameSync, rmSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGzip } from "node:zlib";
import Database from "better-sqlite3";
import { ConfigError } from "../config/load.ts";
import type { Config } from "../config/schema.ts";
import { listDataFiles, type DataFile } from "./data-files.ts";
import {
  ARCHIVE_FORMAT,
  ARCHIVE_VERSION,
  ArchiveRefused,
  encodeValue,
  FILE_CHUNK_BYTES,
  type Manifest,
  type SqlValue,
  type TableInfo,
} from "./format.ts";
import { appliedTag } from "./schema-version.ts";
import { tablesParentsFirst } from "./tables.ts";

export interface ExportSummary {
  file: string;
  url: string;
  schema: string;
  tables: number;
  rows: number;
  files: number;
  bytes: number;
  /** Data-directory entries left out: symbolic links, hidden or partial files. */
  skipped: string[];
}

/** Counts and hashes every line as it is written, for the closing line. */
class LineWriter {
  readonly hash: Hash = createHash("sha256");
  lines = 0;
  line(value: unknown): Buffer {
    const bytes = Buffer.from(`${JSON.stringify(value)}\n`, "utf8");
    this.hash.update(bytes);
    this.lines++;
    return bytes;
  }
}

/**
 * Writes the pod in DATA_DIR to `target` as a gzipped archive (docs/moving.md), while the server may be running:
 * the rows come from one snapshot (VACUUM INTO a private temporary file, one read transaction), streamed row by
 * row. The archive holds the pod's private keys and sessions: it is created readable by its owner only (0600),
 * written as <target>.partial and renamed when complete.
 */
export async function exportPod(config: Config, target: string): Promise<ExportSummary> {
  if (!config.databaseUrl && !existsSync(config.databasePath)) {
    throw new ConfigError(`Invalid setting DATA_DIR: there is no pod in ${config.dataDir} to export.`);
  }
  const file = resolve(target);
  const partial = `${file}.partial`;
  if (existsSync(file)) throw new ArchiveRefused(`${file} already exists: choose another name or remove it`);
  // Private: the snapshot holds the keys too. Next to the archive, so it needs no room in a small /tmp.
  const workDir = mkdtempSync(join(dirname(file), `.${basename(file)}.snapshot-`));
  try {
    const snapshotPath = join(workDir, "pod.sqlite");
    if (config.databaseUrl) await snapshotOfPostgres(config.databaseUrl, snapshotPath);
    else {
      const source = new Database(config.databasePath, { readonly: true, fileMustExist: true });
      try {
        source.pragma("busy_timeout = 5000");
        source.prepare("VACUUM INTO ?").run(snapshotPath);
      } finally {
        source.close();
      }
    }
    const snapshot = new Database(snapshotPath, { readonly: true, fileMustExist: true });
    snapshot.defaultSafeIntegers(true);
    try {
      const manifest = readManifest(snapshot, config);
      const data = listDataFiles(config.dataDir, new Set([file, partial, workDir]));
      manifest.files = { count: data.files.length, bytes: data.files.reduce((sum, f) => sum + f.size, 0) };
      rmSync(partial, { force: true });
      await pipeline(
        Readable.from(archiveLines(snapshot, manifest, config.dataDir, data.files)),
        createGzip(),
        createWriteStream(partial, { flags: "wx", mode: 0o600, flush: true }),
      );
      renameSync(partial, file);
      return {
        file,
        url: manifest.url,
        schema: manifest.schema,
        tables: manifest.tables.length,
        rows: manifest.tables.reduce((sum, table) => sum + table.rows, 0),
        files: manifest.files.count,
        bytes: manifest.files.bytes,
        skipped: data.skipped,
      };
    } finally {
      snapshot.close();
    }
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

/** A pod on PostgreSQL, as the SQLite file its archive is written from (src/moving/from-postgres.ts). */
async function snapshotOfPostgres(url: string, snapshotPath: string): Promise<void> {
  const [{ openPostgresPool }, { postgresHasPod }, { copyFromPostgres }] = await Promise.all([
    import("../db/postgres.ts"),
    import("../roles/storage-postgres.ts"),
    import("./from-postgres.ts"),
  ]);
  const pool = openPostgresPool(url, { max: 1, applicationName: "pods export" });
  try {
    if (!(await postgresHasPod(pool))) {
      throw new ConfigError("Invalid setting DATABASE_URL: that database has no pod to export.");
    }
    await copyFromPostgres(pool, snapshotPath);
  } finally {
    await pool.end();
  }
}

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;

function readManifest(snapshot: Database.Database, config: Config): Manifest {
  const schema = appliedTag(snapshot);
  if (!schema) {
    throw new ArchiveRefused("the pod's database has a migration this code does not know: export it with its own code");
  }
  const tables: TableInfo[] = tablesParentsFirst(snapshot).map((name) => {
    const columns = (snapshot.pragma(`table_info(${quote(name)})`) as { name: string; type: string }[]).map((c) => ({
      name: c.name,
      type: c.type.toLowerCase(),
    }));
    const { n } = snapshot.prepare(`SELECT count(*) AS n FROM ${quote(name)}`).get() as { n: bigint };
    return { name, columns, rows: Number(n) };
  });
  const sequences: Record<string, number> = {};
  const hasSequences = snapshot.prepare("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'").get();
  if (hasSequences) {
    for (const row of snapshot.prepare("SELECT name, seq FROM sqlite_sequence ORDER BY name").all() as {
      name: string;
      seq: bigint;
    }[])
      sequences[row.name] = Number(row.seq);
  }
  const recorded = snapshot.prepare("SELECT value FROM kv_entries WHERE key = ?").get('["pod","url"]') as
    | { value: string }
    | undefined;
  return {
    format: ARCHIVE_FORMAT,
    version: ARCHIVE_VERSION,
    schema,
    url: recorded ? (JSON.parse(recorded.value) as string) : config.url.origin,
    createdAt: new Date().toISOString(),
    tables,
    sequences,
    files: { count: 0, bytes: 0 },
  };
}

async function* archiveLines(
  snapshot: Database.Database,
  manifest: Manifest,
  dataDir: string,
  files: DataFile[],
): AsyncGenerator<Buffer> {
  const out = new LineWriter();
  yield out.line({ manifest });
  for (const table of manifest.tables) {
    const rows = snapshot
      .prepare(`SELECT * FROM ${quote(table.name)}`)
      .raw(true)
      .iterate() as Iterable<SqlValue[]>;
    const names = table.columns.map((column) => column.name);
    for (const values of rows) {
      // Columns named by our own schema, never by input; "__proto__" cannot be one, so this object is safe.
      const r: Record<string, unknown> = {};
      values.forEach((value, i) => {
        r[names[i]!] = encodeValue(value);
      });
      yield out.line({ t: table.name, r });
    }
  }
  for (const file of files) {
    yield out.line({ file: { path: file.path, size: file.size, mode: file.mode } });
    const hash = createHash("sha256");
    let read = 0;
    if (file.size > 0) {
      const stream = createReadStream(join(dataDir, file.path), {
        start: 0,
        end: file.size - 1,
        highWaterMark: FILE_CHUNK_BYTES,
      });
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        hash.update(chunk);
        read += chunk.length;
        yield out.line({ chunk: chunk.toString("base64") });
      }
    }
    if (read !== file.size) throw new Error(`${file.path} changed while it was exported: export again`);
    yield out.line({ fileEnd: { sha256: hash.digest("hex") } });
  }
  const lines = out.lines;
  yield Buffer.from(`${JSON.stringify({ end: { lines, sha256: out.hash.digest("hex") } })}\n`, "utf8");
}
