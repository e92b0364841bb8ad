import { eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import type { Config } from "../../src/config/schema.ts";
import type { RoomDb } from "../../src/db/room-db.ts";
import { events } from "../../src/events/schema.ts";
import { eventsStore } from "../../src/events/store.ts";
import { ProblemError } from "../../src/http/problem.ts";
import type { Offer, OfferInput } from "../../src/offers/model.ts";
import { claims, offers } from "../../src/offers/schema.ts";
import { offersStore } from "../../src/offers/store.ts";
import { offerWrites } from "../../src/offers/writes.ts";
import { tombstones } from "../../src/publishing/schema.ts";
import { tombstonesStore } from "../../src/publishing/tombstones.ts";

export interface OffersDatabases {
  /** The pod's RoomDb. */
  rooms: () => RoomDb;
  /** Another process's RoomDb on the same database (its own connection). */
  another: () => RoomDb;
}

const config = { url: new URL("https://pod.example/"), handle: "pod" } as Config;
const DAY = 86_400_000;
const statusOf = (error: unknown) => (error instanceof ProblemError ? error.problem.status : error);
const outcomes = (results: PromiseSettledResult<unknown>[]) =>
  results.map((r) => (r.status === "fulfilled" ? "taken" : statusOf(r.reason))).sort();

/**
 * The offers room (the pod's own offers and needs, their claims) on both databases: the store's reads and the very
 * writes the service makes (src/offers/writes.ts: the change, its event and tombstones in one RoomDb write).
 * test/integration/offers-store.test.ts (SQLite, two connections to one file where two processes race) and
 * test/postgres/offers-store.test.ts; the HTTP behaviour is test/integration/offers-api.test.ts.
 */
export function describeOffersContract(name: string, databases: OffersDatabases): void {
  describe(`${name} (offers room)`, () => {
    const now = new Date(Date.UTC(2026, 10, 1, 12));
    const at = (ms: number) => new Date(now.getTime() + ms);
    let rooms: RoomDb;
    /** The room's writes on a RoomDb, recording each change's event as the dispatcher would. */
    const writesOn = (on: RoomDb) =>
      offerWrites(on, config, (db, row, verb) =>
        eventsStore(on).recordWithin(db, "offer.changed", { row, verb }, `offer:${row.id}`, now),
      );
    const input = (extra: Partial<OfferInput> = {}): OfferInput => ({
      name: "Pumpkins",
      category: "food",
      quantity: 3000,
      unit: "kg",
      area: { name: "North garden", latitude: 40.41678, longitude: -3.70379 },
      ...extra,
    });
    const recorded = async () =>
      (await eventsStore(rooms).inOrder()).map((e) => JSON.parse(e.payload) as { row: Offer; verb: string });
    const row = async (id: string) =>
      (
        await rooms.read((db) =>
          db
            .select()
            .from(rooms.table(offers))
            .where(eq(rooms.table(offers).id, id)),
        )
      )[0]!;

    beforeEach(async () => {
      rooms = databases.rooms();
      await rooms.write(async (db) => {
        for (const table of [claims, offers, events, tombstones]) await db.delete(rooms.table(table));
      });
    });

    it("an offer is stored as given (a coarse point), found by its kind only, listed newest first", async () => {
      const writes = writesOn(rooms);
      const store = offersStore(rooms);
      const first = await writes.create("offer", input({ availableUntil: at(DAY).toISOString() }), now);
      expect(first).toMatchObject({
        kind: "offer",
        quantityMilli: 3000,
        availableMilli: 3000,
        latitude: 40.42,
        longitude: -3.7,
        status: "open",
        description: "",
        language: "en",
        availableUntil: at(DAY).toISOString(),
      });
      const need = await writes.create("need", input({ name: "Jars" }), at(1));
      expect(await store.find("offer", first.id)).toEqual(first);
      expect(await store.find("need", first.id)).toBeUndefined();
      expect(await store.find("offer", "no-such-id")).toBeUndefined();
      const second = await writes.create("offer", input({ name: "Apples" }), at(2));
      expect((await store.list("offer", { limit: 10 })).map((o) => o.name)).toEqual(["Apples", "Pumpkins"]);
      expect((await store.list("offer", { limit: 10, cursor: second.id })).map((o) => o.id)).toEqual([first.id]);
      expect(await store.list("need", { limit: 10, status: "open" })).toEqual([need]);
      expect(await store.list("need", { limit: 10, status: "claimed" })).toEqual([]);
      const verbs = (await recorded()).map((e) => `${e.verb}:${e.row.name}`);
      expect(verbs).toEqual(["create:Pumpkins", "create:Jars", "create:Apples"]);
    });

    it("an edit sets only what it names; a new quantity keeps what was claimed; below the claims is 400", async () => {
      const writes = writesOn(rooms);
      const offer = await writes.create("offer", input({ description: "Orange ones" }), now);
      await writes.claim("offer", offer.id, { neighbor: "Flat 2", quantity: 1000 }, at(1));
      const edited = await writes.update("offer", offer.id, { name: "Squash", quantity: 5000 }, at(2));
      expect(edited).toMatchObject({
        name: "Squash",
        description: "Orange ones",
        quantityMilli: 5000,
        availableMilli: 4000,
        status: "partly_claimed",
        updatedAt: at(2).toISOString(),
      });
      const below = writes.update("offer", offer.id, { name: "Gone", quantity: 500 }, at(3));
      expect(await below.catch((e: unknown) => e)).toMatchObject({ problem: { status: 400, field: "body.quantity" } });
      expect(await row(offer.id)).toEqual(edited);
      const dates = writes.update(
        "offer",
        offer.id,
        {
          availableFrom: at(DAY).toISOString(),
          availableUntil: at(DAY / 2).toISOString(),
        },
        at(3),
      );
      expect(await dates.catch((e: unknown) => e)).toMatchObject({ problem: { field: "body.availableUntil" } });
      const unknown = writes.update("need", offer.id, { name: "x" }, at(3));
      expect(statusOf(await unknown.catch((e: unknown) => e))).toBe(404);
      const verbs = (await recorded()).map((e) => e.verb);
      expect(verbs).toEqual(["create", "update", "update"]);
    });

    it("a claim takes from what is left; the last one closes it; refused claims leave nothing behind", async () => {
      const writes = writesOn(rooms);
      const store = offersStore(rooms);
      const offer = await writes.create("offer", input({ availableUntil: at(DAY).toISOString() }), now);
      const { offer: after, claim } = await writes.claim(
        "offer",
        offer.id,
        { neighbor: "Flat 2", quantity: 2000, note: "by noon" },
        at(1),
      );
      expect(after).toMatchObject({ availableMilli: 1000, status: "partly_claimed" });
      expect(claim).toMatchObject({ offerId: offer.id, neighbor: "Flat 2", quantityMilli: 2000, note: "by noon" });
      const tooMuch = writes.claim("offer", offer.id, { neighbor: "Flat 3", quantity: 1500 }, at(2));
      expect(await tooMuch.catch((e: unknown) => e)).toMatchObject({
        problem: { status: 400, field: "body.quantity" },
      });
      const last = await writes.claim("offer", offer.id, { neighbor: "Flat 4", quantity: 1000 }, at(3));
      expect(last.offer).toMatchObject({ availableMilli: 0, status: "claimed" });
      const more = writes.claim("offer", offer.id, { neighbor: "Flat 5", quantity: 1 }, at(4));
      expect(statusOf(await more.catch((e: unknown) => e))).toBe(400);
      const unknown = writes.claim("need", offer.id, { neighbor: "Flat 6", quantity: 1 }, at(4));
      expect(statusOf(await unknown.catch((e: unknown) => e))).toBe(404);

      const expiring = await writes.create("need", input({ availableUntil: at(DAY).toISOString() }), now);
      await writes.expireDue(at(2 * DAY));
      const late = writes.claim("need", expiring.id, { neighbor: "Flat 7", quantity: 1 }, at(2 * DAY));
      expect(await late.catch((e: unknown) => e)).toMatchObject({ problem: { status: 409 } });
      const withdrawn = await writes.create("offer", input(), now);
      await writes.withdraw("offer", withdrawn.id, at(1));
      const gone = writes.claim("offer", withdrawn.id, { neighbor: "Flat 8", quantity: 1 }, at(2));
      expect(statusOf(await gone.catch((e: unknown) => e))).toBe(409);

      expect((await store.claimsOf(offer.id)).map((c) => c.neighbor)).toEqual(["Flat 2", "Flat 4"]);
      expect(await store.claimsOf(expiring.id)).toEqual([]);
      expect(await store.claimsOf(withdrawn.id)).toEqual([]);
    });

    it("a withdrawal, its tombstones and its event commit together, once; a throw rolls all of it back", async () => {
      const writes = writesOn(rooms);
      const tombs = tombstonesStore(rooms);
      const offer = await writes.create("need", input(), now);
      const iri = `https://pod.example/needs/${offer.id}`;
      // The same write as writes.withdraw, failing at its end: nothing of it stays.
      const failing = rooms.write(async (db) => {
        await offersStore(rooms).withdrawWithin(db, "need", offer.id, at(1).toISOString());
        await tombs.recordWithin(db, [{ iri, formerType: "Proposal" }], at(1));
        await eventsStore(rooms).recordWithin(db, "offer.changed", { verb: "delete" }, iri, at(1));
        throw new Error("the change failed");
      });
      await expect(failing).rejects.toThrow("the change failed");
      expect(await tombs.find(iri)).toBeUndefined();
      expect((await row(offer.id)).status).toBe("open");
      expect((await recorded()).map((e) => e.verb)).toEqual(["create"]);

      const withdrawn = await writes.withdraw("need", offer.id, at(2));
      expect(withdrawn).toMatchObject({ status: "withdrawn", updatedAt: at(2).toISOString() });
      expect(await tombs.find(iri)).toMatchObject({ formerType: "Proposal" });
      expect(await tombs.find(`${iri}/note`)).toMatchObject({ formerType: "Note" });
      const again = writes.withdraw("need", offer.id, at(3));
      expect(statusOf(await again.catch((e: unknown) => e))).toBe(409);
      const edit = writes.update("need", offer.id, { name: "Back" }, at(3));
      expect(statusOf(await edit.catch((e: unknown) => e))).toBe(409);
      expect(statusOf(await writes.withdraw("offer", offer.id, at(3)).catch((e: unknown) => e))).toBe(404);
      expect((await recorded()).map((e) => e.verb)).toEqual(["create", "delete"]);
    });

    it("expiry marks live offers past their end, each with its Update, once; an edit may bring one back", async () => {
      const writes = writesOn(rooms);
      const due = await writes.create("offer", input({ availableUntil: at(DAY).toISOString() }), now);
      const later = await writes.create("need", input({ availableUntil: at(3 * DAY).toISOString() }), now);
      const endless = await writes.create("offer", input(), now);
      const gone = await writes.create("offer", input({ availableUntil: at(DAY).toISOString() }), now);
      await writes.withdraw("offer", gone.id, at(1));
      const taken = await writes.create("need", input({ quantity: 1000, availableUntil: at(DAY).toISOString() }), now);
      await writes.claim("need", taken.id, { neighbor: "Flat 2", quantity: 1000 }, at(1));

      expect((await writes.expireDue(at(DAY))).map((o) => o.id)).toEqual([due.id]);
      expect(await writes.expireDue(at(DAY))).toEqual([]);
      expect((await row(due.id)).status).toBe("expired");
      for (const id of [later.id, endless.id]) expect((await row(id)).status).toBe("open");
      expect((await row(gone.id)).status).toBe("withdrawn");
      expect((await row(taken.id)).status).toBe("claimed");
      const updates = (await recorded()).filter((e) => e.verb === "update" && e.row.status === "expired");
      expect(updates.map((e) => e.row.id)).toEqual([due.id]);

      const back = await writes.update("offer", due.id, { availableUntil: at(5 * DAY).toISOString() }, at(DAY + 1));
      expect(back.status).toBe("open");
    });

    it("the collection's pages, its count and the view's rows leave withdrawn ones out", async () => {
      const writes = writesOn(rooms);
      const store = offersStore(rooms);
      const made: Offer[] = [];
      for (let i = 0; i < 5; i++) made.push(await writes.create("offer", input({ name: `Offer ${i}` }), at(i)));
      await writes.create("need", input(), now);
      await writes.withdraw("offer", made[2]!.id, at(9));
      expect(await store.countPublished("offer")).toBe(4);
      expect(await store.countPublished("need")).toBe(1);
      const page = await store.publishedPage("offer", undefined, 3);
      expect(page.map((o) => o.name)).toEqual(["Offer 4", "Offer 3", "Offer 1"]);
      const next = await store.publishedPage("offer", page.at(-1)!.id, 3);
      expect(next.map((o) => o.name)).toEqual(["Offer 0"]);
      expect((await rooms.write((db) => store.allPublishedWithin(db))).length).toBe(5);
    });

    it("counts a month for the sovereignty report: given, claimed, needs met and unmet", async () => {
      const writes = writesOn(rooms);
      const store = offersStore(rooms);
      const month = { from: now.toISOString(), to: at(30 * DAY).toISOString() };
      const given = await writes.create("offer", input(), at(1));
      await writes.create("offer", input(), at(2));
      const withdrawn = await writes.create("offer", input(), at(3));
      await writes.withdraw("offer", withdrawn.id, at(4));
      await writes.create("offer", input(), at(-1)); // the month before
      const met = await writes.create("need", input(), at(5));
      await writes.create("need", input(), at(6));
      await writes.claim("offer", given.id, { neighbor: "a", quantity: 1 }, at(7));
      await writes.claim("offer", given.id, { neighbor: "b", quantity: 1 }, at(8));
      await writes.claim("need", met.id, { neighbor: "c", quantity: 1 }, at(9));
      expect(await store.countsBetween(month.from, month.to)).toEqual({
        offersGiven: 2,
        offersClaimed: 1,
        needsMet: 1,
        needsUnmet: 2,
      });
      expect(await store.countsBetween(month.to, at(60 * DAY).toISOString())).toEqual({
        offersGiven: 0,
        offersClaimed: 0,
        needsMet: 0,
        needsUnmet: 0,
      });
    });

    describe("two processes at once", () => {
      it("claims for the last units: exactly as many taken as there were, the offer closed once", async () => {
        const [here, there] = [writesOn(rooms), writesOn(databases.another())];
        const offer = await here.create("offer", input({ quantity: 3000 }), now);
        const results = await Promise.allSettled(
          Array.from({ length: 12 }, (_, i) =>
            (i % 2 ? there : here).claim("offer", offer.id, { neighbor: `Flat ${i}`, quantity: 1000 }, at(i + 1)),
          ),
        );
        expect(outcomes(results)).toEqual([...Array(9).fill(400), ...Array(3).fill("taken")]);
        expect(await row(offer.id)).toMatchObject({ availableMilli: 0, status: "claimed" });
        expect((await offersStore(rooms).claimsOf(offer.id)).length).toBe(3);
        const closed = (await recorded()).filter((e) => e.row.status === "claimed");
        expect(closed.length).toBe(1);
      });

      it("two withdrawals at once: one wins, one set of tombstones, one Delete recorded", async () => {
        const [here, there] = [writesOn(rooms), writesOn(databases.another())];
        const made = await Promise.all(Array.from({ length: 5 }, (_, i) => here.create("offer", input(), at(i))));
        for (const offer of made) {
          const results = await Promise.allSettled([
            here.withdraw("offer", offer.id, at(10)),
            there.withdraw("offer", offer.id, at(11)),
          ]);
          expect(outcomes(results)).toEqual([409, "taken"]);
        }
        const deletes = (await recorded()).filter((e) => e.verb === "delete");
        expect(deletes.length).toBe(5);
        const graves = await rooms.read((db) => db.select().from(rooms.table(tombstones)));
        expect(graves.length).toBe(10);
      });

      it("edits of the quantity while claims land: what is available stays the quantity less the claims", async () => {
        const [here, there] = [writesOn(rooms), writesOn(databases.another())];
        const offer = await here.create("offer", input({ quantity: 10_000 }), now);
        const results = await Promise.allSettled(
          Array.from({ length: 16 }, (_, i) =>
            i % 2
              ? there.claim("offer", offer.id, { neighbor: `Flat ${i}`, quantity: 1000 }, at(i + 1))
              : here.update("offer", offer.id, { quantity: 12_000 + (i % 4) * 1000 }, at(i + 1)),
          ),
        );
        expect(outcomes(results)).toEqual(Array(16).fill("taken"));
        const final = await row(offer.id);
        const claimed = (await offersStore(rooms).claimsOf(offer.id)).reduce((sum, c) => sum + c.quantityMilli, 0);
        expect(claimed).toBe(8000);
        expect(final.quantityMilli - final.availableMilli).toBe(claimed);
      });

      it("edits of different fields at once by two processes: both land", async () => {
        const [here, there] = [writesOn(rooms), writesOn(databases.another())];
        for (let i = 0; i < 10; i++) {
          const offer = await here.create("offer", input({ availableUntil: at(10 * DAY).toISOString() }), now);
          const [until, from] = [at(2 * DAY).toISOString(), at(DAY).toISOString()];
          const results = await Promise.allSettled([
            here.update("offer", offer.id, { availableUntil: until }, now),
            there.update("offer", offer.id, { availableFrom: from, name: "Bread, fresh" }, now),
          ]);
          expect(outcomes(results)).toEqual(["taken", "taken"]);
          expect(await row(offer.id)).toMatchObject({
            availableFrom: from,
            availableUntil: until,
            name: "Bread, fresh",
          });
        }
      });

      it("a start and an end each fine alone, set at once by two processes: one is refused, never both kept", async () => {
        const [here, there] = [writesOn(rooms), writesOn(databases.another())];
        for (let i = 0; i < 10; i++) {
          const ends = { availableFrom: at(DAY).toISOString(), availableUntil: at(10 * DAY).toISOString() };
          const offer = await here.create("offer", input(ends), now);
          const clash = await Promise.allSettled([
            here.update("offer", offer.id, { availableUntil: at(3 * DAY).toISOString() }, now),
            there.update("offer", offer.id, { availableFrom: at(5 * DAY).toISOString() }, now),
          ]);
          expect(outcomes(clash)).toEqual([400, "taken"]);
          const final = await row(offer.id);
          expect(Date.parse(final.availableUntil!)).toBeGreaterThan(Date.parse(final.availableFrom!));
        }
      });

      it("expiry on one process while the other moves the ends later: none with a later end is expired", async () => {
        const [here, there] = [writesOn(rooms), writesOn(databases.another())];
        const made = await Promise.all(
          Array.from({ length: 12 }, (_, i) =>
            here.create("offer", input({ availableUntil: at(DAY).toISOString() }), at(i)),
          ),
        );
        const sweep = at(DAY + 1);
        const results = await Promise.allSettled([
          ...made.map((offer) => there.update("offer", offer.id, { availableUntil: at(7 * DAY).toISOString() }, sweep)),
          ...Array.from({ length: 6 }, () => here.expireDue(sweep)),
        ]);
        expect(outcomes(results)).toEqual(Array(18).fill("taken"));
        for (const offer of made) {
          expect(await row(offer.id), offer.id).toMatchObject({
            availableUntil: at(7 * DAY).toISOString(),
            status: "open",
          });
        }
      });
    });
  });
}
