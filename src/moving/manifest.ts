import { ARCHIVE_FORMAT, ARCHIVE_VERSION, ArchiveRefused, type Manifest, type TableInfo } from "./format.ts";
import { journal } from "./schema-version.ts";

const NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);
const isCount = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;

function refuse(message: string): never {
  throw new ArchiveRefused(`manifest: ${message}`);
}

function tableInfo(value: unknown, index: number): TableInfo {
  if (!isObject(value) || typeof value.name !== "string" || !NAME.test(value.name)) refuse(`tables[${index}].name`);
  if (!isCount(value.rows)) refuse(`tables[${index}].rows must be a count`);
  if (!Array.isArray(value.columns) || value.columns.length === 0 || value.columns.length > 200)
    refuse(`tables[${index}].columns must be a list`);
  const columns = value.columns.map((column: unknown, c: number) => {
    if (!isObject(column) || typeof column.name !== "string" || !NAME.test(column.name))
      refuse(`tables[${index}].columns[${c}].name`);
    if (typeof column.type !== "string" || column.type.length > 64) refuse(`tables[${index}].columns[${c}].type`);
    return { name: column.name, type: column.type };
  });
  return { name: value.name, columns, rows: value.rows };
}

/**
 * The archive's first line, checked field by field (never merged into an object: a "__proto__" key stays a
 * name that matches nothing). The schema must be one of this code's migrations: a newer pod's archive is refused.
 */
export function parseManifest(line: unknown): Manifest {
  if (!isObject(line) || !isObject(line.manifest) || Object.keys(line).length !== 1)
    throw new ArchiveRefused("this is not a pod archive (its first line is not a manifest)");
  const m = line.manifest;
  if (m.format !== ARCHIVE_FORMAT) refuse(`format must be "${ARCHIVE_FORMAT}"`);
  if (m.version !== ARCHIVE_VERSION) refuse(`version ${String(m.version)} is not one this code reads`);
  if (typeof m.schema !== "string" || !journal().some((entry) => entry.tag === m.schema)) {
    throw new ArchiveRefused(
      `the archive was written by a newer (or another) version of Pods: its schema ${JSON.stringify(m.schema)} ` +
        "is not among this code's migrations. Update this pod's code, then import again.",
    );
  }
  if (typeof m.url !== "string" || !URL.canParse(m.url) || new URL(m.url).origin !== m.url)
    refuse("url must be an origin such as https://pod.example.org");
  if (typeof m.createdAt !== "string") refuse("createdAt");
  if (!Array.isArray(m.tables) || m.tables.length > 500) refuse("tables must be a list");
  const tables = m.tables.map(tableInfo);
  if (new Set(tables.map((t) => t.name)).size !== tables.length) refuse("a table is listed twice");
  if (!isObject(m.sequences)) refuse("sequences must be an object");
  const sequences: Record<string, number> = {};
  for (const [name, seq] of Object.entries(m.sequences)) {
    if (!tables.some((t) => t.name === name) || !isCount(seq)) refuse(`sequences.${name}`);
    Object.defineProperty(sequences, name, { value: seq, enumerable: true });
  }
  if (!isObject(m.files) || !isCount(m.files.count) || !isCount(m.files.bytes)) refuse("files");
  return {
    format: ARCHIVE_FORMAT,
    version: ARCHIVE_VERSION,
    schema: m.schema,
    url: m.url,
    createdAt: m.createdAt,
    tables,
    sequences,
    files: { count: m.files.count, bytes: m.files.bytes },
  };
}
