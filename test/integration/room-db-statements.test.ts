import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { sqliteRoomsForFile } from "../support/room-databases.ts";

/**
 * The SQLite RoomDb keeps each statement it prepared, by its SQL text (drizzle prepares every query it runs). A
 * statement is handed out as new each time: drizzle reads some results as arrays (`raw`) and others as objects.
 */
describe("the SQLite RoomDb's statements", () => {
  const { rooms } = sqliteRoomsForFile();

  it("answer objects after the same SQL was read as arrays, in reads and in writes", async () => {
    const query = sql`select 1 as one, 'two' as two`;
    const asObjects = [{ one: 1, two: "two" }];
    expect(await rooms().read((db) => db.all(query))).toEqual(asObjects);
    expect(await rooms().read((db) => db.values(query))).toEqual([[1, "two"]]);
    expect(await rooms().read((db) => db.all(query))).toEqual(asObjects);
    expect(await rooms().write(async (db) => [await db.values(query), await db.all(query)])).toEqual([
      [[1, "two"]],
      asObjects,
    ]);
  });
});
