/** The RoomDb on a real PostgreSQL server: the contract its SQLite twin passes in test/integration/room-db.test.ts. */
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { Placeholders } from "../../src/db/room-db.ts";
import { postgresClientOf } from "../../src/db/postgres-write-client.ts";
import { operatorTokens } from "../../src/operators/schema.ts";
import { describeRoomDbContract } from "../support/room-db-contract.ts";
import { postgresUnavailable } from "../support/postgres.ts";
import { postgresRoomsForFile } from "../support/room-databases.ts";

const skip = postgresUnavailable();
if (skip) console.warn(skip);

describe.skipIf(skip != null)("RoomDb on PostgreSQL", () => {
  const { rooms, another } = postgresRoomsForFile();

  describeRoomDbContract("PostgreSQL", rooms);

  it("runs a prepared query as a statement named by its text, parsed once per connection", async () => {
    const t = rooms().table(operatorTokens);
    const byId = rooms().prepare((db, p: Placeholders<{ id: string }>) => db.select().from(t).where(eq(t.id, p.id)));
    const named = await rooms().write(async (db) => {
      await byId(db, { id: "none" });
      await byId(db, { id: "none" });
      const { rows } = await postgresClientOf(db).query<{ name: string; statement: string }>(
        "SELECT name, statement FROM pg_prepared_statements WHERE statement LIKE '%operator_tokens%'",
      );
      return rows;
    });
    expect(named).toHaveLength(1);
    expect(named[0]!.name).toMatch(/^pods_[0-9a-f]{24}$/);
    expect(named[0]!.statement).toMatch(/from "operator_tokens" where "operator_tokens"."id" = \$1/i);
  });

  it("refuses a prepared query on the write of another pool's RoomDb (it would run in another database)", async () => {
    const t = rooms().table(operatorTokens);
    const byId = rooms().prepare((db, p: Placeholders<{ id: string }>) => db.select().from(t).where(eq(t.id, p.id)));
    expect(rooms()).toBe(rooms()); // one RoomDb per pool: its reads and writes all take the query
    await expect(another().write((db) => byId(db, { id: "none" }))).rejects.toThrow(/its own RoomDb/);
    await expect(another().read((db) => byId(db, { id: "none" }))).rejects.toThrow(/its own RoomDb/);
    expect(await rooms().read((db) => byId(db, { id: "none" }))).toEqual([]);
  });

  it("queries the derived twin of a room's SQLite table", () => {
    const twin = rooms().table(operatorTokens);
    expect(twin).not.toBe(operatorTokens);
    expect(twin.constructor.name).toBe("PgTable");
  });
});
