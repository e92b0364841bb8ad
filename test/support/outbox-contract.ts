import { Create, Delete, Note, PUBLIC_COLLECTION, Tombstone, Update } from "@fedify/vocab";
import { describe, expect, it } from "vitest";
import type { RoomDb } from "../../src/db/room-db.ts";
import { outboxStore } from "../../src/publishing/outbox.ts";
import { outboxActivities, tombstones } from "../../src/publishing/schema.ts";
import { tombstonesStore } from "../../src/publishing/tombstones.ts";

/**
 * The outbox's store on both databases (test/integration/outbox-store.test.ts, test/postgres/outbox-store.test.ts):
 * what servers copy into timelines must never show anything deleted, stale or not public.
 */
export function describeOutboxContract(name: string, open: () => RoomDb): void {
  describe(`${name} (the outbox)`, () => {
    const at = new Date(Date.UTC(2026, 10, 1, 12));
    const pod = "https://pod.example";
    const followers = new URL(`${pod}/users/pod/followers`);
    const note = (n: number, content: string) =>
      new Note({ id: new URL(`${pod}/notes/${n}`), content, to: PUBLIC_COLLECTION });
    const create = (n: number, content = `note ${n}`, to: URL = PUBLIC_COLLECTION) =>
      new Create({ id: new URL(`${pod}/notes/${n}#create`), object: note(n, content), tos: [to] });

    async function emptied() {
      const rooms = open();
      await rooms.write(async (db) => {
        await db.delete(rooms.table(outboxActivities));
        await db.delete(rooms.table(tombstones));
      });
      return { rooms, outbox: outboxStore(rooms) };
    }
    const ids = async (outbox: ReturnType<typeof outboxStore>, before?: number, limit = 50) =>
      (await outbox.page(before, limit)).map((row) => row.iri);

    it("lists public activities newest first, once each; followers-only ones never", async () => {
      const { outbox } = await emptied();
      await outbox.record(create(1), at);
      await outbox.record(create(2, "for followers", followers), at);
      await outbox.record(create(3), at);
      await outbox.record(create(3, "the same id again"), at);
      expect(await ids(outbox)).toEqual([`${pod}/notes/3#create`, `${pod}/notes/1#create`]);
      expect(await outbox.count()).toBe(2);
      const [row] = await outbox.page(undefined, 1);
      expect(JSON.parse(row!.json).object.content).toBe("note 3");
    });

    it("pages by sequence: each page goes on where the last one stopped", async () => {
      const { outbox } = await emptied();
      for (let n = 1; n <= 5; n++) await outbox.record(create(n), at);
      const first = await outbox.page(undefined, 2);
      const second = await outbox.page(first.at(-1)!.seq, 2);
      const third = await outbox.page(second.at(-1)!.seq, 2);
      expect([...first, ...second, ...third].map((r) => r.iri)).toEqual(
        [5, 4, 3, 2, 1].map((n) => `${pod}/notes/${n}#create`),
      );
      expect(typeof first[0]!.seq).toBe("number");
    });

    it("a deleted object's Create is left out (by its Delete or its tombstone); the Delete stays", async () => {
      const { rooms, outbox } = await emptied();
      await outbox.record(create(1), at);
      await outbox.record(create(2), at);
      await outbox.record(create(3), at);
      const gone = new Tombstone({ id: new URL(`${pod}/notes/1`) });
      await outbox.record(
        new Delete({ id: new URL(`${pod}/notes/1#delete`), object: gone, tos: [PUBLIC_COLLECTION] }),
        at,
      );
      await rooms.write((db) =>
        tombstonesStore(rooms).recordWithin(db, [{ iri: `${pod}/notes/2`, formerType: "Note" }], at),
      );
      expect(await ids(outbox)).toEqual([`${pod}/notes/1#delete`, `${pod}/notes/3#create`]);
      expect(await outbox.count()).toBe(2);
    });

    it("Updates are not listed; a Create reads with its object's newest Update", async () => {
      const { outbox } = await emptied();
      await outbox.record(create(1, "first words"), at);
      for (const [n, content] of [
        [1, "second words"],
        [2, "third words"],
      ] as const) {
        const update = new Update({
          id: new URL(`${pod}/notes/1#update-${n}`),
          object: note(1, content),
          tos: [PUBLIC_COLLECTION],
        });
        await outbox.record(update, at);
      }
      const rows = await outbox.page(undefined, 50);
      expect(rows.map((r) => r.iri)).toEqual([`${pod}/notes/1#create`]);
      const current = await outbox.current(rows[0]!);
      expect(current.id?.href).toBe(`${pod}/notes/1#create`);
      expect(((await current.getObject()) as Note).content?.toString()).toBe("third words");
    });
  });
}
