/**
 * Writes src/db/postgres-schema.ts: the rooms' tables for PostgreSQL, derived from their SQLite schemas
 * (src/<room>/schema.ts, the one source of truth). `npm run db:generate` runs it before drizzle-kit makes the
 * migrations of both dialects; test/unit/postgres-schema.test.ts fails when the file is out of date.
 *
 * Types: text stays text (enums keep their values), JSON text becomes jsonb, integers become bigint (times are
 * milliseconds since the epoch), an autoincrementing key becomes an identity column, booleans stay booleans and
 * reals become double precision. Keys, defaults, indexes and foreign keys (with their actions) are kept.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { getTableColumns } from "drizzle-orm";
import { getTableConfig, SQLiteTable, type SQLiteColumn } from "drizzle-orm/sqlite-core";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
export const POSTGRES_SCHEMA_PATH = `${ROOT}src/db/postgres-schema.ts`;
/** Fedify's key-value store and queue have their own PostgreSQL implementations and tables. */
const OWN_POSTGRES_TABLES = new Set(["kv_entries", "queue_messages"]);

interface Found {
  exportName: string;
  table: SQLiteTable;
}

async function sqliteTables(): Promise<Found[]> {
  const found = new Map<SQLiteTable, string>();
  for (const room of readdirSync(`${ROOT}src`).sort()) {
    const path = `${ROOT}src/${room}/schema.ts`;
    if (!existsSync(path)) continue;
    const module: Record<string, unknown> = await import(path);
    for (const [name, value] of Object.entries(module)) {
      if (value instanceof SQLiteTable && !found.has(value)) found.set(value, name);
    }
  }
  return [...found]
    .map(([table, exportName]) => ({ table, exportName }))
    .filter(({ table }) => !OWN_POSTGRES_TABLES.has(getTableConfig(table).name))
    .sort((a, b) => getTableConfig(a.table).name.localeCompare(getTableConfig(b.table).name));
}

const literal = (value: unknown) => JSON.stringify(value);

function columnType(column: SQLiteColumn, used: Set<string>): string {
  const config = (column as unknown as { config: { mode?: string; autoIncrement?: boolean } }).config;
  const name = literal(column.name);
  switch (column.columnType) {
    case "SQLiteText": {
      used.add("text");
      const values = column.enumValues;
      return values && values.length > 0 ? `text(${name}, { enum: ${literal(values)} })` : `text(${name})`;
    }
    case "SQLiteTextJson":
      used.add("jsonb");
      return `jsonb(${name})`;
    case "SQLiteInteger":
      used.add("bigint");
      return `bigint(${name}, { mode: "number" })${config.autoIncrement ? ".generatedByDefaultAsIdentity()" : ""}`;
    case "SQLiteBoolean":
      used.add("boolean");
      return `boolean(${name})`;
    case "SQLiteReal":
      used.add("doublePrecision");
      return `doublePrecision(${name})`;
    default:
      throw new Error(`no PostgreSQL type for ${column.columnType} (column ${column.name})`);
  }
}

function columnLine(key: string, column: SQLiteColumn, composite: boolean, used: Set<string>): string {
  let line = columnType(column, used);
  if (column.primary && !composite) line += ".primaryKey()";
  else if (column.notNull) line += ".notNull()";
  if (column.hasDefault && column.default !== undefined) {
    if (typeof column.default === "object" && column.default !== null) {
      throw new Error(`an SQL default on ${column.name} has no PostgreSQL translation here`);
    }
    line += `.default(${literal(column.default)})`;
  }
  if (column.isUnique) line += ".unique()";
  return `    ${key}: ${line},`;
}

export async function postgresSchemaSource(): Promise<string> {
  const tables = await sqliteTables();
  const exportOf = new Map(tables.map(({ table, exportName }) => [table, exportName]));
  const used = new Set<string>(["pgTable"]);
  const blocks: string[] = [];
  for (const { table, exportName } of tables) {
    const config = getTableConfig(table);
    const columns = getTableColumns(table) as Record<string, SQLiteColumn>;
    const keyOf = new Map(Object.entries(columns).map(([key, column]) => [column.name, key]));
    const refs = (list: { name: string }[], prefix = "t") => list.map((c) => `${prefix}.${keyOf.get(c.name)}`);
    const composite = config.primaryKeys.length > 0;
    const lines = Object.entries(columns).map(([key, column]) => columnLine(key, column, composite, used));
    const extras: string[] = [];
    for (const key of config.primaryKeys) {
      used.add("primaryKey");
      extras.push(`primaryKey({ columns: [${refs(key.columns).join(", ")}] })`);
    }
    for (const index of config.indexes) {
      const kind = index.config.unique ? "uniqueIndex" : "index";
      used.add(kind);
      const on = refs(index.config.columns as { name: string }[]).join(", ");
      extras.push(`${kind}(${literal(index.config.name)}).on(${on})`);
    }
    for (const foreign of config.foreignKeys) {
      used.add("foreignKey");
      const reference = foreign.reference();
      const target = exportOf.get(reference.foreignTable as SQLiteTable);
      if (!target) throw new Error(`${config.name} refers to a table with no PostgreSQL copy`);
      const targetKeys = new Map(
        Object.entries(getTableColumns(reference.foreignTable) as Record<string, SQLiteColumn>).map(([k, c]) => [
          c.name,
          k,
        ]),
      );
      const foreignColumns = reference.foreignColumns.map((c) => `${target}.${targetKeys.get(c.name)}`);
      let line = `foreignKey({ columns: [${refs(reference.columns).join(", ")}], foreignColumns: [${foreignColumns.join(", ")}] })`;
      if (foreign.onDelete && foreign.onDelete !== "no action") line += `.onDelete(${literal(foreign.onDelete)})`;
      if (foreign.onUpdate && foreign.onUpdate !== "no action") line += `.onUpdate(${literal(foreign.onUpdate)})`;
      extras.push(line);
    }
    const extra = extras.length > 0 ? `,\n  (t) => [\n${extras.map((e) => `    ${e},`).join("\n")}\n  ]` : "";
    blocks.push(
      `export const ${exportName} = pgTable(\n  ${literal(config.name)},\n  {\n${lines.join("\n")}\n  }${extra},\n);`,
    );
  }
  const imports = [...used].sort().join(", ");
  return [
    "// Generated by scripts/postgres-schema.ts (npm run db:generate) from the rooms' SQLite schemas. Do not edit.",
    `import { ${imports} } from "drizzle-orm/pg-core";`,
    "",
    blocks.join("\n\n"),
    "",
  ].join("\n");
}

/** The source as the project's formatter writes it (Biome, from stdin). */
export function formatted(source: string): string {
  const biome = spawnSync(`${ROOT}node_modules/.bin/biome`, ["format", `--stdin-file-path=${POSTGRES_SCHEMA_PATH}`], {
    input: source,
    encoding: "utf8",
  });
  if (biome.status !== 0) throw new Error(`biome format failed: ${biome.stderr}`);
  return biome.stdout;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(POSTGRES_SCHEMA_PATH, formatted(await postgresSchemaSource()));
  process.stdout.write(`wrote ${POSTGRES_SCHEMA_PATH}\n`);
}
