/**
 * The rooms' PostgreSQL tables are derived from their SQLite schemas: the generated file must match what the
 * generator makes from today's schemas (run `npm run db:generate` after changing a room's schema.ts).
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { formatted, POSTGRES_SCHEMA_PATH, postgresSchemaSource } from "../../scripts/postgres-schema.ts";

describe("the PostgreSQL schema", () => {
  it("is what the rooms' SQLite schemas give today", async () => {
    const expected = formatted(await postgresSchemaSource());
    expect(readFileSync(POSTGRES_SCHEMA_PATH, "utf8")).toBe(expected);
  }, 60_000);

  it("keeps every table, key, index and foreign key, with times as bigint and JSON as jsonb", async () => {
    const source = await postgresSchemaSource();
    expect(source).toContain("export const members = pgTable(");
    expect(source).toMatch(/bigint\("seq", \{ mode: "number" \}\)\.generatedByDefaultAsIdentity\(\)\.primaryKey\(\)/);
    expect(source).toMatch(
      /foreignKey\(\{ columns: \[t\.\w+\], foreignColumns: \[\w+\.\w+\] \}\)\.onDelete\("cascade"\)/,
    );
    expect(source).not.toContain('"kv_entries"');
    expect(source).not.toContain('"queue_messages"');
  });
});
