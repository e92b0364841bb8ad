import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadsOf } from "../../src/care/load-sources.ts";
import { careService } from "../../src/care/service.ts";
import { type DatabaseHandle, openMigratedDatabase } from "../../src/db/client.ts";
import { sqliteRoomDb } from "../../src/db/room-db-sqlite.ts";
import { membersStore } from "../../src/members/store.ts";
import { type RotaMember, rotationService } from "../../src/rotation/service.ts";

/** The care room on a real SQLite file: who may read a case, circles and their count, anonymous asks. */
describe("care service", () => {
  let dir: string;
  let file: string;
  let database: DatabaseHandle;
  let clock = new Date("2026-11-29T10:00:00Z");
  let care: ReturnType<typeof careService>;
  const names = new Map([
    ["m-ana", "Ana"],
    ["m-bea", "Bea"],
    ["m-cai", "Cai"],
    ["m-dan", "Dan"],
    ["m-eva", "Eva"],
  ]);

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "care-"));
    file = join(dir, "pod.sqlite");
    database = openMigratedDatabase(file);
    clock = new Date("2026-11-29T10:00:00Z");
    care = careService(
      database.db,
      () => clock,
      () => "Europe/Madrid",
    );
  });
  afterEach(() => {
    database.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("a case is read by the people involved, its mediator and coordinators; anyone else gets nothing", () => {
    care.setVolunteer("m-cai", { facilitates: false, mediates: true });
    care.setVolunteer("m-ana", { facilitates: false, mediates: true });
    // Ana is involved, so the turn passes her over even though she volunteered first... she volunteered second.
    const turn = care.mediatorTurn(names, ["m-ana", "m-bea"]);
    expect(turn.id).toBe("m-cai");
    const opened = care.openCase("A quarrel over the van keys", ["m-ana", "m-bea"], turn.id);
    const as = (id: string, coordinator = false) => ({ id, coordinator });
    expect(care.caseFor(opened.id, as("m-ana"))?.involved.sort()).toEqual(["m-ana", "m-bea"]);
    expect(care.caseFor(opened.id, as("m-cai"))?.case.what).toBe("A quarrel over the van keys");
    expect(care.caseFor(opened.id, as("m-dan", true))).not.toBeNull();
    expect(care.caseFor(opened.id, as("m-eva"))).toBeNull();
    expect(care.casesFor(as("m-eva"))).toEqual([]);
    expect(care.casesFor(as("m-bea")).map((c) => c.id)).toEqual([opened.id]);
    expect(care.addStep(opened.id, as("m-eva"), "2026-11-29", "sneaking in")).toBe(false);
    expect(care.addStep(opened.id, as("m-bea"), "2026-11-29", "We talked.")).toBe(true);
    // Only the mediator or a coordinator records the outcome.
    expect(care.setOutcome(opened.id, as("m-bea"), "resolved", true)).toBe(false);
    expect(care.setOutcome(opened.id, as("m-cai"), "resolved", true)).toBe(true);
    // A coordinator may name another volunteer, never someone involved or someone who did not volunteer.
    expect(care.setMediator(opened.id, "m-ana", names)).toBe(false);
    expect(care.setMediator(opened.id, "m-eva", names)).toBe(false);
    expect(care.setMediator(opened.id, null, names)).toBe(true);
    expect(care.setMediator(opened.id, "m-cai", names)).toBe(true);
    // The next case's mediator is whoever mediated least recently.
    expect(care.mediatorTurn(names, [])).toMatchObject({ id: "m-ana", reason: { key: "first" } });
  });

  it("counts cases resolved without outside authorities per month they closed in, in the pod's time zone", () => {
    const coordinator = { id: "m-dan", coordinator: true };
    const close = (at: string, outcome: "resolved" | "referred", without: boolean) => {
      const c = care.openCase("x", ["m-ana"], null);
      clock = new Date(at);
      care.setOutcome(c.id, coordinator, outcome, without);
    };
    close("2026-10-31T23:30:00Z", "resolved", true); // 00:30 on 1 November in Madrid
    close("2026-11-10T10:00:00Z", "resolved", true);
    close("2026-11-11T10:00:00Z", "referred", false);
    close("2026-12-01T10:00:00Z", "resolved", false);
    close("2026-12-02T10:00:00Z", "closed" as "resolved", true);
    expect(care.resolvedWithoutAuthoritiesPerMonth()).toEqual([
      { month: "2026-11", count: 2 },
      { month: "2026-12", count: 1 },
    ]);
  });

  it("circles: facilitators take turns, attendance is a number, held circles are counted per month", () => {
    care.setVolunteer("m-bea", { facilitates: true, mediates: false });
    clock = new Date("2026-11-29T10:01:00Z");
    care.setVolunteer("m-ana", { facilitates: true, mediates: false });
    clock = new Date("2026-11-29T10:00:00Z");
    const circle = care.createCircle({
      kind: "decompression",
      rrule: "DTSTART:20261103T190000\nRRULE:FREQ=WEEKLY;BYDAY=TU",
      minutes: 90,
      theme: "",
      place: "",
    });
    // Four Tuesdays have passed this month (3, 10, 17, 24 Nov), waiting for their count.
    const waiting = care.toCount(names);
    expect(waiting.map((o) => o.at)).toEqual([
      "2026-11-03T18:00:00Z",
      "2026-11-10T18:00:00Z",
      "2026-11-17T18:00:00Z",
      "2026-11-24T18:00:00Z",
    ]);
    expect(waiting.map((o) => o.facilitator.id)).toEqual(["m-bea", "m-ana", "m-bea", "m-ana"]);
    expect(care.recordAttendance(circle.id, "2026-11-03T18:00:00Z", 6, "m-bea")).toBe(true);
    expect(care.recordAttendance(circle.id, "2026-11-03T18:00:00Z", 9, "m-bea")).toBe(false);
    // Not an occurrence, or in the future: refused.
    expect(care.recordAttendance(circle.id, "2026-11-04T18:00:00Z", 3, "m-ana")).toBe(false);
    expect(care.recordAttendance(circle.id, "2026-12-01T18:00:00Z", 3, "m-ana")).toBe(false);
    // Nobody came on the 10th: Ana's turn does not pass, she takes the 17th; then Bea, then Ana again.
    care.recordAttendance(circle.id, "2026-11-10T18:00:00Z", 0, "m-ana");
    expect(care.upcoming(names)[0]).toMatchObject({
      at: "2026-12-01T18:00:00Z",
      facilitator: { id: "m-ana", reason: { key: "longest", last: "2026-11-17T18:00:00Z", count: 2 } },
    });
    expect(care.toCount(names).map((o) => o.facilitator.id)).toEqual(["m-ana", "m-bea"]);
    care.recordAttendance(circle.id, "2026-11-17T18:00:00Z", 4, "m-ana");
    expect(care.circlesHeldPerMonth()).toEqual([{ month: "2026-11", count: 2 }]);
    care.endCircle(circle.id);
    expect(care.upcoming(names)).toEqual([]);
  });

  it("an anonymous ask stores the words and the week, and no column could point back to the asker", () => {
    care.askForCircle("Please, a circle after the eviction");
    const raw = new Database(file, { readonly: true });
    const columns = raw
      .prepare("select name from pragma_table_info('care_circle_requests')")
      .all()
      .map((c) => (c as { name: string }).name);
    const rows = raw.prepare("select * from care_circle_requests").all();
    raw.close();
    expect(columns.sort()).toEqual(["answered", "id", "text", "week"]);
    expect(rows).toEqual([
      {
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        text: "Please, a circle after the eviction",
        week: "2026-W48",
        answered: 0,
      },
    ]);
    // The id is random (UUID v4), not time-ordered: it carries no time either.
    expect((rows[0] as { id: string }).id[14]).toBe("4");
    expect(care.requestsThisWeek()).toBe(1);
  });

  it("load signals come from the rota's seats and the audit log's given-up seats", async () => {
    const rota = rotationService(
      sqliteRoomDb(database.sqlite),
      () => new Date("2026-10-04T10:00:00Z"),
      () => "Europe/Madrid",
    );
    const people: RotaMember[] = ["m-ana", "m-bea"].map((id) => ({ id, name: id, skills: "" }));
    for (const p of people) await rota.setBoundaries(p.id, { maxRisk: "high", declines: "", unavailable: "" });
    await rota.createRole({
      name: "cook",
      seats: 1,
      skills: "",
      risk: "low",
      tenureLimit: 9,
      period: "weekly",
      handbook: "",
    });
    await rota.generate(people, 9); // 2026-W41 .. W49
    await rota.publish();
    const anaSeats = await rota.mine("m-ana");
    const [given] = anaSeats.filter((s) => s.period === "2026-W49");
    await rota.giveUp(given!.id, "m-ana");
    const rooms = sqliteRoomDb(database.sqlite);
    const log = membersStore(rooms);
    await rooms.write(async (db) => {
      await log.audit(db, { at: "2026-11-29T20:00:00Z", memberId: "m-ana", action: "rota.giveUp", subject: given!.id });
      await log.audit(db, { at: "2026-11-29T20:00:00Z", memberId: "m-ana", action: "rota.take", subject: given!.id });
      // A busy pod's log: the give-up is still found behind many later entries (it once read only the newest 20,000).
      for (let i = 0; i < 25_000; i++)
        await log.audit(db, { at: "2026-11-29T21:00:00Z", memberId: "m-bea", action: "member.signin", subject: "" });
    });
    const loads = await loadsOf(["m-ana", "m-bea"], {
      rota,
      auditSince: (action, since) => rooms.read((db) => log.auditSince(db, action, since.toISOString())),
      now: new Date("2026-11-30T10:00:00Z"),
      timeZone: "Europe/Madrid",
      settings: care.settings(),
    });
    expect(loads.get("m-ana")).toMatchObject({ lateDropOuts: 1, withoutRest: 0 });
    expect(loads.get("m-bea")).toMatchObject({ lateDropOuts: 0 });
    // W42..W48 in the 8-week window (W41 is before it; Ana gave W49 up, so it is not hers to carry).
    expect(loads.get("m-ana")!.seatsRecent + loads.get("m-bea")!.seatsRecent).toBe(7);
  });
});
