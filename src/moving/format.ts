/**
 * The pod archive (docs/moving.md): gzipped JSON lines, one JSON object per line.
 *   {"manifest":{...}}                              first line
 *   {"t":"<table>","r":{"<column>":<value>,...}}    one per row, tables parents first
 *   {"file":{"path":"guides/x.pdf","size":N,"mode":420}} then {"chunk":"<base64>"}... then {"fileEnd":{"sha256":"…"}}
 *   {"end":{"lines":N,"sha256":"…"}}                last line: count and SHA-256 of every byte before it
 * Values are SQL values: null, a string, a number (whole: an integer; with a fraction: a real), or a tagged object
 * for what JSON cannot carry exactly: {"$int":"…"} beyond 2^53, {"$b64":"…"} a blob, {"$real":"2"} a whole real.
 */
export const ARCHIVE_FORMAT = "pods-archive";
export const ARCHIVE_VERSION = 1;
/** No line may be longer (decompressed): a reader never buffers more than this for one line. */
export const MAX_LINE_BYTES = 16 * 1024 * 1024;
/** Raw bytes of a file per chunk line (64 KiB once in base64). */
export const FILE_CHUNK_BYTES = 48 * 1024;

/** An archive that cannot be imported as it is: the import refuses it and changes nothing (exit 2). */
export class ArchiveRefused extends Error {}

export interface ColumnInfo {
  name: string;
  /** The declared SQL type, lower case ("integer", "text", "real", "blob", "numeric"). */
  type: string;
}

export interface TableInfo {
  name: string;
  columns: ColumnInfo[];
  rows: number;
}

export interface Manifest {
  format: typeof ARCHIVE_FORMAT;
  version: number;
  /** Tag of the last migration the rows were written under (migrations/meta/_journal.json). */
  schema: string;
  /** The pod's address (its origin): the actor, keys and followers belong to it. */
  url: string;
  createdAt: string;
  /** Every table with a row count, parents (tables other tables refer to) before their children. */
  tables: TableInfo[];
  /** Tables whose ids count up: the largest id ever handed out, so a removed id is not given again. */
  sequences: Record<string, number>;
  files: { count: number; bytes: number };
}

export type SqlValue = null | string | number | bigint | Buffer;
export type ArchiveValue = null | string | number | { $int: string } | { $b64: string } | { $real: string };

/** A SQL value as it goes in a row line: integers beyond 2^53, blobs and infinities as tagged objects. */
export function encodeValue(value: SqlValue): ArchiveValue {
  if (value === null || typeof value === "string") return value;
  if (typeof value === "bigint") {
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(value)
      : { $int: value.toString() };
  }
  // A bare whole number is read back as an integer: a real that is whole (2.0, -0.0, infinity) says it is one.
  if (typeof value === "number") {
    if (!Number.isFinite(value) || Number.isInteger(value))
      return { $real: Object.is(value, -0) ? "-0" : String(value) };
    return value;
  }
  return { $b64: value.toString("base64") };
}

const INT64 = /^-?\d{1,19}$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const REAL = /^-?(\d{1,309}(\.\d+)?(e[+-]?\d{1,3})?|Infinity)$/;

/** The inverse of encodeValue; anything else (arrays, booleans, other objects) is refused. */
export function decodeValue(value: unknown, where: string): SqlValue {
  if (value === null || typeof value === "string") return value;
  // Bound as an integer so it is stored as one, whatever the column's type (a real column makes it 2.0 again).
  if (typeof value === "number") return Number.isSafeInteger(value) ? BigInt(value) : value;
  if (typeof value === "object" && !Array.isArray(value)) {
    const keys = Object.keys(value);
    const tagged = (value as Record<string, unknown>)[keys[0] ?? ""];
    if (keys.length === 1 && typeof tagged === "string") {
      if (keys[0] === "$int" && INT64.test(tagged)) {
        const int = BigInt(tagged);
        if (int >= -(2n ** 63n) && int < 2n ** 63n) return int;
      }
      if (keys[0] === "$b64" && tagged.length % 4 === 0 && BASE64.test(tagged)) return Buffer.from(tagged, "base64");
      if (keys[0] === "$real" && REAL.test(tagged)) return Number(tagged);
    }
  }
  throw new ArchiveRefused(`${where}: not a value the archive format allows`);
}

const SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;

/**
 * Whether a data-directory file may travel in an archive under this relative path: plain names joined by "/",
 * none hidden (so no "." or ".."), not the database itself. Export skips others; import refuses them.
 */
export function isArchivablePath(path: string): boolean {
  if (path.length > 512) return false;
  const segments = path.split("/");
  if (segments.length > 8 || !segments.every((segment) => SEGMENT.test(segment))) return false;
  return !/^pod\.sqlite/.test(segments[0]!);
}
