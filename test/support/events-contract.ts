import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { RoomDb } from "../../src/db/room-db.ts";
import { events } from "../../src/events/schema.ts";
import { eventsStore } from "../../src/events/store.ts";
import { tombstones } from "../../src/publishing/schema.ts";
import { tombstonesStore } from "../../src/publishing/tombstones.ts";

/**
 * Events and tombstones recorded inside a room's RoomDb write, on both databases
 * (test/integration/events-within.test.ts and test/postgres/events-within.test.ts).
 */
export function describeEventsContract(name: string, open: () => RoomDb): void {
  describe(`${name} (events and tombstones in a RoomDb write)`, () => {
    const now = new Date(Date.UTC(2026, 10, 1, 12));

    async function emptied() {
      const rooms = open();
      await rooms.write(async (db) => {
        await db.delete(rooms.table(events));
        await db.delete(rooms.table(tombstones));
      });
      return rooms;
    }

    it("an event recorded with a change commits with it, and is gone with its rollback", async () => {
      const rooms = await emptied();
      const store = eventsStore(rooms);
      const tombs = tombstonesStore(rooms);
      const kept = await rooms.write(async (db) => {
        await tombs.recordWithin(db, [{ iri: "https://pod.example/kept", formerType: "Note" }], now);
        return store.recordWithin(db, "test.kept", { n: 1 }, null, now);
      });
      const failed = rooms.write(async (db) => {
        await tombs.recordWithin(db, [{ iri: "https://pod.example/lost", formerType: "Note" }], now);
        await store.recordWithin(db, "test.lost", { n: 2 }, null, now);
        throw new Error("the change failed");
      });
      await expect(failed).rejects.toThrow("the change failed");
      const all = await store.inOrder();
      expect(all.map((e) => [e.id, e.kind, e.state, e.attempts])).toEqual([[kept, "test.kept", "pending", 0]]);
      expect(all[0]?.dueAt).toBe(now.getTime());
      expect(all[0]?.createdAt).toBe(now.toISOString());
      expect(await tombs.find("https://pod.example/kept")).toBeDefined();
      expect(await tombs.find("https://pod.example/lost")).toBeUndefined();
    });

    it("events come back in the order they were recorded, within one write and across writes", async () => {
      const rooms = await emptied();
      const store = eventsStore(rooms);
      const a = "https://pod.example/practices/a";
      const b = "https://pod.example/practices/b";
      const [a1, b1] = await rooms.write(async (db) => [
        await store.recordWithin(db, "test.first", {}, a, now),
        await store.recordWithin(db, "test.first", {}, b, now),
      ]);
      const a2 = await rooms.write((db) => store.recordWithin(db, "test.second", {}, a, now));
      const free = await rooms.write((db) => store.recordWithin(db, "test.free", {}, null, now));
      expect((await store.inOrder()).map((e) => e.id)).toEqual([a1, b1, a2, free]);
      const seqs = (await store.inOrder()).map((e) => e.seq);
      expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
      expect(typeof seqs[0]).toBe("number");

      const due = now.getTime();
      const done = async (id: string | undefined) => {
        const taken = await store.claimNext(due, 0);
        expect(taken?.id).toBe(id);
        expect(await rooms.write((db) => store.markDoneWithin(db, taken!, now))).toBe(true);
      };
      await done(a1);
      await done(b1);
      expect((await store.claimNext(due, 0))?.id).toBe(a2);
      expect(await store.claimNext(due - 1, 0)).toBeUndefined(); // not yet due
    });

    it("an object's event put back for later holds back its next one; other events go on", async () => {
      const rooms = await emptied();
      const store = eventsStore(rooms);
      const t = rooms.table(events);
      const key = "https://pod.example/offers/1";
      const first = await rooms.write((db) => store.recordWithin(db, "test.first", {}, key, now));
      const second = await rooms.write((db) => store.recordWithin(db, "test.second", {}, key, now));
      const other = await rooms.write((db) => store.recordWithin(db, "test.other", {}, null, now));
      const later = now.getTime() + 60_000;
      await rooms.write((db) => db.update(t).set({ dueAt: later, attempts: 1 }).where(eq(t.id, first)));
      const doneAt = async (at: number, id: string) => {
        const taken = await store.claimNext(at, 0);
        expect(taken?.id).toBe(id);
        expect(await rooms.write((db) => store.markDoneWithin(db, taken!, now))).toBe(true);
      };
      await doneAt(now.getTime(), other);
      expect(await store.claimNext(now.getTime(), 0)).toBeUndefined();
      await doneAt(later, first);
      expect((await store.claimNext(now.getTime(), 0))?.id).toBe(second);
    });

    it("an event is marked done once: a second worker's mark finds it done and says so", async () => {
      const rooms = await emptied();
      const store = eventsStore(rooms);
      await rooms.write((db) => store.recordWithin(db, "test.once", {}, null, now));
      const held = (await store.claimNext(now.getTime(), 0))!;
      const marks = await Promise.all([
        rooms.write((db) => store.markDoneWithin(db, held, now)),
        rooms.write((db) => store.markDoneWithin(db, held, now)),
      ]);
      expect(marks.sort()).toEqual([false, true]);
      await store.markRetry(held, 1, now.getTime() + 1_000, "a late failure");
      expect((await store.inOrder()).map((e) => [e.state, e.attempts, e.lastError])).toEqual([["done", 0, null]]);
    });

    it("a worker whose hold is lost (retried or taken over since) changes nothing of the event", async () => {
      const rooms = await emptied();
      const store = eventsStore(rooms);
      await rooms.write((db) => store.recordWithin(db, "test.held", {}, null, now));
      const stale = (await store.claimNext(now.getTime(), 60_000))!;
      const later = now.getTime() + 120_000;
      // Another worker took it over after the lease and put it back for a retry.
      const other = (await store.claimNext(now.getTime() + 60_000, 60_000))!;
      await store.markRetry(other, 1, later, "the other worker's first try failed");
      // The stale worker gives up, then finishes: neither touches the event.
      await store.markRetry(stale, 20, null, "the stale worker gave up");
      expect(await rooms.write((db) => store.markDoneWithin(db, stale, now))).toBe(false);
      expect((await store.inOrder()).map((e) => [e.state, e.attempts])).toEqual([["pending", 1]]);
      const retried = (await store.claimNext(later, 60_000))!;
      expect(await rooms.write((db) => store.markDoneWithin(db, retried, now))).toBe(true);
    });

    it("taking an event leases it on PostgreSQL (several workers), not on SQLite (one process)", async () => {
      const rooms = await emptied();
      const store = eventsStore(rooms);
      const first = await rooms.write((db) => store.recordWithin(db, "test.a", {}, null, now));
      const second = await rooms.write((db) => store.recordWithin(db, "test.b", {}, null, now));
      const at = now.getTime();
      const taken = await Promise.all([store.claimNext(at, 60_000), store.claimNext(at, 60_000)]);
      if (rooms.dialect === "postgres") {
        expect(taken.map((e) => e?.id).sort()).toEqual([first, second].sort());
        expect(await store.claimNext(at + 59_999, 60_000)).toBeUndefined();
        // A worker that died holding them: both are taken again once the lease is over.
        expect((await store.claimNext(at + 60_000, 60_000))?.id).toBe(first);
      } else {
        expect(taken.map((e) => e?.id)).toEqual([first, first]);
        expect((await store.claimNext(at, 60_000))?.id).toBe(first);
      }
    });

    it("a payload comes back as the JSON it was recorded as", async () => {
      const rooms = await emptied();
      const store = eventsStore(rooms);
      const payload = {
        iri: "https://pod.example/practices/ñandú?x=1&y=2",
        text: 'línea 1\nline 2 "quoted" \\ 🌱 nul \u0000 stays escaped',
        nested: { list: [1, 2.5, -3, null, true, false], empty: {}, none: [] },
        big: Number.MAX_SAFE_INTEGER,
      };
      await rooms.write((db) => store.recordWithin(db, "test.payload", payload, null, now));
      await rooms.write((db) => store.recordWithin(db, "test.scalar", "just text", null, now));
      await rooms.write((db) => store.recordWithin(db, "test.null", null, null, now));
      const [object, scalar, nothing] = await store.inOrder();
      expect(JSON.parse(object!.payload)).toEqual(payload);
      expect((await store.claimNext(now.getTime(), 0))?.payload).toEqual(payload);
      expect(JSON.parse(scalar!.payload)).toBe("just text");
      expect(JSON.parse(nothing!.payload)).toBeNull();
    });

    it("tombstones are recorded and read back; one already there keeps its first date", async () => {
      const rooms = await emptied();
      const tombs = tombstonesStore(rooms);
      const later = new Date(now.getTime() + 60_000);
      const iri = "https://pod.example/practices/gone";
      await rooms.write((db) => tombs.recordWithin(db, [{ iri, formerType: "Article" }], now));
      await rooms.write((db) =>
        tombs.recordWithin(
          db,
          [
            { iri, formerType: "Note" },
            { iri: `${iri}/2`, formerType: "Note" },
            { iri: `${iri}/2`, formerType: "Note" },
          ],
          later,
        ),
      );
      await rooms.write((db) => tombs.recordWithin(db, [], later));
      expect(await tombs.find(iri)).toEqual({ iri, formerType: "Article", deletedAt: now.toISOString() });
      expect(await tombs.find(`${iri}/2`)).toEqual({
        iri: `${iri}/2`,
        formerType: "Note",
        deletedAt: later.toISOString(),
      });
      expect(await tombs.find(`${iri}/3`)).toBeUndefined();
    });
  });
}
