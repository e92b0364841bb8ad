import { describe, expect, it } from "vitest";
import type { RoomDb } from "../../src/db/room-db.ts";
import { events } from "../../src/events/schema.ts";
import { eventsStore } from "../../src/events/store.ts";
import { ProblemError } from "../../src/http/problem.ts";
import { practices } from "../../src/practices/schema.ts";
import { practicesStore } from "../../src/practices/store.ts";
import { tombstones } from "../../src/publishing/schema.ts";
import { tombstonesStore } from "../../src/publishing/tombstones.ts";

/**
 * The practices room's writes on both databases (test/integration/practices-store.test.ts and
 * test/postgres/practices-store.test.ts); the HTTP behaviour is test/integration/practices.test.ts.
 */
export function describePracticesContract(name: string, open: () => RoomDb): void {
  describe(`${name} (practices room writes)`, () => {
    const now = new Date(Date.UTC(2026, 10, 1, 12));
    const later = new Date(now.getTime() + 60_000).toISOString();
    const row = (id: string) => ({
      id,
      title: "Seed swap",
      summary: "Swap seeds in spring",
      body: "# How\n\nBring jars.",
      tags: ["seeds", "Ñandú_2"],
      problem: "",
      outcomes: "",
      language: "es",
      adaptedFrom: "https://other.example/practices/1",
      status: "published" as const,
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
    });

    async function emptied() {
      const rooms = open();
      await rooms.write(async (db) => {
        for (const table of [practices, events, tombstones]) await db.delete(rooms.table(table));
      });
      return rooms;
    }
    const statusOf = (error: unknown) => (error instanceof ProblemError ? error.problem.status : error);

    it("a practice is stored as given; a change sets only the fields it names", async () => {
      const rooms = await emptied();
      const store = practicesStore(rooms);
      const inserted = await rooms.write((db) => store.insertWithin(db, row("p1")));
      expect(inserted).toEqual(row("p1"));
      const changed = await rooms.write((db) =>
        store.changeWithin(db, "p1", { title: "Seed library", tags: ["library"], adaptedFrom: null, updatedAt: later }),
      );
      expect(changed).toEqual({
        ...row("p1"),
        title: "Seed library",
        tags: ["library"],
        adaptedFrom: null,
        updatedAt: later,
      });
      const kept = await rooms.write((db) => store.changeWithin(db, "p1", { summary: undefined, updatedAt: later }));
      expect(kept.summary).toBe("Swap seeds in spring");
      expect(kept.adaptedFrom).toBeNull();
    });

    it("the collection pages what is not withdrawn, newest first, and counts it; the view gets the published", async () => {
      const rooms = await emptied();
      const store = practicesStore(rooms);
      await rooms.write(async (db) => {
        for (const id of ["p1", "p2", "p3", "p4"]) await store.insertWithin(db, row(id));
        await store.changeWithin(db, "p3", { status: "withdrawn", updatedAt: later });
      });
      expect((await store.currentPage(undefined, 2)).map((p) => p.id)).toEqual(["p4", "p2"]);
      expect((await store.currentPage("p2", 2)).map((p) => p.id)).toEqual(["p1"]);
      expect(await store.countCurrent()).toBe(3);
      const published = await rooms.write((db) => store.allPublishedWithin(db));
      expect(published.map((p) => p.id).sort()).toEqual(["p1", "p2", "p4"]);
    });

    it("a withdrawn practice refuses changes (409), an unknown one answers 404", async () => {
      const rooms = await emptied();
      const store = practicesStore(rooms);
      await rooms.write((db) => store.insertWithin(db, row("p2")));
      const withdrawn = await rooms.write((db) =>
        store.changeWithin(db, "p2", { status: "withdrawn", updatedAt: later }),
      );
      expect(withdrawn.status).toBe("withdrawn");
      const again = rooms.write((db) => store.changeWithin(db, "p2", { title: "Back", updatedAt: later }));
      expect(statusOf(await again.catch((error: unknown) => error))).toBe(409);
      const unknown = rooms.write((db) => store.changeWithin(db, "nothing", { title: "x", updatedAt: later }));
      expect(statusOf(await unknown.catch((error: unknown) => error))).toBe(404);
      const [stored] = await rooms.read((db) => db.select().from(rooms.table(practices)));
      expect(stored).toMatchObject({ title: "Seed swap", status: "withdrawn" });
    });

    it("a withdrawal, its tombstones and its event commit together, or not at all", async () => {
      const rooms = await emptied();
      const store = practicesStore(rooms);
      const tombs = tombstonesStore(rooms);
      const recorded = eventsStore(rooms);
      const iri = "https://pod.example/practices/p3";
      const withdraw = (fail: boolean) =>
        rooms.write(async (db) => {
          const updated = await store.changeWithin(db, "p3", { status: "withdrawn", updatedAt: later });
          await tombs.recordWithin(db, [{ iri, formerType: "Article" }], now);
          await recorded.recordWithin(db, "practice.changed", { row: updated, verb: "delete" }, iri, now);
          if (fail) throw new Error("the change failed");
        });
      await rooms.write((db) => store.insertWithin(db, row("p3")));
      await expect(withdraw(true)).rejects.toThrow("the change failed");
      expect(await tombs.find(iri)).toBeUndefined();
      expect(await recorded.inOrder()).toEqual([]);
      const [still] = await rooms.read((db) => db.select().from(rooms.table(practices)));
      expect(still?.status).toBe("published");
      await withdraw(false);
      expect(await tombs.find(iri)).toMatchObject({ formerType: "Article" });
      const [event] = await recorded.inOrder();
      expect(JSON.parse(event!.payload)).toMatchObject({ verb: "delete", row: { id: "p3", status: "withdrawn" } });
    });
  });
}
