import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openMigratedDatabase, type DatabaseHandle } from "../../src/db/client.ts";
import { type RotaMember, rotationService } from "../../src/rotation/service.ts";

/** The rotation room on a real SQLite file: generate, publish, give up and take seats, feed tokens. */
describe("rotation service", () => {
  let dir: string;
  let database: DatabaseHandle;
  let rota: ReturnType<typeof rotationService>;
  const clock = new Date("2026-11-29T10:00:00Z");
  const people: RotaMember[] = ["ana", "bea", "cai", "dan", "eva", "fer"].map((name) => ({
    id: `m-${name}`,
    name,
    skills: "driving",
  }));

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "rotation-"));
    database = openMigratedDatabase(join(dir, "pod.sqlite"));
    rota = rotationService(
      database.db,
      () => clock,
      () => "Europe/Madrid",
    );
    for (const p of people) rota.setBoundaries(p.id, { maxRisk: "high", declines: "", unavailable: "" });
  });
  afterEach(() => {
    database.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const driver = () =>
    rota.createRole({
      name: "driver",
      seats: 1,
      skills: "driving",
      risk: "medium",
      tenureLimit: 1,
      period: "weekly",
      handbook: "Keys in the box.",
    });

  it("proposes the four weeks after this one, then publishes them", () => {
    driver();
    const seats = rota.generate(people);
    expect(seats.map((s) => [s.period, s.memberId])).toEqual([
      ["2026-W49", "m-ana"],
      ["2026-W50", "m-bea"],
      ["2026-W51", "m-cai"],
      ["2026-W52", "m-dan"],
    ]);
    expect(rota.publish()).toBe(4);
    expect(rota.mine("m-bea").map((s) => s.period)).toEqual(["2026-W50"]);
    // Published periods are not proposed again.
    expect(rota.generate(people)).toEqual([]);
  });

  it("warns when a coordinator's pick breaks a rule", () => {
    const role = driver();
    rota.setBoundaries("m-fer", { maxRisk: "low", declines: "", unavailable: "" });
    rota.setBoundaries("m-eva", { maxRisk: "high", declines: role.id, unavailable: "" });
    const [first] = rota.generate(people);
    expect(rota.breaks(first!, people[5]!)).toBe("risk");
    expect(rota.breaks(first!, people[4]!)).toBe("declines");
    expect(rota.breaks(first!, people[1]!)).toBeNull();
  });

  it("two members accept a given-up seat at once: one takes it", async () => {
    driver();
    rota.generate(people);
    rota.publish();
    const [seat] = rota.mine("m-ana");
    expect(rota.giveUp(seat!.id, "m-ana")).toBe(true);
    // Eva and Fer hold no seat in W49: both may take it.
    const [eva, fer] = [people[4]!, people[5]!];
    expect(rota.offersFor(eva).map((s) => s.id)).toEqual([seat!.id]);
    const results = await Promise.all([
      Promise.resolve().then(() => rota.accept(seat!.id, eva)),
      Promise.resolve().then(() => rota.accept(seat!.id, fer)),
    ]);
    expect(results.filter(Boolean)).toHaveLength(1);
    const taken = rota.seat(seat!.id)!;
    expect(taken.status).toBe("published");
    expect([eva.id, fer.id]).toContain(taken.memberId);
    expect(rota.accept(seat!.id, eva)).toBe(false);
    expect(rota.unfilled()).toEqual([]);
  });

  it("a regenerated feed token replaces the old one", () => {
    const first = rota.regenerateFeedToken("m-ana");
    expect(rota.memberOfFeedToken(first)).toBe("m-ana");
    const second = rota.regenerateFeedToken("m-ana");
    expect(rota.memberOfFeedToken(first)).toBeNull();
    expect(rota.memberOfFeedToken(second)).toBe("m-ana");
    rota.revokeFeedToken("m-ana");
    expect(rota.memberOfFeedToken(second)).toBeNull();
  });

  it("a seat taken in a swap moves its handoffs to the new holder, and both sides confirm afresh", () => {
    driver();
    rota.generate(people);
    rota.publish();
    const pairs = () =>
      people
        .flatMap((p) => rota.handoffsOf(p.id))
        .filter((h, i, all) => all.findIndex((o) => o.id === h.id) === i)
        .sort((a, b) => a.period.localeCompare(b.period))
        .map((h) => [h.period, h.outgoingId, h.incomingId]);
    expect(pairs()).toEqual([
      ["2026-W50", "m-ana", "m-bea"],
      ["2026-W51", "m-bea", "m-cai"],
      ["2026-W52", "m-cai", "m-dan"],
    ]);
    const into = rota.handoffsOf("m-bea").find((h) => h.period === "2026-W50")!;
    expect(rota.planHandoff(into.id, "m-ana", "2026-12-06T17:30:00Z", "Kitchen")).toBe(true);
    expect(rota.confirmHandoff(into.id, "m-ana")).toBe(true);

    const [seat] = rota.mine("m-bea");
    expect(rota.giveUp(seat!.id, "m-bea")).toBe(true);
    expect(rota.accept(seat!.id, people[4]!)).toBe(true);

    expect(pairs()).toEqual([
      ["2026-W50", "m-ana", "m-eva"],
      ["2026-W51", "m-eva", "m-cai"],
      ["2026-W52", "m-cai", "m-dan"],
    ]);
    expect(rota.handoffsOf("m-bea")).toEqual([]);
    const moved = rota.handoffsOf("m-eva").find((h) => h.period === "2026-W50")!;
    // The same session, with its time and place, now with Eva; Ana's confirmation was for Bea.
    expect(moved).toMatchObject({ id: into.id, at: "2026-12-06T17:30:00Z", place: "Kitchen" });
    expect(moved.outgoingConfirmedAt).toBeNull();
    expect(moved.incomingConfirmedAt).toBeNull();
  });

  it("a member who completes a period as a shadow may hold the role alone from then on", () => {
    const role = driver();
    const learner: RotaMember = { id: "m-gil", name: "gil", skills: "" };
    rota.setBoundaries(learner.id, { maxRisk: "high", declines: "", unavailable: "" });
    const seats = rota.generate([...people.slice(0, 2), learner], 2);
    const shadow = seats.find((s) => s.shadow)!;
    expect(shadow).toMatchObject({ period: "2026-W49", memberId: "m-gil" });
    rota.publish();
    // Before the period ends nothing has grown.
    expect(rota.growSkills(new Date("2026-12-06T22:59:00Z"))).toBe(0);
    expect(rota.grownSkills("m-gil")).toEqual([]);
    // Midnight after Sunday 6 December in Madrid: the week is over.
    expect(rota.growSkills(new Date("2026-12-06T23:00:00Z"))).toBe(1);
    expect(rota.grownSkills("m-gil")).toMatchObject([{ roleId: role.id, seatId: shadow.id }]);
    expect(rota.growSkills(new Date("2026-12-08T00:00:00Z"))).toBe(0);
  });

  it("a shadow seat given up and never taken grows nothing", () => {
    driver();
    const learner: RotaMember = { id: "m-gil", name: "gil", skills: "" };
    rota.setBoundaries(learner.id, { maxRisk: "high", declines: "", unavailable: "" });
    const shadow = rota.generate([people[0]!, learner], 1).find((s) => s.shadow)!;
    rota.publish();
    expect(rota.giveUp(shadow.id, "m-gil")).toBe(true);
    expect(rota.growSkills(new Date("2027-01-01T00:00:00Z"))).toBe(0);
    expect(rota.grownSkills("m-gil")).toEqual([]);
  });
});
