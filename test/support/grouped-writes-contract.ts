import { count, eq } from "drizzle-orm";
import { uuidv7 } from "uuidv7";
import { describe, expect, it } from "vitest";
import { groupedWrites } from "../../src/db/grouped-writes.ts";
import type { RoomDb } from "../../src/db/room-db.ts";
import { neighborRequests } from "../../src/requests/schema.ts";

export interface GroupedDatabases {
  rooms: () => RoomDb;
  /** Another connection (SQLite) or pool (PostgreSQL) to the same database: what another process sees. */
  another: () => RoomDb;
}

/** Group commit on the RoomDb, on both databases (test/integration and test/postgres grouped-writes.test.ts). */
export function describeGroupedWritesContract(name: string, databases: GroupedDatabases): void {
  describe(`${name} (grouped writes)`, () => {
    const row = (subjectId: string) => ({
      id: uuidv7(),
      subject: "offer" as const,
      subjectId,
      subjectName: "Bread",
      name: "Ana",
      contact: "ana@example.org",
      quantityMilli: null,
      createdAt: "2026-01-01T00:00:00.000Z",
      updatedAt: "2026-01-01T00:00:00.000Z",
    });
    const countIn = async (rooms: RoomDb, subjectId: string) => {
      const t = rooms.table(neighborRequests);
      const [found] = await rooms.read((db) => db.select({ n: count() }).from(t).where(eq(t.subjectId, subjectId)));
      return found!.n;
    };
    /** The RoomDb, counting its transactions. */
    const counted = () => {
      const rooms = databases.rooms();
      const counter = { writes: 0 };
      const wrapped: RoomDb = {
        ...rooms,
        table: (table) => rooms.table(table),
        read: (fn) => rooms.read(fn),
        version: (versionName, withinMs) => rooms.version(versionName, withinMs),
        countersDue: () => rooms.countersDue(),
        write: (fn, options) => {
          counter.writes++;
          return rooms.write(fn, options);
        },
      };
      return { rooms: wrapped, counter };
    };

    it("writes asked for in one turn share one transaction, and each is seen by others once it settles", async () => {
      const { rooms, counter } = counted();
      const grouped = groupedWrites(rooms);
      const t = rooms.table(neighborRequests);
      const subject = uuidv7();
      const elsewhere = databases.another();
      const seen = await Promise.all(
        Array.from({ length: 50 }, async () => {
          await grouped(async (db) => db.insert(t).values(row(subject)));
          return countIn(elsewhere, subject);
        }),
      );
      expect(counter.writes).toBe(1);
      expect(Math.min(...seen)).toBe(50);
    });

    it("a write that throws leaves no trace and rejects with its error; the others in its batch commit", async () => {
      const { rooms } = counted();
      const grouped = groupedWrites(rooms);
      const t = rooms.table(neighborRequests);
      const subject = uuidv7();
      const duplicate = row(subject);
      const results = await Promise.allSettled([
        grouped(async (db) => db.insert(t).values(row(subject))),
        grouped(async (db) => {
          await db.insert(t).values(row(subject)); // rolled back with its savepoint
          throw new Error("refused halfway");
        }),
        grouped(async (db) => db.insert(t).values(duplicate)),
        grouped(async (db) => db.insert(t).values(duplicate)), // the primary key refuses it: a database error
        grouped(async (db) => db.insert(t).values(row(subject))),
      ]);
      expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled", "rejected", "fulfilled"]);
      expect((results[1] as PromiseRejectedResult).reason).toEqual(new Error("refused halfway"));
      expect(await countIn(databases.another(), subject)).toBe(3);
    });

    it("returns each write's value; a later turn's writes make a batch of their own", async () => {
      const { rooms, counter } = counted();
      const grouped = groupedWrites(rooms);
      const t = rooms.table(neighborRequests);
      const subject = uuidv7();
      const first = await grouped(async (db) => (await db.insert(t).values(row(subject)).returning())[0]!.subjectId);
      const second = await grouped(async (db) => countIn2(db, subject));
      expect([first, second]).toEqual([subject, 1]);
      expect(counter.writes).toBe(2);

      async function countIn2(db: Parameters<Parameters<RoomDb["write"]>[0]>[0], id: string) {
        const [found] = await db.select({ n: count() }).from(t).where(eq(t.subjectId, id));
        return found!.n;
      }
    });
  });
}
