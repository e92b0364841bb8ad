import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { careService } from "../../src/care/service.ts";
import { roomsOf } from "../../src/db/room-db.ts";
import type { Member } from "../../src/members/model.ts";
import { reportLines } from "../../src/sovereignty/to-as.ts";
import { startInProcessPod, type InProcessPod } from "../support/in-process-pod.ts";

/**
 * The monthly report counts what the other practice rooms did in the month — seats that changed hands, circles
 * held, decisions and lessons recorded — read from those rooms, counts only.
 */
describe("the monthly report's practice counts", () => {
  let clock = new Date("2026-11-29T10:00:00Z");
  let pod: InProcessPod;
  const members: Member[] = [];
  const password = "a long enough password";

  beforeAll(async () => {
    pod = await startInProcessPod({ now: () => new Date(clock), env: { POD_TIME_ZONE: "Europe/Madrid" } });
    const m = pod.pod.members;
    members.push(await m.accept((await m.freshSetupSecret())!, { displayName: "Ana", username: "ana", password }));
    const { secret } = await m.invite(members[0]!, "member");
    members.push(await m.accept(secret, { displayName: "Bo", username: "bo", password }));
  }, 60_000);
  afterAll(async () => {
    await pod?.close();
  });

  it("December's report counts December's handoffs, circles held, published decisions and lessons, and says so", async () => {
    const { rotation, memory, sovereignty, deps } = pod.pod;
    // Two members, a tenure of one period: the role changes hands every week after 30 November's (2026-W49),
    // through the week of 4 January (2027-W01), which belongs to January.
    await rotation.createRole({
      name: "Driver",
      seats: 1,
      skills: "",
      risk: "low",
      tenureLimit: 1,
      period: "weekly",
      handbook: "",
    });
    for (const member of members)
      await rotation.setBoundaries(member.id, { maxRisk: "high", declines: "", unavailable: "" });
    await rotation.generate(
      members.map((member) => ({ id: member.id, name: member.displayName, skills: "" })),
      6,
    );
    await rotation.publish();
    const handoffs = await rotation.handoffsOf(members[0]!.id);
    const december = handoffs.filter((h) => ["2026-W50", "2026-W51", "2026-W52", "2026-W53"].includes(h.period));
    expect(december.length).toBeGreaterThan(0);
    expect(handoffs.length).toBeGreaterThan(december.length);

    await memory.create({
      kind: "decision",
      title: "November decision",
      summary: "Made in November.",
      visibility: "public",
    });
    clock = new Date("2026-12-02T10:00:00Z");
    await memory.create({
      kind: "decision",
      title: "Pantry hours",
      summary: "Open on Saturdays too.",
      visibility: "public",
    });
    await memory.create({
      kind: "lesson",
      title: "Cold chain",
      summary: "Keep the freezer log.",
      visibility: "public",
    });
    // Members-only entries stay inside the pod, even as a count in the public report.
    await memory.create({ kind: "decision", title: "Internal", summary: "Members only." });

    const care = careService(
      roomsOf(deps),
      () => new Date(clock),
      () => "Europe/Madrid",
    );
    await care.setVolunteer(members[0]!.id, { facilitates: true, mediates: false });
    const circle = await care.createCircle({
      kind: "decompression",
      rrule: "DTSTART:20261201T190000\nRRULE:FREQ=WEEKLY;BYDAY=TU",
      minutes: 90,
      theme: "",
      place: "",
    });
    expect(await care.recordAttendance(circle.id, "2026-12-01T18:00:00Z", 5, members[0]!.id)).toBe(true);

    clock = new Date("2027-01-02T12:00:00Z");
    const report = await sovereignty.draftFor(clock);
    expect(report.month).toBe("2026-12");
    expect(report.figures.practice).toEqual({
      rolesRotated: december.length,
      circlesHeld: 1,
      decisions: 1,
      lessons: 1,
    });
    expect(reportLines(report)).toContain(
      `Roles changed hands ${december.length} times; circles held: 1; decisions published: 1; lessons: 1.`,
    );
  });
});
