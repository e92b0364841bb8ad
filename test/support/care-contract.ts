import { beforeEach, describe, expect, it } from "vitest";
import {
  careCasePeople,
  careCases,
  careCaseSteps,
  careCircleRequests,
  careCircleSessions,
  careCircles,
  careSettings,
  careVolunteers,
} from "../../src/care/schema.ts";
import { loadsOf } from "../../src/care/load-sources.ts";
import { type Case, type CareService, careService, TurnMoved } from "../../src/care/service.ts";
import type { RoomDb } from "../../src/db/room-db.ts";
import { auditLog } from "../../src/members/schema.ts";
import { membersStore } from "../../src/members/store.ts";
import { rotaBoundaries, rotaHandoffs, rotaRoles, rotaSeats } from "../../src/rotation/schema.ts";
import { rotationService } from "../../src/rotation/service.ts";

export interface CareDatabases {
  /** The pod's RoomDb. */
  rooms: () => RoomDb;
  /** Another process's RoomDb on the same database (its own connection). */
  another: () => RoomDb;
}

const TABLES = [
  careCaseSteps,
  careCasePeople,
  careCases,
  careCircleSessions,
  careCircles,
  careCircleRequests,
  careVolunteers,
  careSettings,
  auditLog,
  rotaHandoffs,
  rotaSeats,
  rotaRoles,
  rotaBoundaries,
];
const TUESDAYS = "DTSTART:20261103T190000\nRRULE:FREQ=WEEKLY;BYDAY=TU";

/**
 * The care room on both databases: test/integration/care-store.test.ts (SQLite) and test/postgres/care-store.test.ts.
 * Races run on two connections (two processes).
 */
