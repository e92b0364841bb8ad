import Database from "better-sqlite3";
import { getTableName } from "drizzle-orm";
import { getTableConfig, PgTable, type PgColumn } from "drizzle-orm/pg-core";
import { inTransaction, migratePostgres, type PostgresClient, type PostgresPool } from "../db/postgres.ts";
import * as postgresSchema from "../db/postgres-schema.ts";
import { tablesParentsFirst } from "./tables.ts";

const COUNTERS = "document_versions";
/** Rows sent in one INSERT (PostgreSQL takes at most 65,535 parameters in one statement). */
const ROWS_PER_INSERT = 200;

export interface CopySummary {
  /** Rows copied, per table. */
  rows: Record<string, number>;
  /** The pod's tables with no PostgreSQL copy (the full-text index, Fedify's SQLite key-value store and queue). */
  left: string[];
}

const pgTables = new Map(
  Object.values(postgresSchema as Record<string, unknown>)
    .filter((value): value is PgTable => value instanceof PgTable)
    .map((table) => [getTableName(table), table]),
);

/** A value as SQLite keeps it, as the PostgreSQL column takes it: booleans from 0/1; JSON text stays text. */
function toPostgres(column: PgColumn, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (column.columnType === "PgBoolean") return value !== 0 && value !== 0n;
  if (typeof value === "bigint") return value.toString();
  return value;
}

/**
 * Copies a pod's SQLite database (an imported archive, or a stopped pod's file) into an empty PostgreSQL database
 * migrated to the rooms' schema, in one transaction: every room's rows, parents first, typed by the PostgreSQL
 * column; identity counters continue after the largest id. Refuses a database that already holds rows.
 */
export async function copyToPostgres(
  sqlitePath: string,
  pool: PostgresPool,
  /** More to write in the same transaction, after the rows (the pod's pending deliveries). */
  andThen: (client: PostgresClient, sqlite: Database.Database) => Promise<void> = async () => {},
): Promise<CopySummary> {
  await migratePostgres(pool);
  const sqlite = new Database(sqlitePath, { readonly: true, fileMustExist: true });
  sqlite.defaultSafeIntegers(true);
  try {
    // The change counters last: triggers bump them while the tables they count are filled.
    const order = [...tablesParentsFirst(sqlite).filter((name) => name !== COUNTERS), COUNTERS];
    const hasSequences = sqlite.prepare("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'").get();
    const handedOutIds = new Map<string, bigint>(
      hasSequences
        ? (sqlite.prepare("SELECT name, seq FROM sqlite_sequence").all() as { name: string; seq: bigint }[]).map(
            (row) => [row.name, row.seq],
          )
        : [],
    );
    const summary: CopySummary = { rows: {}, left: order.filter((name) => !pgTables.has(name)) };
    await inTransaction(pool, async (client) => {
      for (const name of order) {
        const table = pgTables.get(name);
        if (!table) continue;
        const { columns } = getTableConfig(table);
        // The seeded counters (document_versions) are replaced by the pod's own.
        const seeded = await client.query(`SELECT count(*)::int AS n FROM "${name}"`);
        if (seeded.rows[0].n > 0 && name !== COUNTERS) {
          throw new Error(`the PostgreSQL database already holds ${name}: copy into an empty one`);
        }
        await client.query(`DELETE FROM "${name}"`);
        const list = columns.map((column) => `"${column.name}"`).join(", ");
        let batch: unknown[][] = [];
        const flush = async () => {
          if (batch.length === 0) return;
          const marks = batch.map(
            (_, row) => `(${columns.map((_, col) => `$${row * columns.length + col + 1}`).join(", ")})`,
          );
          await client.query(`INSERT INTO "${name}" (${list}) VALUES ${marks.join(", ")}`, batch.flat());
          batch = [];
        };
        let count = 0;
        for (const row of sqlite.prepare(`SELECT * FROM "${name}"`).iterate() as Iterable<Record<string, unknown>>) {
          batch.push(columns.map((column) => toPostgres(column, row[column.name])));
          count++;
          if (batch.length === ROWS_PER_INSERT) await flush();
        }
        await flush();
        summary.rows[name] = count;
        // A counting key goes on after the largest id ever handed out (SQLite remembers it past deletions).
        for (const column of columns.filter((c) => c.generatedIdentity !== undefined)) {
          const present = (await client.query(`SELECT max("${column.name}")::text AS last FROM "${name}"`)).rows[0];
          const handedOut = handedOutIds.get(name);
          const last = [present.last === null ? null : BigInt(present.last), handedOut]
            .filter((value): value is bigint => typeof value === "bigint")
            .reduce<bigint | null>((a, b) => (a === null || b > a ? b : a), null);
          if (last === null) continue;
          await client.query("SELECT setval(pg_get_serial_sequence($1, $2), $3)", [
            `"${name}"`,
            column.name,
            last.toString(),
          ]);
        }
      }
      await andThen(client, sqlite);
    });
    return summary;
  } finally {
    sqlite.close();
  }
}
