import { count, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { ViewRecord } from "../../src/confederation/from-as.ts";
import {
  neighborPods,
  receivedActivities,
  relayedObjects,
  viewDeletions,
  viewObjects,
  viewOwnObjects,
  viewPaths,
  viewServices,
} from "../../src/confederation/schema.ts";
import { type Receipt, viewStore } from "../../src/confederation/store.ts";
import { projectOwnObject, replaceOwnObjects } from "../../src/confederation/view-projection.ts";
import { groupedWrites } from "../../src/db/grouped-writes.ts";
import type { RoomDb } from "../../src/db/room-db.ts";
import { viewOfferRecord } from "./view-record.ts";

export interface ViewWritesDatabases {
  /** The pod's RoomDb. */
  rooms: () => RoomDb;
  /** Another process's RoomDb on the same database (its own connection or pool). */
  another: () => RoomDb;
}

let made = 0;

/**
 * The confederal view's writes (src/confederation/store.ts, view-projection.ts) on both databases:
 * test/integration/view-writes-store.test.ts (SQLite, a second connection to the file where two processes race)
 * and test/postgres/view-writes-store.test.ts. Races run as production runs them: the inbox's writes inside a
 * grouped write of each process.
 */
export function describeViewWritesContract(name: string, databases: ViewWritesDatabases): void {
  describe(`${name} (the confederal view's writes)`, () => {
    const at = new Date("2026-11-30T10:00:00.000Z");
    const later = (ms: number) => new Date(at.getTime() + ms);
    const host = () => `pod${++made}.example`;
    const podOf = (h: string) => `https://${h}/users/pod`;
    const record = (h: string, id: string, version: string, extra: Partial<ViewRecord> = {}): ViewRecord =>
      viewOfferRecord(`https://${h}/offers/${id}`, podOf(h), { name: `Bread ${version}`, version, ...extra });
    const V1 = "2026-11-01T00:00:00.000Z";
    const V2 = "2026-11-02T00:00:00.000Z";
    const direct = (r: ViewRecord, when = at) => ({ viaIri: r.podIri, at: when });

    const rowOf = async (rooms: RoomDb, iri: string) => {
      const t = rooms.table(viewObjects);
      const [row] = await rooms.read((db) => db.select().from(t).where(eq(t.iri, iri)));
      return row;
    };
    const pathsOf = async (rooms: RoomDb, iri: string) => {
      const t = rooms.table(viewPaths);
      return rooms.read((db) => db.select().from(t).where(eq(t.objectIri, iri)).orderBy(t.viaIri));
    };
    /** A process: its store, and its inbox's grouped write (each delivery in a savepoint of one transaction). */
    const processOn = (rooms: RoomDb) => ({ rooms, store: viewStore(rooms), grouped: groupedWrites(rooms) });
    /** Both processes, their pools warm (a cold pool's first connection would come too late to race). */
    const twoProcesses = async () => {
      const here = processOn(databases.rooms());
      const there = processOn(databases.another());
      await Promise.all([
        here.store.originOf("https://warm.example/x"),
        there.store.originOf("https://warm.example/x"),
      ]);
      return [here, there] as const;
    };
    const deliver = (p: ReturnType<typeof processOn>, r: ViewRecord, when = at) =>
      p.grouped((db) => p.store.upsertWithin(db, r, direct(r, when)));

    it("stores an object with its path and services; the same version again is unchanged, an older one ignored", async () => {
      const { rooms, store } = processOn(databases.rooms());
      const h = host();
      const services = [
        {
          iri: `https://${h}/charter#bread`,
          name: "Bread",
          categoryIri: null,
          status: "active" as const,
          target: null,
        },
        { iri: `https://${h}/charter#soup`, name: "Soup", categoryIri: null, status: "planned" as const, target: null },
      ];
      const charter = record(h, "charter", V1, { kind: "charter", services });
      const write = (r: ViewRecord, arrival: { viaIri: string; announceIri?: string; at: Date }) =>
        rooms.write((db) => store.upsertWithin(db, r, arrival));
      expect(await write(charter, direct(charter))).toBe("stored");
      expect(await write(charter, direct(charter, later(1)))).toBe("unchanged");
      const relay = podOf(host());
      const updated = { ...charter, name: "Charter v2", version: V2, services: services.slice(1) };
      expect(await write(updated, { viaIri: relay, announceIri: `${relay}#a`, at: later(2) })).toBe("stored");
      expect(await write(charter, direct(charter, later(3)))).toBe("unchanged");
      expect(await rowOf(rooms, charter.iri)).toMatchObject({ name: "Charter v2", version: V2, extra: "{}" });
      const s = rooms.table(viewServices);
      const kept = await rooms.read((db) => db.select().from(s).where(eq(s.charterIri, charter.iri)));
      expect(kept).toEqual([{ ...services[1], charterIri: charter.iri, podIri: charter.podIri }]);
      expect((await pathsOf(rooms, charter.iri)).map((p) => [p.viaIri, p.announceIri, p.receivedAt])).toEqual(
        [
          [charter.podIri, null, later(3).toISOString()],
          [relay, `${relay}#a`, later(2).toISOString()],
        ].sort((a, b) => a[0]!.localeCompare(b[0]!)),
      );
      expect(await store.originOf(charter.iri)).toBe(charter.podIri);
      expect(await store.originOf(`https://${h}/offers/none`)).toBeUndefined();
      // The same lookup inside the inbox's grouped write.
      const grouped = groupedWrites(rooms);
      expect(await grouped((db) => store.originWithin(db, charter.iri))).toBe(charter.podIri);
      expect(await grouped((db) => store.originWithin(db, `https://${h}/offers/none`))).toBeUndefined();
    });

    it("keeps another actor's object: neither its newer version nor a Delete from another host changes it", async () => {
      const { rooms, store } = processOn(databases.rooms());
      const h = host();
      const mine = record(h, "held", V1);
      await rooms.write((db) => store.upsertWithin(db, mine, direct(mine)));
      const other = { ...mine, podIri: `https://${h}/users/other`, version: V2, name: "Taken" };
      expect(await rooms.write((db) => store.upsertWithin(db, other, direct(other)))).toBe("unchanged");
      expect(await store.remove(mine.iri, podOf(host()), at)).toBe(false);
      expect(await rowOf(rooms, mine.iri)).toMatchObject({ podIri: mine.podIri, version: V1 });
      const d = rooms.table(viewDeletions);
      expect(await rooms.read((db) => db.select().from(d).where(eq(d.iri, mine.iri)))).toEqual([]);
      // The rightful actor reclaims it: the holder's row goes, without a deletion, and the actor's is stored.
      await store.release(mine.iri, mine.podIri);
      expect(await rooms.write((db) => store.upsertWithin(db, other, direct(other)))).toBe("stored");
      expect(await store.originOf(mine.iri)).toBe(other.podIri);
    });

    it("a deleted object stays deleted: its Create or Update arriving later stores nothing", async () => {
      const { rooms, store } = processOn(databases.rooms());
      const r = record(host(), "gone", V1);
      await rooms.write((db) => store.upsertWithin(db, r, direct(r)));
      expect(await store.remove(r.iri, r.podIri, at)).toBe(true);
      expect(await store.remove(r.iri, r.podIri, at)).toBe(false);
      expect(await rooms.write((db) => store.upsertWithin(db, { ...r, version: V2 }, direct(r)))).toBe("deleted");
      expect(await rowOf(rooms, r.iri)).toBeUndefined();
      expect(await pathsOf(rooms, r.iri)).toEqual([]);
      const d = rooms.table(viewDeletions);
      expect(await rooms.read((db) => db.select().from(d).where(eq(d.iri, r.iri)))).toEqual([
        { iri: r.iri, podIri: r.podIri, deletedAt: at.toISOString() },
      ]);
    });

    it("a pod leaves the view: its objects and paths go, relayed objects only it brought too, its name too", async () => {
      const { rooms, store } = processOn(databases.rooms());
      const [a, b] = [host(), host()];
      const own = record(a, "own", V1);
      const relayedByA = record(b, "relayed-only-by-a", V1);
      const alsoDirect = record(b, "also-direct", V1);
      await rooms.write(async (db) => {
        await store.upsertWithin(db, own, direct(own));
        await store.upsertWithin(db, relayedByA, { viaIri: podOf(a), announceIri: `${podOf(a)}#1`, at });
        await store.upsertWithin(db, alsoDirect, direct(alsoDirect));
        await store.upsertWithin(db, alsoDirect, { viaIri: podOf(a), announceIri: `${podOf(a)}#2`, at });
        await store.upsertNeighborPodWithin(db, { actorIri: podOf(a), name: "A", handle: null, url: null }, at);
      });
      expect(await store.removePod(podOf(a))).toBe(2);
      expect(await rowOf(rooms, own.iri)).toBeUndefined();
      expect(await rowOf(rooms, relayedByA.iri)).toBeUndefined();
      expect(await rowOf(rooms, alsoDirect.iri)).toBeDefined();
      expect((await pathsOf(rooms, alsoDirect.iri)).map((p) => p.viaIri)).toEqual([podOf(b)]);
      expect((await store.neighborPods()).map((p) => p.actorIri)).not.toContain(podOf(a));
    });

    it("a backfill prunes what its pod no longer lists, received before the read began, of the kinds read", async () => {
      const { rooms, store } = processOn(databases.rooms());
      const h = host();
      const readBegan = later(60_000);
      const write = (r: ViewRecord, when: Date) => rooms.write((db) => store.upsertWithin(db, r, direct(r, when)));
      const [listed, unlisted, practice] = [
        record(h, "listed", V1),
        record(h, "unlisted", V1),
        record(h, "practice", V1, { kind: "practice" }),
      ];
      for (const r of [listed, unlisted, practice]) await write(r, at);
      // Published and delivered after the backfill fetched a stream page that did not list it yet.
      const fresh = record(h, "fresh", V1);
      await write(fresh, later(61_000));
      const elsewhere = record(host(), "elsewhere", V1);
      await write(elsewhere, at);
      expect(await store.pruneUnlisted(podOf(h), new Set([listed.iri]), ["offer"], readBegan)).toBe(1);
      for (const [r, kept] of [
        [listed, true],
        [unlisted, false],
        [practice, true],
        [fresh, true],
        [elsewhere, true],
      ] as const) {
        expect([r.iri, (await rowOf(rooms, r.iri)) !== undefined]).toEqual([r.iri, kept]);
      }
      expect(await store.pruneUnlisted(podOf(h), new Set([listed.iri]), ["offer"], readBegan)).toBe(0);
    });

    it("keeps the inbox record: an activity once by its id; what is older than the cutoff goes", async () => {
      const { rooms, store } = processOn(databases.rooms());
      const h = host();
      const receipt = (id: string): Receipt => ({
        activityIri: `https://${h}/activities/${id}`,
        type: "Create",
        actorIri: podOf(h),
        objectIri: null,
        objectType: null,
      });
      expect(await rooms.write((db) => store.recordReceiptWithin(db, receipt("old"), true, at))).toBe(true);
      expect(await rooms.write((db) => store.recordReceiptWithin(db, receipt("old"), false, later(1)))).toBe(false);
      expect(await rooms.write((db) => store.recordReceiptWithin(db, receipt("new"), false, later(10)))).toBe(true);
      // An id another actor of the same origin sent first does not make this actor's activity seen.
      const squatted = { ...receipt("squatted"), actorIri: `https://${h}/users/mallory` };
      expect(await rooms.write((db) => store.recordReceiptWithin(db, squatted, false, later(10)))).toBe(true);
      expect(await rooms.write((db) => store.recordReceiptWithin(db, receipt("squatted"), true, later(10)))).toBe(true);
      const t = rooms.table(receivedActivities);
      const mine = async () =>
        rooms.read((db) =>
          db
            .select({ id: t.activityIri, followed: t.fromFollowed })
            .from(t)
            .where(eq(t.actorIri, podOf(h))),
        );
      expect(await mine()).toEqual([
        { id: receipt("old").activityIri, followed: true },
        { id: receipt("new").activityIri, followed: false },
      ]);
      // The operators' list: newest first, a page at a time by seq.
      const page = await store.receivedPage(undefined, 2);
      expect(page.map((r) => [r.activityIri, r.actorIri])).toEqual([
        [squatted.activityIri, squatted.actorIri],
        [receipt("new").activityIri, podOf(h)],
      ]);
      expect(typeof page[1]!.seq).toBe("number");
      expect((await store.receivedPage(page[1]!.seq, 1)).map((r) => r.activityIri)).toEqual([
        receipt("old").activityIri,
      ]);
      expect(await store.pruneReceived(later(5))).toBeGreaterThanOrEqual(1);
      expect((await mine()).map((r) => r.id)).toEqual([receipt("new").activityIri]);
    });

    it("puts this pod's own objects in the view, replaces them, and takes them out", async () => {
      const rooms = databases.rooms();
      const t = rooms.table(viewOwnObjects);
      const own = (id: string) => record("own.example", id, V1, { kind: "practice", extra: { tags: ["bread"] } });
      const iris = async () =>
        (await rooms.read((db) => db.select({ iri: t.iri }).from(t).where(eq(t.kind, "practice")))).map((r) => r.iri);
      await replaceOwnObjects(rooms, ["practice"], async () => [own("a"), own("b")]);
      await projectOwnObject(rooms, own("c").iri, own("c"));
      await projectOwnObject(rooms, own("a").iri, { ...own("a"), name: "Renamed" });
      await projectOwnObject(rooms, own("b").iri, null);
      expect((await iris()).sort()).toEqual([own("a").iri, own("c").iri]);
      const [a] = await rooms.read((db) =>
        db
          .select()
          .from(t)
          .where(eq(t.iri, own("a").iri)),
      );
      expect(a).toMatchObject({ name: "Renamed", extra: JSON.stringify({ tags: ["bread"] }) });
      await replaceOwnObjects(rooms, ["practice"], async () => [own("d")]);
      expect(await iris()).toEqual([own("d").iri]);
      await replaceOwnObjects(rooms, ["practice"], async () => []);
      expect(await iris()).toEqual([]);
    });

    it("a change another process projects while a rebuild runs lands after it, not under it", async () => {
      const rooms = databases.rooms();
      const other = databases.another();
      const t = rooms.table(viewOwnObjects);
      const own = (id: string) => record("own.example", id, V1, { kind: "practice" });
      await replaceOwnObjects(rooms, ["practice"], async () => []);
      await other.read((db) => db.select({ n: count() }).from(t)); // a warm pool, so the other process can race
      let entered!: () => void;
      const rebuilding = new Promise<void>((resolve) => (entered = resolve));
      // What the rebuild reads: "a". While it runs, another process publishes "x" and projects it.
      const rebuild = replaceOwnObjects(rooms, ["practice"], async (db) => {
        await db.select({ n: count() }).from(t);
        entered();
        // On PostgreSQL give the other write time to commit if nothing held it (on SQLite it runs after this
        // write, which may not wait on anything but the database).
        if (rooms.dialect === "postgres") await new Promise((resolve) => setTimeout(resolve, 300));
        return [own("a")];
      });
      await rebuilding;
      const projected = projectOwnObject(other, own("x").iri, own("x"));
      await Promise.all([rebuild, projected]);
      const iris = await rooms.read((db) => db.select({ iri: t.iri }).from(t).where(eq(t.kind, "practice")));
      expect(iris.map((r) => r.iri).sort()).toEqual([own("a").iri, own("x").iri]);
    });

    describe("two processes at once", () => {
      it("the same object delivered to both at once: one row, stored once, unchanged the other time", async () => {
        const [here, there] = await twoProcesses();
        for (let i = 0; i < 8; i++) {
          const r = record(host(), "twice", V1);
          const results = await Promise.all([deliver(here, r), deliver(there, r)]);
          expect(results.sort()).toEqual(["stored", "unchanged"]);
          expect((await pathsOf(here.rooms, r.iri)).length).toBe(1);
        }
      });

      it("an older version never replaces a newer one, whichever commits last", async () => {
        const [here, there] = await twoProcesses();
        for (let i = 0; i < 10; i++) {
          const h = host();
          const [older, newer] = [record(h, "versions", V1), record(h, "versions", V2, { name: "Newer" })];
          await Promise.all(
            i % 2 ? [deliver(here, newer), deliver(there, older)] : [deliver(here, older), deliver(there, newer)],
          );
          expect(await rowOf(here.rooms, newer.iri)).toMatchObject({ version: V2, name: "Newer" });
        }
      });

      it("a Delete racing an Update: the object stays deleted", async () => {
        const [here, there] = await twoProcesses();
        for (let i = 0; i < 10; i++) {
          const r = record(host(), "deleted", V1);
          await deliver(here, r);
          const update = { ...r, version: V2 };
          await Promise.all(
            i % 2
              ? [deliver(here, update), there.store.remove(r.iri, r.podIri, at)]
              : [there.store.remove(r.iri, r.podIri, at), deliver(here, update)],
          );
          expect(await rowOf(here.rooms, r.iri)).toBeUndefined();
        }
      });

      it("a Create racing a Delete of a new object: the object never appears after its Delete", async () => {
        const [here, there] = await twoProcesses();
        for (let i = 0; i < 10; i++) {
          const r = record(host(), "created-and-deleted", V1);
          await Promise.all([deliver(here, r), there.store.remove(r.iri, r.podIri, at)]);
          expect(await rowOf(here.rooms, r.iri)).toBeUndefined();
        }
      });

      it("an activity delivered to both at once is taken once: its object stored by one of them", async () => {
        const [here, there] = await twoProcesses();
        const h = host();
        const r = record(h, "one-activity", V1);
        const receipt: Receipt = {
          activityIri: `https://${h}/activities/1`,
          type: "Create",
          actorIri: r.podIri,
          objectIri: r.iri,
          objectType: "Proposal",
        };
        // As the inbox's ingest does: the receipt first, the object only when the receipt was new.
        const take = (p: ReturnType<typeof processOn>) =>
          p.grouped(async (db) =>
            (await p.store.recordReceiptWithin(db, receipt, true, at))
              ? p.store.upsertWithin(db, r, direct(r))
              : "seen",
          );
        const results = await Promise.all([take(here), take(there), take(here), take(there)]);
        expect(results.sort()).toEqual(["seen", "seen", "seen", "stored"]);
        const t = here.rooms.table(receivedActivities);
        const rows = await here.rooms.read((db) => db.select().from(t).where(eq(t.activityIri, receipt.activityIri)));
        expect(rows.length).toBe(1);
      });

      it("a neighbor pod remembered by both at once: one row, no error", async () => {
        const [here, there] = await twoProcesses();
        const h = host();
        const pod = (name: string) => ({ actorIri: podOf(h), name, handle: `@pod@${h}`, url: null });
        await Promise.all(
          Array.from({ length: 8 }, (_, i) => {
            const p = i % 2 ? here : there;
            return p.grouped((db) => p.store.upsertNeighborPodWithin(db, pod(`Pod ${i}`), later(i)));
          }),
        );
        const t = here.rooms.table(neighborPods);
        const rows = await here.rooms.read((db) =>
          db
            .select()
            .from(t)
            .where(eq(t.actorIri, podOf(h))),
        );
        expect(rows.length).toBe(1);
        expect(rows[0]!.name).toMatch(/^Pod \d$/);
      });

      it("a relay recorded by both at once: one row", async () => {
        const [here, there] = await twoProcesses();
        const h = host();
        const objectIri = `https://${h}/offers/relayed`;
        const row = (n: number) => ({
          objectIri,
          originIri: podOf(h),
          announceIri: `https://own.example/users/pod#announce/${n}`,
          createdAt: later(n).toISOString(),
        });
        await Promise.all(Array.from({ length: 6 }, (_, i) => (i % 2 ? here : there).store.recordRelay(row(i))));
        const t = here.rooms.table(relayedObjects);
        const rows = await here.rooms.read((db) => db.select().from(t).where(eq(t.objectIri, objectIri)));
        expect(rows.length).toBe(1);
        expect(await there.store.relayedOrigin(objectIri)).toBe(podOf(h));
        expect(await there.grouped((db) => there.store.relayedOriginWithin(db, objectIri))).toBe(podOf(h));
        expect(await there.grouped((db) => there.store.relayedOriginWithin(db, `${objectIri}/none`))).toBeUndefined();
        await here.store.renewRelay(objectIri, "https://own.example/users/pod#announce/renewed");
        const [renewed] = await there.rooms.read((db) => db.select().from(t).where(eq(t.objectIri, objectIri)));
        expect(renewed!.announceIri).toBe("https://own.example/users/pod#announce/renewed");
      });
    });
  });
}
