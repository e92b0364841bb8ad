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

/**
 * The care room on a real SQLite file: what an anonymous ask stores, and load signals from the rota and the audit
 * log. Cases, circles and races: the contract suite (test/support/care-contract.ts), on both databases.
 */
describe("care service", () => {
  let dir: string;
  let file: string;
  let database: DatabaseHandle;
  const clock = new Date("2026-11-29T10:00:00Z");
  let care: ReturnType<typeof careService>;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "care-"));
    file = join(dir, "pod.sqlite");
    database = openMigratedDatabase(file);
    care = careService(
      sqliteRoomDb(database.sqlite),
      () => clock,
      () => "Europe/Madrid",
    );
  });
  afterEach(() => {
    database.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("an anonymous ask stores the words and the week, and no column could point back to the asker", async () => {
    await care.askForCircle("Please, a circle after the eviction");
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
    expect(await care.requestsThisWeek()).toBe(1);
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
      settings: await care.settings(),
    });
    expect(loads.get("m-ana")).toMatchObject({ lateDropOuts: 1, withoutRest: 0 });
    expect(loads.get("m-bea")).toMatchObject({ lateDropOuts: 0 });
    // W42..W48 in the 8-week window (W41 is before it; Ana gave W49 up, so it is not hers to carry).
    expect(loads.get("m-ana")!.seatsRecent + loads.get("m-bea")!.seatsRecent).toBe(7);
  });
});
