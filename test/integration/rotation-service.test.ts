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
});