export function describeCareContract(name: string, databases: CareDatabases): void {
  describe(`${name} (care room)`, () => {
    let clock = new Date("2026-11-29T10:00:00Z");
    const serviceOn = (rooms: RoomDb) =>
      careService(
        rooms,
        () => clock,
        () => "Europe/Madrid",
      );
    let care: CareService;
    let other: CareService;
    const names = new Map(["ana", "bea", "cai", "dan", "eva"].map((n) => [`m-${n}`, n[0]!.toUpperCase() + n.slice(1)]));
    const as = (id: string, coordinator = false) => ({ id, coordinator });
    const tuesdays = () =>
      care.createCircle({ kind: "decompression", rrule: TUESDAYS, minutes: 90, theme: "", place: "" });

    beforeEach(async () => {
      clock = new Date("2026-11-29T10:00:00Z");
      const rooms = databases.rooms();
      await rooms.write(async (db) => {
        for (const table of TABLES) await db.delete(rooms.table(table));
      });
      care = serviceOn(rooms);
      other = serviceOn(databases.another());
      // Connected before a race starts, so its writes overlap the pod's.
      await other.circles();
    });

    it("a case is read by the people involved, its mediator and coordinators; anyone else gets nothing", async () => {
      await care.setVolunteer("m-cai", { facilitates: false, mediates: true });
      clock = new Date("2026-11-29T10:01:00Z");
      await care.setVolunteer("m-ana", { facilitates: false, mediates: true });
      // Ana volunteered second and is involved: the turn is Cai's.
      const turn = await care.mediatorTurn(names, ["m-ana", "m-bea"]);
      expect(turn).toMatchObject({ id: "m-cai", reason: { key: "first" } });
      const opened = await care.openCase("A quarrel over the van keys", ["m-ana", "m-bea", "m-ana"], turn.id);
      expect((await care.caseFor(opened.id, as("m-ana")))?.involved.sort()).toEqual(["m-ana", "m-bea"]);
      expect((await care.caseFor(opened.id, as("m-cai")))?.case.what).toBe("A quarrel over the van keys");
      expect(await care.caseFor(opened.id, as("m-dan", true))).not.toBeNull();
      expect(await care.caseFor(opened.id, as("m-eva"))).toBeNull();
      expect(await care.casesFor(as("m-eva"))).toEqual([]);
      expect((await care.casesFor(as("m-bea"))).map((c) => c.id)).toEqual([opened.id]);
      expect((await care.casesFor(as("m-cai"))).map((c) => c.id)).toEqual([opened.id]);
      expect((await care.casesFor(as("m-eva", true))).map((c) => c.id)).toEqual([opened.id]);
      expect(await care.addStep(opened.id, as("m-eva"), "2026-11-29", "sneaking in")).toBe(false);
      expect(await care.addStep(opened.id, as("m-bea"), "2026-11-29", "We talked.")).toBe(true);
      expect(await care.addStep(opened.id, as("m-cai"), "2026-11-28", "First call.")).toBe(true);
      expect((await care.caseFor(opened.id, as("m-bea")))?.steps.map((s) => s.text)).toEqual([
        "First call.",
        "We talked.",
      ]);
      // Only the mediator or a coordinator records the outcome.
      expect(await care.setOutcome(opened.id, as("m-bea"), "resolved", true)).toBe(false);
      expect(await care.setOutcome(opened.id, as("m-cai"), "resolved", true)).toBe(true);
      expect((await care.caseFor(opened.id, as("m-bea")))?.case).toMatchObject({
        outcome: "resolved",
        withoutAuthorities: true,
      });
      // A coordinator may name another volunteer, never someone involved or someone who did not volunteer.
      expect(await care.setMediator(opened.id, "m-ana", names)).toBe(false);
      expect(await care.setMediator(opened.id, "m-eva", names)).toBe(false);
      expect(await care.setMediator(opened.id, null, names)).toBe(true);
      expect(await care.setMediator(opened.id, "m-cai", names)).toBe(true);
      // The next case's mediator is whoever mediated least recently.
      expect(await care.mediatorTurn(names, [])).toMatchObject({ id: "m-ana", reason: { key: "first" } });
    });

    it("unknown ids: nothing read, nothing written, nothing ended or counted", async () => {
      const nobody = as("m-dan", true);
      expect(await care.caseFor("nope", nobody)).toBeNull();
      expect(await care.addStep("nope", nobody, "2026-11-29", "x")).toBe(false);
      expect(await care.setOutcome("nope", nobody, "resolved", true)).toBe(false);
      expect(await care.setMediator("nope", null, names)).toBe(false);
      expect(await care.circle("nope")).toBeUndefined();
      expect(await care.endCircle("nope")).toBe(false);
      expect(await care.recordAttendance("nope", "2026-11-24T18:00:00Z", 3, null)).toBe(false);
      expect(await care.answerRequest("nope")).toBe(false);
      expect(await care.volunteer("m-nobody")).toBeNull();
      expect(await care.casesFor(nobody)).toEqual([]);
      expect(await care.settings()).toEqual({ windowWeeks: 8, busySeats: 6, restAfter: 4, lateHours: 48 });
    });

    it("a case whose people cannot be written is not opened at all (the write rolls back)", async () => {
      const broken = ["m-ana", null as unknown as string];
      await expect(care.openCase("half a case", broken, null)).rejects.toThrow();
      expect(await care.casesFor(as("m-dan", true))).toEqual([]);
      expect(await care.casesFor(as("m-ana"))).toEqual([]);
    });

    const perMonth = "counts cases resolved without outside authorities per month they closed in (the pod's zone)";
    it(perMonth, async () => {
      const coordinator = as("m-dan", true);
      const close = async (at: string, outcome: "resolved" | "referred", without: boolean) => {
        const c = await care.openCase("x", ["m-ana"], null);
        clock = new Date(at);
        await care.setOutcome(c.id, coordinator, outcome, without);
      };
      await close("2026-10-31T23:30:00Z", "resolved", true); // 00:30 on 1 November in Madrid
      await close("2026-11-10T10:00:00Z", "resolved", true);
      await close("2026-11-11T10:00:00Z", "referred", false);
      await close("2026-12-01T10:00:00Z", "resolved", false);
      await close("2026-12-02T10:00:00Z", "closed" as "resolved", true);
      expect(await care.resolvedWithoutAuthoritiesPerMonth()).toEqual([
        { month: "2026-11", count: 2 },
        { month: "2026-12", count: 1 },
      ]);
    });

    it("circles: facilitators take turns, attendance is a number, held circles are counted per month", async () => {
      await care.setVolunteer("m-bea", { facilitates: true, mediates: false });
      clock = new Date("2026-11-29T10:01:00Z");
      await care.setVolunteer("m-ana", { facilitates: true, mediates: false });
      clock = new Date("2026-11-29T10:00:00Z");
      expect((await care.facilitators(names)).map((v) => v.id)).toEqual(["m-bea", "m-ana"]);
      const circle = await tuesdays();
      expect((await care.circles()).map((c) => c.id)).toEqual([circle.id]);
      // Four Tuesdays have passed this month (3, 10, 17, 24 Nov), waiting for their count.
      const waiting = await care.toCount(names);
      expect(waiting.map((o) => o.at)).toEqual([
        "2026-11-03T18:00:00Z",
        "2026-11-10T18:00:00Z",
        "2026-11-17T18:00:00Z",
        "2026-11-24T18:00:00Z",
      ]);
      expect(waiting.map((o) => o.facilitator.id)).toEqual(["m-bea", "m-ana", "m-bea", "m-ana"]);
      expect(await care.recordAttendance(circle.id, "2026-11-03T18:00:00Z", 6, "m-bea")).toBe(true);
      expect(await care.recordAttendance(circle.id, "2026-11-03T18:00:00Z", 9, "m-bea")).toBe(false);
      // Not an occurrence, or in the future: refused.
      expect(await care.recordAttendance(circle.id, "2026-11-04T18:00:00Z", 3, "m-ana")).toBe(false);
      expect(await care.recordAttendance(circle.id, "2026-12-01T18:00:00Z", 3, "m-ana")).toBe(false);
      // Nobody came on the 10th: Ana's turn does not pass, she takes the 17th; then Bea, then Ana again.
      await care.recordAttendance(circle.id, "2026-11-10T18:00:00Z", 0, "m-ana");
      expect((await care.upcoming(names))[0]).toMatchObject({
        at: "2026-12-01T18:00:00Z",
        facilitator: { id: "m-ana", reason: { key: "longest", last: "2026-11-17T18:00:00Z", count: 2 } },
      });
      expect((await care.toCount(names)).map((o) => o.facilitator.id)).toEqual(["m-ana", "m-bea"]);
      await care.recordAttendance(circle.id, "2026-11-17T18:00:00Z", 4, "m-ana");
      // Counts only: a month and a number, nothing about who came or facilitated.
      expect(await care.circlesHeldPerMonth()).toEqual([{ month: "2026-11", count: 2 }]);
      expect(await care.endCircle(circle.id)).toBe(true);
      expect(await care.upcoming(names)).toEqual([]);
      expect(await care.circles()).toEqual([]);
    });

    it("an anonymous ask keeps the words and the week; answered asks leave the open list", async () => {
      await care.askForCircle("Please, a circle after the eviction");
      await other.askForCircle("Another one");
      expect(await care.requestsThisWeek()).toBe(2);
      const open = await care.openRequests();
      expect(open.map((r) => ({ ...r, id: "" })).sort((a, b) => a.text.localeCompare(b.text))).toEqual([
        { id: "", text: "Another one", week: "2026-W48", answered: false },
        { id: "", text: "Please, a circle after the eviction", week: "2026-W48", answered: false },
      ]);
      expect(await care.answerRequest(open[0]!.id)).toBe(true);
      expect((await other.openRequests()).map((r) => r.id)).toEqual([open[1]!.id]);
      // Next week's count starts again.
      clock = new Date("2026-12-07T10:00:00Z");
      expect(await care.requestsThisWeek()).toBe(0);
    });

    it("the week's cap on anonymous asks holds for asks sent at once from two processes", async () => {
      await care.askForCircle("a first ask", 5);
      const capped = await Promise.all(
        Array.from({ length: 8 }, (_, i) => (i % 2 ? other : care).askForCircle(`ask ${i}`, 5)),
      );
      expect(capped.filter(Boolean)).toHaveLength(4);
      expect(await care.requestsThisWeek()).toBe(5);
    });

    it("thresholds and volunteering are saved once per pod and per member, seen by every process", async () => {
      await care.saveSettings({ windowWeeks: 4, busySeats: 3, restAfter: 2, lateHours: 24 });
      await other.saveSettings({ windowWeeks: 6, busySeats: 3, restAfter: 2, lateHours: 24 });
      expect(await care.settings()).toEqual({ windowWeeks: 6, busySeats: 3, restAfter: 2, lateHours: 24 });
      await care.setVolunteer("m-ana", { facilitates: true, mediates: false });
      clock = new Date("2026-12-01T10:00:00Z");
      await other.setVolunteer("m-ana", { facilitates: false, mediates: true });
      // Changing what one offers keeps the day one first volunteered (the turn's tie-break).
      expect(await care.volunteer("m-ana")).toEqual({
        memberId: "m-ana",
        facilitates: false,
        mediates: true,
        since: "2026-11-29T10:00:00.000Z",
      });
      expect((await care.mediators(names)).map((v) => v.id)).toEqual(["m-ana"]);
      expect(await care.facilitators(names)).toEqual([]);
      // Only active members (the names given) take turns.
      expect(await care.mediators(new Map())).toEqual([]);
    });

    it("load signals come from the rota's published seats and the audit log's given-up seats", async () => {
      const rooms = databases.rooms();
      const rota = rotationService(
        rooms,
        () => new Date("2026-10-04T10:00:00Z"),
        () => "Europe/Madrid",
      );
      const people = ["m-ana", "m-bea"].map((id) => ({ id, name: id, skills: "" }));
      for (const p of people) await rota.setBoundaries(p.id, { maxRisk: "high", declines: "", unavailable: "" });
      const role = { seats: 1, skills: "", risk: "low" as const, period: "weekly" as const, handbook: "" };
      await rota.createRole({ name: "cook", tenureLimit: 9, ...role });
      await rota.generate(people, 9); // 2026-W41 .. W49
      await rota.publish();
      const [given] = (await rota.mine("m-ana")).filter((s) => s.period === "2026-W49");
      await rota.giveUp(given!.id, "m-ana");
      const log = membersStore(rooms);
      await rooms.write(async (db) => {
        // Given up on the Sunday evening before its week: a late drop-out.
        await log.audit(db, {
          at: "2026-11-29T20:00:00Z",
          memberId: "m-ana",
          action: "rota.giveUp",
          subject: given!.id,
        });
        await log.audit(db, { at: "2026-11-29T20:00:00Z", memberId: "m-bea", action: "rota.take", subject: given!.id });
      });
      await care.saveSettings({ windowWeeks: 8, busySeats: 3, restAfter: 4, lateHours: 48 });
      const loads = await loadsOf(["m-ana", "m-bea"], {
        rota,
        auditSince: (action, since) => rooms.read((db) => log.auditSince(db, action, since.toISOString())),
        now: new Date("2026-11-30T10:00:00Z"),
        timeZone: "Europe/Madrid",
        settings: await other.settings(),
      });
      expect(loads.get("m-ana")).toMatchObject({ lateDropOuts: 1, withoutRest: 0 });
      expect(loads.get("m-bea")).toMatchObject({ lateDropOuts: 0, withoutRest: 0 });
      // W42..W48 in the 8-week window (W41 is before it; Ana gave W49 up, so it is not hers to carry).
      const recent = [loads.get("m-ana")!.seatsRecent, loads.get("m-bea")!.seatsRecent];
      expect(recent[0]! + recent[1]!).toBe(7);
      expect(loads.get(recent[0]! >= 3 ? "m-ana" : "m-bea")!.reasons).toContain("busy");
    });

    it("two coordinators record one occurrence at once, in two processes: it is recorded once", async () => {
      await care.setVolunteer("m-ana", { facilitates: true, mediates: false });
      const circle = await tuesdays();
      const at = "2026-11-24T18:00:00Z";
      const results = await Promise.all([
        care.recordAttendance(circle.id, at, 5, "m-ana"),
        other.recordAttendance(circle.id, at, 7, "m-ana"),
        care.recordAttendance(circle.id, at, 6, "m-ana"),
        other.recordAttendance(circle.id, at, 8, "m-ana"),
      ]);
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await care.circlesHeldPerMonth()).toEqual([{ month: "2026-11", count: 1 }]);
      expect((await care.toCount(names)).map((o) => o.at)).not.toContain(at);
    });

    it("two coordinators end one circle at once, in two processes: one ends it", async () => {
      const circle = await tuesdays();
      const results = await Promise.all([care.endCircle(circle.id), other.endCircle(circle.id)]);
      expect(results.sort()).toEqual([false, true]);
      expect(await other.circles()).toEqual([]);
    });

    const turns =
      "cases opened at once in two processes, each naming the turn it was shown: one takes it, the others are refused";
    it(turns, async () => {
      for (const id of ["m-ana", "m-bea", "m-cai"]) await care.setVolunteer(id, { facilitates: false, mediates: true });
      const shown = await care.mediatorTurn(names, ["m-dan"]);
      expect(shown.id).toBe("m-ana");
      const turn = { turnOf: shown.id!, among: names };
      const opened = await Promise.allSettled([
        care.openCase("one", ["m-dan"], turn),
        other.openCase("two", ["m-dan"], turn),
        care.openCase("three", ["m-eva"], turn),
      ]);
      expect(opened.map((o) => o.status).sort()).toEqual(["fulfilled", "rejected", "rejected"]);
      const taken = opened.find((o) => o.status === "fulfilled") as PromiseFulfilledResult<Case>;
      expect(taken.value.mediatorId).toBe("m-ana");
      for (const refused of opened.filter((o) => o.status === "rejected") as PromiseRejectedResult[]) {
        expect(refused.reason).toBeInstanceOf(TurnMoved);
        expect(refused.reason.turn.id).toBe("m-bea"); // what the form shows next
      }
      expect((await care.casesFor({ id: "m-coordinator", coordinator: true })).map((c) => c.what)).toHaveLength(1);
      // The turn shown now is taken; taking the turn never picks someone involved.
      const next = await other.openCase("four", ["m-dan"], { turnOf: "m-bea", among: names });
      expect(next.mediatorId).toBe("m-bea");
      const involved = await other.mediatorTurn(names, ["m-ana", "m-cai"]);
      expect(involved.id).toBe("m-bea");
    });
  });
}
