import { describe, expect, it } from "vitest";
import { charterCopy } from "../../src/charters/copy.ts";
import { charterRevisions } from "../../src/charters/schema.ts";
import { chartersStore, type NewCharterRow } from "../../src/charters/store.ts";
import type { RoomDb } from "../../src/db/room-db.ts";

/**
 * The charter's revisions and the in-memory copy of the latest, on both databases (test/integration and
 * test/postgres charters-store.test.ts). The change counter is a plain number here; the real one (the `actor`
 * counter SQL triggers bump) is tested in those files.
 */
export function describeChartersContract(name: string, open: () => RoomDb): void {
  describe(`${name} (the charter's revisions)`, () => {
    const at = (day: number) => new Date(Date.UTC(2026, 10, day)).toISOString();
    const revision = (number: number, day: number): NewCharterRow => ({
      number,
      changeNote: `revision ${number}`,
      services: JSON.stringify([{ key: `s${number}` }]),
      planned: "[]",
      publishedAt: at(day),
      reviewedAt: at(day),
    });
    async function emptied() {
      const rooms = open();
      await rooms.write((db) => db.delete(rooms.table(charterRevisions)));
      return { rooms, store: chartersStore(rooms) };
    }
    /** What publish does: number the new revision after the latest, as the write sees it. */
    const publishAfterLatest = (rooms: RoomDb, day: number, oneAtATime?: string) =>
      rooms.write(
        async (db) => {
          const store = chartersStore(rooms);
          const latest = await store.latestWithin(db);
          return store.insertWithin(db, revision((latest?.number ?? 0) + 1, day));
        },
        oneAtATime ? { oneAtATime } : {},
      );

    it("keeps every revision: the latest, each by number, the history newest first", async () => {
      const { rooms, store } = await emptied();
      expect(await store.latest()).toBeUndefined();
      for (const day of [1, 2, 3]) await publishAfterLatest(rooms, day);
      expect((await store.latest())?.number).toBe(3);
      expect(await store.byNumber(2)).toMatchObject({ changeNote: "revision 2", publishedAt: at(2) });
      expect(await store.byNumber(9)).toBeUndefined();
      expect((await store.history()).map((r) => r.number)).toEqual([3, 2, 1]);
      expect(await store.firstPublishedAt()).toBe(at(1));
    });

    it("publications that take turns number their revisions one after another, however many at once", async () => {
      const { rooms, store } = await emptied();
      await Promise.all([1, 2, 3, 4, 5].map((day) => publishAfterLatest(rooms, day, "charter")));
      expect((await store.history()).map((r) => r.number)).toEqual([5, 4, 3, 2, 1]);
    });

    it("a review moves the review date of the revision it names, nothing else", async () => {
      const { rooms, store } = await emptied();
      await publishAfterLatest(rooms, 1);
      const reviewed = await rooms.write((db) => store.reviewedWithin(db, 1, at(20)));
      expect(reviewed).toMatchObject({ number: 1, publishedAt: at(1), reviewedAt: at(20) });
      expect(await rooms.write((db) => store.reviewedWithin(db, 7, at(20)))).toBeUndefined();
    });

    it("the copy shows the latest revision, and another process's once the counter moves", async () => {
      const { rooms } = await emptied();
      const version = { value: 1 };
      const copy = charterCopy(
        rooms,
        () => version.value,
        () => {},
      );
      await copy.load();
      expect(copy.latest()).toBeUndefined();
      await publishAfterLatest(rooms, 4); // another process
      expect(copy.latest()).toBeUndefined(); // the counter has not moved: no read
      version.value = 2;
      await copy.refresh();
      expect(copy.latest()?.number).toBe(1);
      expect(copy.firstPublishedAt()).toBe(at(4));
      expect(copy.refresh()).toBeUndefined(); // nothing more to read
    });
  });
}
