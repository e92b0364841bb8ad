import { describe, expect, it } from "vitest";
import type { Assembly, ContributionKind } from "../../src/assemblies/model.ts";
import {
  assemblies,
  assemblyContributions,
  assemblyParticipants,
  assemblyRatifications,
} from "../../src/assemblies/schema.ts";
import { assemblyAgendaDrafts, assemblyCrises, assemblyPledges } from "../../src/assemblies/schema-barter.ts";
import { assembliesStore } from "../../src/assemblies/store.ts";
import { barterStore, CLAIMING } from "../../src/assemblies/store-barter.ts";
import { ratificationsStore } from "../../src/assemblies/store-outcomes.ts";
import type { RoomDb } from "../../src/db/room-db.ts";
import { events } from "../../src/events/schema.ts";
import { eventsStore } from "../../src/events/store.ts";
import { ProblemError } from "../../src/http/problem.ts";

const POD = "https://pod.example/users/pod";
const B = "https://b.example/users/pod";
const C = "https://c.example/users/pod";
const now = new Date(Date.UTC(2026, 10, 1, 12));
const at = (minutes: number) => new Date(now.getTime() + minutes * 60_000).toISOString();

/**
 * The assemblies room's stores on both databases (test/integration/assemblies-store.test.ts and
 * test/postgres/assemblies-store.test.ts); the federated behaviour is test/e2e/assemblies*.test.ts and
 * test/integration/assemblies-security.test.ts.
 */
