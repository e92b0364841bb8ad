import { count, eq, sql } from "drizzle-orm";
import { uuidv7 } from "uuidv7";
import { describe, expect, it } from "vitest";
import type { Placeholders, RoomDb } from "../../src/db/room-db.ts";
import { receivedActivities } from "../../src/confederation/schema.ts";
import { practices } from "../../src/practices/schema.ts";
import { neighborRequests } from "../../src/requests/schema.ts";
import { podSettings } from "../../src/settings/schema.ts";

/** The behaviour the RoomDb has on both databases (test/integration/room-db.test.ts, test/postgres/room-db.test.ts). */
export function describeRoomDbContract(name: string, open: () => RoomDb): void {
  describe(`${name} (RoomDb contract)`, () => {
    const request = (subjectId: string, quantityMilli: number | null = null) => ({
      id: uuidv7(),
      subject: "offer" as const,
      subjectId,
      subjectName: "Bread",
      name: "Ana",
      contact: "ana@example.org",
      quantityMilli,
      createdAt: "2026-01-01T00:00:00.000Z",
      updatedAt: "2026-01-01T00:00:00.000Z",
    });
    const countOf = async (rooms: RoomDb, subjectId: string) => {
      const t = rooms.table(neighborRequests);
      const [row] = await rooms.read((db) => db.select({ n: count() }).from(t).where(eq(t.subjectId, subjectId)));
      return row!.n;
    };

    it("reads a change counter: one getter per name, moved by a write to what it counts and seen soon after", async () => {
      const rooms = open();
      const settings = rooms.version("settings");
      expect(open().version("settings")).toBe(settings);
      const soon = async (done: () => boolean) => {
        for (let i = 0; i < 100 && !done(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
      };
      await soon(() => settings() !== -1); // PostgreSQL's first value arrives in the background
      const before = settings();
      expect(before).toBeGreaterThanOrEqual(0);
      const t = rooms.table(podSettings);
      const name = `Pod ${uuidv7()}`;
      const at = "2026-01-01T00:00:00.000Z";
      await rooms.write((db) =>
        db.insert(t).values({ id: 1, name, updatedAt: at }).onConflictDoUpdate({ target: t.id, set: { name } }),
      );
      await soon(() => settings() !== before);
      expect(settings()).toBeGreaterThan(before);
    });

    it("leaves nothing behind when the write's callback throws, and passes the error on", async () => {
      const rooms = open();
      const t = rooms.table(neighborRequests);
      const subject = uuidv7();
      const failure = new Error("changed my mind");
      await expect(
        rooms.write(async (db) => {
          await db.insert(t).values(request(subject));
          await db.insert(t).values(request(subject));
          expect(await countOf2(db, subject)).toBe(2); // seen inside the transaction
          throw failure;
        }),
      ).rejects.toBe(failure);
      expect(await countOf(rooms, subject)).toBe(0);

      async function countOf2(db: Parameters<Parameters<RoomDb["write"]>[0]>[0], id: string) {
        const [row] = await db.select({ n: count() }).from(t).where(eq(t.subjectId, id));
        return row!.n;
      }
    });

    it("commits what the callback wrote and returns its value", async () => {
      const rooms = open();
      const t = rooms.table(neighborRequests);
      const subject = uuidv7();
      const ids = await rooms.write(async (db) => {
        const a = await db.insert(t).values(request(subject)).returning({ id: t.id });
        const b = await db.insert(t).values(request(subject)).returning({ id: t.id });
        return [a[0]!.id, b[0]!.id];
      });
      expect(ids).toHaveLength(2);
      expect(await countOf(rooms, subject)).toBe(2);
    });

    it("loses no update when many writes change one row at once", async () => {
      const rooms = open();
      const t = rooms.table(neighborRequests);
      const row = request(uuidv7(), 0);
      await rooms.write((db) => db.insert(t).values(row));
      await Promise.all(
        Array.from({ length: 10 }, () =>
          rooms.write(async (db) => {
            await db
              .update(t)
              .set({ quantityMilli: sql`${t.quantityMilli} + 1` })
              .where(eq(t.id, row.id));
          }),
        ),
      );
      const [after] = await rooms.read((db) => db.select().from(t).where(eq(t.id, row.id)));
      expect(after!.quantityMilli).toBe(10);
    });

    it("runs writes that name one key one at a time: 'make one unless there is one' makes one", async () => {
      const rooms = open();
      const t = rooms.table(neighborRequests);
      const subject = uuidv7();
      const makeOneUnlessThereIsOne = () =>
        rooms.write(
          async (db) => {
            const [row] = await db.select({ n: count() }).from(t).where(eq(t.subjectId, subject));
            if (row!.n === 0) await db.insert(t).values(request(subject));
          },
          { oneAtATime: `first request ${subject}` },
        );
      await Promise.all(Array.from({ length: 8 }, makeOneUnlessThereIsOne));
      expect(await countOf(rooms, subject)).toBe(1);
    });

    it("refuses a statement of a write that has ended: it never lands in the next write", async () => {
      const rooms = open();
      const t = rooms.table(neighborRequests);
      const subject = uuidv7();
      let keptDb: Parameters<Parameters<RoomDb["write"]>[0]>[0] | undefined;
      await rooms.write(async (db) => {
        keptDb = db;
        await db.insert(t).values(request(subject));
      });
      const late = rooms.write(async (db) => {
        await db.insert(t).values(request(subject));
        // The first write's db, used again (a promise the callback did not await, run later): it must fail.
        await keptDb!.insert(t).values(request(subject));
      });
      const error = (await late.catch((e: unknown) => e)) as Error & { cause?: Error };
      // drizzle wraps a PostgreSQL driver's error as "Failed query: …" with the cause.
      expect(`${error.message} ${error.cause?.message ?? ""}`).toMatch(/after the write ended/);
      expect(await countOf(rooms, subject)).toBe(1);
    });

    it("refuses a write or a read inside a write, and the outer write rolls back", async () => {
      const rooms = open();
      const t = rooms.table(neighborRequests);
      const subject = uuidv7();
      await expect(
        rooms.write(async (db) => {
          await db.insert(t).values(request(subject));
          await rooms.write(async (inner) => inner.insert(t).values(request(subject)));
        }),
      ).rejects.toThrow(/RoomDb.write called inside RoomDb.write/);
      await expect(rooms.write(async () => rooms.read(async () => 1))).rejects.toThrow(
        /RoomDb.read called inside RoomDb.write/,
      );
      expect(await countOf(rooms, subject)).toBe(0);
    });

    describe("prepared queries", () => {
      type Receipt = typeof receivedActivities.$inferInsert;
      const prepared = (rooms: RoomDb) => {
        const t = rooms.table(receivedActivities);
        return {
          t,
          insert: rooms.prepare((db, p: Placeholders<Omit<Receipt, "seq">>) =>
            db
              .insert(t)
              .values({
                activityIri: p.activityIri,
                type: p.type,
                actorIri: p.actorIri,
                objectIri: p.objectIri,
                objectType: p.objectType,
                fromFollowed: p.fromFollowed,
                receivedAt: p.receivedAt,
              })
              .onConflictDoNothing({ target: t.activityIri })
              .returning({ seq: t.seq, fromFollowed: t.fromFollowed }),
          ),
          byActor: rooms.prepare((db, p: Placeholders<{ actorIri: string }>) =>
            db.select().from(t).where(eq(t.actorIri, p.actorIri)).orderBy(t.seq),
          ),
        };
      };
      const receipt = (actorIri: string, fromFollowed: boolean): Omit<Receipt, "seq"> => ({
        activityIri: `${actorIri}/activities/${uuidv7()}`,
        type: "Create",
        actorIri,
        objectIri: null,
        objectType: null,
        fromFollowed,
        receivedAt: "2026-01-01T00:00:00.000Z",
      });

      it("answers as the same query built per call, in reads and in writes, with each run's values", async () => {
        const rooms = open();
        const { t, insert, byActor } = prepared(rooms);
        const actor = `https://pod.example/${uuidv7()}`;
        const [first, second] = [receipt(actor, true), receipt(actor, false)];
        const inserted = await rooms.write(async (db) => [await insert(db, first), await insert(db, second)]);
        expect(inserted.map(([row]) => row!.fromFollowed)).toEqual([true, false]);
        expect(await rooms.write((db) => insert(db, first))).toEqual([]); // ON CONFLICT DO NOTHING
        const built = await rooms.read((db) => db.select().from(t).where(eq(t.actorIri, actor)).orderBy(t.seq));
        expect(built.map((row) => row.fromFollowed)).toEqual([true, false]);
        expect(await rooms.read((db) => byActor(db, { actorIri: actor }))).toEqual(built);
        expect(await rooms.write((db) => byActor(db, { actorIri: actor }))).toEqual(built);
        expect(await rooms.read((db) => byActor(db, { actorIri: `${actor}/nobody` }))).toEqual([]);
      });

      it("runs inside the write it is handed: seen there, rolled back with it", async () => {
        const rooms = open();
        const { insert, byActor } = prepared(rooms);
        const actor = `https://pod.example/${uuidv7()}`;
        const failure = new Error("changed my mind");
        await expect(
          rooms.write(async (db) => {
            await insert(db, receipt(actor, true));
            expect(await byActor(db, { actorIri: actor })).toHaveLength(1);
            throw failure;
          }),
        ).rejects.toBe(failure);
        expect(await rooms.read((db) => byActor(db, { actorIri: actor }))).toEqual([]);
      });

      it("refuses a run on the db of a write that has ended: it never lands in the next write", async () => {
        const rooms = open();
        const { insert, byActor } = prepared(rooms);
        const actor = `https://pod.example/${uuidv7()}`;
        let keptDb: Parameters<Parameters<RoomDb["write"]>[0]>[0] | undefined;
        await rooms.write(async (db) => {
          keptDb = db;
          await insert(db, receipt(actor, true));
        });
        const late = rooms.write(async (db) => {
          await insert(db, receipt(actor, true));
          await insert(keptDb!, receipt(actor, true));
        });
        await expect(late).rejects.toThrow();
        expect(await rooms.read((db) => byActor(db, { actorIri: actor }))).toHaveLength(1);
      });

      it("runs at once in many writes on many connections, twice prepared alike in one write", async () => {
        const rooms = open();
        const { insert, byActor } = prepared(rooms);
        const again = prepared(rooms); // another store preparing the same statement (on PostgreSQL: the same name)
        const actor = `https://pod.example/${uuidv7()}`;
        await Promise.all(
          Array.from({ length: 20 }, () =>
            rooms.write(async (db) => {
              await insert(db, receipt(actor, true));
              await again.insert(db, receipt(actor, false));
            }),
          ),
        );
        const rows = await rooms.read((db) => again.byActor(db, { actorIri: actor }));
        expect(rows).toHaveLength(40);
        expect(rows.filter((row) => row.fromFollowed)).toHaveLength(20);
        expect(await rooms.read((db) => byActor(db, { actorIri: actor }))).toEqual(rows);
      });
    });

    it("round-trips big integers, booleans, JSON and counts as the SQLite types say", async () => {
      const rooms = open();
      const requests = rooms.table(neighborRequests);
      const big = 2 ** 50 + 3; // beyond 32 bits: int8 on PostgreSQL, a string from node-postgres unless mapped
      const row = request(uuidv7(), big);
      const [inserted] = await rooms.write((db) => db.insert(requests).values(row).returning());
      expect(inserted!.quantityMilli).toBe(big);
      const [read] = await rooms.read((db) => db.select().from(requests).where(eq(requests.id, row.id)));
      expect(read).toEqual({ ...row, message: "", status: "new", claimedAt: null });
      expect(await countOf(rooms, row.subjectId)).toBe(1);

      const settings = rooms.table(podSettings);
      for (const approveFollowers of [true, false, null]) {
        await rooms.write((db) =>
          db
            .insert(settings)
            .values({ id: 1, approveFollowers, updatedAt: "2026-01-01T00:00:00.000Z" })
            .onConflictDoUpdate({ target: settings.id, set: { approveFollowers } }),
        );
        const [stored] = await rooms.read((db) => db.select().from(settings).where(eq(settings.id, 1)));
        expect(stored!.approveFollowers).toBe(approveFollowers);
      }

      const table = rooms.table(practices);
      const tags = ["bread", "ñandú", 'quote"d'];
      const practice = {
        id: uuidv7(),
        title: "Shared oven",
        summary: "s",
        body: "b",
        tags,
        problem: "p",
        outcomes: "o",
        language: "en",
        status: "published" as const,
        createdAt: "2026-01-01T00:00:00.000Z",
        updatedAt: "2026-01-01T00:00:00.000Z",
      };
      await rooms.write((db) => db.insert(table).values(practice));
      const [stored] = await rooms.read((db) => db.select().from(table).where(eq(table.id, practice.id)));
      expect(stored!.tags).toEqual(tags);
    });
  });
}