export function describeAssembliesContract(name: string, open: () => RoomDb): void {
  describe(`${name} (assemblies room)`, () => {
    const assembly = (id: string, fields: Partial<Assembly> = {}): Assembly => ({
      id,
      iri: `https://pod.example/assemblies/${id}`,
      inviteIri: `https://pod.example/assemblies/${id}#invite`,
      role: "convener",
      convenerIri: POD,
      convenerInbox: null,
      title: "Autumn assembly",
      startTime: at(60 * 24),
      endTime: null,
      timeZone: "America/Mexico_City",
      placeName: "Casa común",
      onlineUrl: null,
      agendaHtml: "<p>Ñandú</p>",
      answer: null,
      createdAt: now.toISOString(),
      visibility: "participants",
      minutesIri: null,
      minutesHtml: null,
      minutesPublicHtml: null,
      minutesNoteHtml: null,
      minutesAt: null,
      nextConvenerIri: null,
      ...fields,
    });
    const invited = (assemblyId: string, actorIri: string) => ({
      assemblyId,
      actorIri,
      inbox: `${actorIri}/inbox`,
      answer: "invited" as const,
      answeredAt: null,
    });
    const contribution = (
      assemblyId: string,
      iri: string,
      announcedAt: string | null,
      kind: ContributionKind = "report",
    ) => ({
      iri,
      assemblyId,
      authorIri: B,
      kind,
      contentHtml: "<p>We cooked 120 meals</p>",
      inReplyTo: null,
      publishedAt: at(1),
      announcedAt,
    });

    async function emptied() {
      const rooms = open();
      await rooms.write(async (db) => {
        const tables = [
          assemblies,
          assemblyParticipants,
          assemblyContributions,
          assemblyRatifications,
          assemblyAgendaDrafts,
          assemblyPledges,
          assemblyCrises,
          events,
        ];
        for (const table of tables) await db.delete(rooms.table(table));
      });
      return rooms;
    }
    const statusOf = (error: unknown) => (error instanceof ProblemError ? error.problem.status : error);

    it("minutes are published once: of two publications at once, one is kept and the other told so", async () => {
      const rooms = await emptied();
      const store = assembliesStore(rooms);
      await rooms.write((db) => store.insertWithin(db, assembly("m1"), []));
      const minutes = (html: string) => ({
        minutesIri: "https://pod.example/assemblies/m1/minutes",
        minutesHtml: html,
      });
      const runs = await Promise.all(
        ["<p>first</p>", "<p>second</p>"].map((html) =>
          rooms.write((db) => store.publishMinutesWithin(db, "m1", minutes(html))),
        ),
      );
      const kept = runs.filter((run) => run !== undefined);
      expect(kept).toHaveLength(1);
      expect((await store.get("m1")).minutesHtml).toBe(kept[0]!.minutesHtml);
    });

    it("an assembly is stored as given with its invited pods (each once, by IRI); unknown ids answer 404", async () => {
      const rooms = await emptied();
      const store = assembliesStore(rooms);
      const row = assembly("a1");
      const stored = await rooms.write((db) =>
        store.insertWithin(db, row, [invited("a1", C), invited("a1", B), invited("a1", C)]),
      );
      expect(stored).toEqual(row);
      expect(await store.get("a1")).toEqual(row);
      expect(await store.byIri(row.iri)).toEqual(row);
      expect(await store.byInviteIri(row.inviteIri)).toEqual(row);
      expect((await store.participants("a1")).map((p) => p.actorIri)).toEqual([B, C]);
      expect(await store.participant("a1", POD)).toBeUndefined();
      expect(await store.convenedAny(POD)).toBe(true);
      expect(await store.convenedAny(B)).toBe(false);
      expect(statusOf(await store.get("nothing").catch((error: unknown) => error))).toBe(404);
      const change = rooms.write((db) => store.changeWithin(db, "nothing", { title: "x" }));
      expect(statusOf(await change.catch((error: unknown) => error))).toBe(404);
      expect(await store.byIri("https://pod.example/assemblies/nothing")).toBeUndefined();
    });

    it("an Invite taken twice at once stores its assembly once, with the first's pods", async () => {
      const rooms = await emptied();
      const store = assembliesStore(rooms);
      const copy = (id: string, title: string) =>
        assembly(id, { role: "invited", iri: "https://b.example/events/1", inviteIri: "https://b.example/i/1", title });
      const [first, second] = await Promise.all([
        rooms.write((db) => store.insertWithin(db, copy("x1", "First"), [invited("x1", POD)])),
        rooms.write((db) => store.insertWithin(db, copy("x2", "Second"), [invited("x2", C)])),
      ]);
      expect([first?.title, second?.title].filter(Boolean)).toHaveLength(1);
      const kept = (await store.byIri("https://b.example/events/1"))!;
      expect(await store.list()).toEqual([kept]);
      expect((await store.participants(kept.id)).map((p) => p.assemblyId)).toEqual([kept.id]);
      expect(await store.participants(kept.id === "x1" ? "x2" : "x1")).toEqual([]);
    });

    it("lists the latest first; a change sets only the fields it names", async () => {
      const rooms = await emptied();
      const store = assembliesStore(rooms);
      await rooms.write(async (db) => {
        await store.insertWithin(db, assembly("early", { startTime: at(10) }), []);
        await store.insertWithin(db, assembly("late", { startTime: at(20) }), []);
      });
      expect((await store.list()).map((row) => row.id)).toEqual(["late", "early"]);
      const changed = await rooms.write((db) =>
        store.changeWithin(db, "early", { minutesHtml: "<p>done</p>", nextConvenerIri: B }),
      );
      expect(changed).toEqual({
        ...assembly("early", { startTime: at(10) }),
        minutesHtml: "<p>done</p>",
        nextConvenerIri: B,
      });
    });

    it("only a participant's answer is kept", async () => {
      const rooms = await emptied();
      const store = assembliesStore(rooms);
      await rooms.write((db) => store.insertWithin(db, assembly("a2"), [invited("a2", B)]));
      expect(await rooms.write((db) => store.answerWithin(db, "a2", B, "tentative", at(5)))).toBe(true);
      expect(await rooms.write((db) => store.answerWithin(db, "a2", C, "accepted", at(5)))).toBe(false);
      expect(await store.participants("a2")).toEqual([{ ...invited("a2", B), answer: "tentative", answeredAt: at(5) }]);
    });

    it("the record: announced contributions in the convener's order; an IRI enters once, in its assembly", async () => {
      const rooms = await emptied();
      const store = assembliesStore(rooms);
      await rooms.write(async (db) => {
        await store.insertWithin(db, assembly("a3"), []);
        await store.insertWithin(db, assembly("other"), []);
      });
      const add = (row: ReturnType<typeof contribution>) => rooms.write((db) => store.contributeWithin(db, row));
      expect(await add(contribution("a3", "https://b.example/c/2", at(3)))).toBe(true);
      expect(await add(contribution("a3", "https://b.example/c/1", at(3)))).toBe(true);
      expect(await add(contribution("a3", "https://b.example/c/0", at(2), "proposal"))).toBe(true);
      expect(await add(contribution("a3", "https://pod.example/c/own", null))).toBe(true);
      // A second copy (a retried Announce) changes nothing, whatever it says.
      expect(await add({ ...contribution("other", "https://b.example/c/1", at(9)), contentHtml: "<p>x</p>" })).toBe(
        false,
      );
      const iris = async () => (await store.record("a3")).map((row) => row.iri);
      expect(await iris()).toEqual(["https://b.example/c/0", "https://b.example/c/1", "https://b.example/c/2"]);
      expect((await store.record("a3", "proposal")).map((row) => row.iri)).toEqual(["https://b.example/c/0"]);
      const announce = (assemblyId: string, when: string) =>
        rooms.write((db) => store.markAnnouncedWithin(db, "https://pod.example/c/own", assemblyId, when));
      expect(await announce("other", at(4))).toBe(false);
      expect(await announce("a3", at(4))).toBe(true);
      expect(await announce("a3", at(8))).toBe(false);
      expect((await iris()).at(-1)).toBe("https://pod.example/c/own");
      expect((await store.contribution("https://pod.example/c/own"))?.announcedAt).toBe(at(4));
      expect(await store.contribution("https://pod.example/c/none")).toBeUndefined();
    });

    it("a contribution and the activity telling of it commit together, or not at all", async () => {
      const rooms = await emptied();
      const store = assembliesStore(rooms);
      const recorded = eventsStore(rooms);
      await rooms.write((db) => store.insertWithin(db, assembly("a4"), [invited("a4", B)]));
      const contribute = (fail: boolean) =>
        rooms.write(async (db) => {
          await store.contributeWithin(db, contribution("a4", "https://pod.example/c/4", at(1)));
          await store.answerWithin(db, "a4", B, "accepted", at(1));
          await recorded.recordWithin(db, "assembly.send", { to: [B] }, "https://pod.example/c/4", now);
          if (fail) throw new Error("the delivery could not be recorded");
        });
      await expect(contribute(true)).rejects.toThrow("the delivery could not be recorded");
      expect(await store.record("a4")).toEqual([]);
      expect((await store.participant("a4", B))?.answer).toBe("invited");
      expect(await recorded.inOrder()).toEqual([]);
      await contribute(false);
      expect((await store.record("a4")).map((row) => row.iri)).toEqual(["https://pod.example/c/4"]);
      const [event] = await recorded.inOrder();
      expect(event).toMatchObject({ kind: "assembly.send", orderingKey: "https://pod.example/c/4" });
    });

    it("an agenda redraft keeps the time it was published; publishing sets it", async () => {
      const rooms = await emptied();
      const store = barterStore(rooms);
      expect(await store.draft("a5")).toBeUndefined();
      expect(await store.redraft("a5", "### One", at(1))).toEqual({
        assemblyId: "a5",
        markdown: "### One",
        draftedAt: at(1),
        publishedAt: null,
      });
      await rooms.write((db) => store.publishedWithin(db, "a5", "### Two", at(2)));
      expect(await store.redraft("a5", "### Three", at(3))).toEqual({
        assemblyId: "a5",
        markdown: "### Three",
        draftedAt: at(3),
        publishedAt: at(2),
      });
    });

    it("a pledge is taken for its claim once, even by two runs at once, and confirmed once", async () => {
      const rooms = await emptied();
      const store = barterStore(rooms);
      const pledge = {
        iri: "https://b.example/c/pledge",
        assemblyId: "a6",
        proposerIri: B,
        giverIri: POD,
        receiverIri: B,
        offerIri: "https://pod.example/offers/1",
        offerName: "Flour",
        quantityMilli: 5000,
        unit: "kg",
        due: "2026-11-20",
        state: "proposed" as const,
        confirmationIri: null,
        confirmedAt: null,
        claimId: null,
        createdAt: at(1),
      };
      await store.addPledge(pledge);
      await store.addPledge({ ...pledge, quantityMilli: 9_000_000 });
      expect(await store.pledges("a6")).toEqual([pledge]);
      const takes = await Promise.all([store.takeForClaim(pledge.iri), store.takeForClaim(pledge.iri)]);
      expect(takes.sort()).toEqual([false, true]);
      expect((await store.pledge(pledge.iri))?.claimId).toBe(CLAIMING);
      await store.setClaim(pledge.iri, null);
      expect(await store.takeForClaim(pledge.iri)).toBe(true);
      await store.setClaim(pledge.iri, "claim-1");
      const confirms = await Promise.all([
        store.confirmPledge(pledge.iri, "https://pod.example/c/yes", at(2)),
        store.confirmPledge(pledge.iri, "https://pod.example/c/again", at(3)),
      ]);
      expect(confirms.sort()).toEqual([false, true]);
      const confirmed = await store.pledge(pledge.iri);
      expect(confirmed).toMatchObject({ state: "confirmed", claimId: "claim-1" });
      expect(await store.pledgeConfirmedBy("a6", confirmed!.confirmationIri!)).toEqual(confirmed);
      expect(await store.pledgeConfirmedBy("other", confirmed!.confirmationIri!)).toBeUndefined();
      expect(await store.takeForClaim(pledge.iri)).toBe(false);
    });

    it("crisis threads: the agenda sees this assembly's open ones only; a thread closes once", async () => {
      const rooms = await emptied();
      const store = barterStore(rooms);
      const crisis = (iri: string, assemblyId: string, minute: number) => ({
        iri,
        assemblyId,
        openerIri: B,
        what: "Flooded kitchen",
        place: "Calle 5",
        needed: "Pumps",
        state: "open" as const,
        closingIri: null,
        closedAt: null,
        openedAt: at(minute),
      });
      await store.addCrisis(crisis("https://b.example/c/k2", "a7", 2));
      await store.addCrisis(crisis("https://b.example/c/k1", "a7", 1));
      await store.addCrisis(crisis("https://b.example/c/elsewhere", "private", 1));
      await store.addCrisis({ ...crisis("https://b.example/c/k1", "a7", 1), what: "changed" });
      expect((await store.openCrises("a7")).map((c) => c.iri)).toEqual([
        "https://b.example/c/k1",
        "https://b.example/c/k2",
      ]);
      expect((await store.crisis("https://b.example/c/k1"))?.what).toBe("Flooded kitchen");
      expect(await store.closeCrisis("https://b.example/c/k1", "https://b.example/c/close", at(5))).toBe(true);
      expect(await store.closeCrisis("https://b.example/c/k1", "https://b.example/c/late", at(6))).toBe(false);
      expect((await store.openCrises("a7")).map((c) => c.iri)).toEqual(["https://b.example/c/k2"]);
      expect((await store.crises("a7")).map((c) => c.state)).toEqual(["closed", "open"]);
      expect((await store.crisisClosedBy("a7", "https://b.example/c/close"))?.iri).toBe("https://b.example/c/k1");
      expect(await store.crisisClosedBy("a7", "https://b.example/c/late")).toBeUndefined();
    });

    it("a pod answers a proposal once; one run takes an abandoned answer over, and its decision is kept", async () => {
      const rooms = await emptied();
      const store = ratificationsStore(rooms);
      const answer = (iri: string, decidedAt: string) => ({
        iri,
        assemblyId: "a8",
        proposalIri: "https://b.example/c/proposal",
        actorIri: POD,
        answer: "adopted" as const,
        decisionId: null,
        decidedAt,
      });
      expect(await store.add(answer("https://pod.example/r/1", at(0)))).toBe(true);
      // Not a binding vote: a second answer by the same pod is refused, whatever its IRI.
      expect(await store.add(answer("https://pod.example/r/2", at(1)))).toBe(false);
      expect(await store.add(answer("https://pod.example/r/1", at(1)))).toBe(false);
      const left = (await store.answerOf("https://b.example/c/proposal", POD))!;
      expect(left).toEqual(answer("https://pod.example/r/1", at(0)));
      const retakes = await Promise.all([store.retake(left, "declined", at(2)), store.retake(left, "adopted", at(3))]);
      expect(retakes.sort()).toEqual([false, true]);
      const taken = (await store.get(left.iri))!;
      // The first run's decision is not kept: its answer was taken over.
      expect(await rooms.write((db) => store.decideWithin(db, left.iri, at(0), "decision-old"))).toBe(false);
      await store.release(left.iri, at(0));
      expect(await store.get(left.iri)).toEqual(taken);
      expect(await rooms.write((db) => store.decideWithin(db, left.iri, taken.decidedAt, "decision-1"))).toBe(true);
      expect((await store.ofAssembly("a8")).map((r) => r.decisionId)).toEqual(["decision-1"]);
      expect(await store.retake(taken, "declined", at(9))).toBe(false);
    });

    it("an answer whose decision could not be written is let go, and may be given again", async () => {
      const rooms = await emptied();
      const store = ratificationsStore(rooms);
      const values = {
        iri: "https://pod.example/r/9",
        assemblyId: "a9",
        proposalIri: "https://b.example/c/p9",
        actorIri: POD,
        answer: "declined" as const,
        decisionId: null,
        decidedAt: at(0),
      };
      expect(await store.add(values)).toBe(true);
      await store.release(values.iri, at(0));
      expect(await store.answerOf(values.proposalIri, POD)).toBeUndefined();
      expect(await store.add({ ...values, iri: "https://pod.example/r/10" })).toBe(true);
      expect(await store.ofAssembly("other")).toEqual([]);
    });
  });
}
