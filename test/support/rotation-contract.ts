import { beforeEach, describe, expect, it } from "vitest";
import type { RoomDb } from "../../src/db/room-db.ts";
import {
  rotaBoundaries,
  rotaFeedTokens,
  rotaGrownSkills,
  rotaHandoffs,
  rotaReminders,
  rotaRoles,
  rotaSeats,
  rotaSettings,
} from "../../src/rotation/schema.ts";
import { type RotaMember, rotationService } from "../../src/rotation/service.ts";

export interface RotationDatabases {
  /** The pod's RoomDb. */
  rooms: () => RoomDb;
  /** Another process's RoomDb on the same database (its own connection). */
  another: () => RoomDb;
}

const TABLES = [rotaReminders, rotaGrownSkills, rotaHandoffs, rotaSeats, rotaRoles, rotaBoundaries, rotaFeedTokens];

/**
 * The rotation room on both databases: test/integration/rotation-store.test.ts (SQLite) and
 * test/postgres/rotation-store.test.ts. Races run on two connections (two processes) where it matters.
 */
export function describeRotationContract(name: string, databases: RotationDatabases): void {
  describe(`${name} (rotation room)`, () => {
    const clock = new Date("2026-11-29T10:00:00Z");
    const serviceOn = (rooms: RoomDb) =>
      rotationService(
        rooms,
        () => clock,
        () => "Europe/Madrid",
      );
    let rota: ReturnType<typeof rotationService>;
    let other: ReturnType<typeof rotationService>;
    const people: RotaMember[] = ["ana", "bea", "cai", "dan", "eva", "fer"].map((name) => ({
      id: `m-${name}`,
      name,
      skills: "driving",
    }));

    beforeEach(async () => {
      const rooms = databases.rooms();
      await rooms.write(async (db) => {
        for (const table of [...TABLES, rotaSettings]) await db.delete(rooms.table(table));
      });
      rota = serviceOn(rooms);
      other = serviceOn(databases.another());
      // Connected before a race starts, so its writes overlap the pod's.
      await other.roles();
      for (const p of people) await rota.setBoundaries(p.id, { maxRisk: "high", declines: "", unavailable: "" });
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
    const published = async () => {
      await driver();
      await rota.generate(people);
      await rota.publish();
    };

    it("proposes the four weeks after this one, then publishes them", async () => {
      await driver();
      const seats = await rota.generate(people);
      expect(seats.map((s) => [s.period, s.memberId])).toEqual([
        ["2026-W49", "m-ana"],
        ["2026-W50", "m-bea"],
        ["2026-W51", "m-cai"],
        ["2026-W52", "m-dan"],
      ]);
      expect((await rota.proposed()).map((s) => s.id)).toEqual(seats.map((s) => s.id));
      expect(await rota.publish()).toBe(4);
      expect((await rota.mine("m-bea")).map((s) => s.period)).toEqual(["2026-W50"]);
      // Published periods are not proposed again.
      expect(await rota.generate(people)).toEqual([]);
    });

    it("two processes generate at once: one proposal stands, not both", async () => {
      await driver();
      await Promise.all([rota.generate(people), other.generate(people), rota.generate(people), other.generate(people)]);
      const proposed = await rota.proposed();
      expect(proposed.map((s) => s.period)).toEqual(["2026-W49", "2026-W50", "2026-W51", "2026-W52"]);
      // Two publishes at once publish it once, and schedule each handoff once.
      const counts = await Promise.all([rota.publish(), other.publish(), rota.publish(), other.publish()]);
      expect(counts.sort()).toEqual([0, 0, 0, 4]);
      expect((await rota.handoffsOf("m-bea")).map((h) => h.period)).toEqual(["2026-W50", "2026-W51"]);
    });

    it("warns when a coordinator's pick breaks a rule; a pick clears the generator's reason", async () => {
      const role = await driver();
      await rota.setBoundaries("m-fer", { maxRisk: "low", declines: "", unavailable: "" });
      await rota.setBoundaries("m-eva", { maxRisk: "high", declines: role.id, unavailable: "" });
      const [first] = await rota.generate(people);
      expect(await rota.breaks(first!, people[5]!)).toBe("risk");
      expect(await rota.breaks(first!, people[4]!)).toBe("declines");
      expect(await rota.breaks(first!, people[1]!)).toBeNull();
      await rota.assign(first!.id, "m-bea");
      expect(await rota.seat(first!.id)).toMatchObject({ memberId: "m-bea", reason: null });
    });

    it("unknown ids: no seat, no role, nothing planned or confirmed, nothing given up or taken", async () => {
      expect(await rota.seat("nope")).toBeUndefined();
      expect(await rota.role("nope")).toBeUndefined();
      expect(await rota.planHandoff("nope", "m-ana", null, "")).toBe(false);
      expect(await rota.confirmHandoff("nope", "m-ana")).toBe(false);
      expect(await rota.giveUp("nope", "m-ana")).toBe(false);
      expect(await rota.accept("nope", people[0]!)).toBe(false);
      expect(await rota.boundaries("m-nobody")).toMatchObject({ maxRisk: "low", declines: "" });
    });

    it("two members accept a given-up seat at once, in two processes: one takes it", async () => {
      await published();
      const [seat] = await rota.mine("m-ana");
      expect(await rota.giveUp(seat!.id, "m-ana")).toBe(true);
      expect(await rota.giveUp(seat!.id, "m-ana")).toBe(false);
      // Eva and Fer hold no seat in W49: both may take it.
      const [eva, fer] = [people[4]!, people[5]!];
      expect((await rota.offersFor(eva)).map((s) => s.id)).toEqual([seat!.id]);
      expect(await rota.unfilled()).toMatchObject([{ id: seat!.id }]);
      const results = await Promise.all([rota.accept(seat!.id, eva), other.accept(seat!.id, fer)]);
      expect(results.filter(Boolean)).toHaveLength(1);
      const taken = (await rota.seat(seat!.id))!;
      expect(taken.status).toBe("published");
      expect([eva.id, fer.id]).toContain(taken.memberId);
      expect(await rota.accept(seat!.id, eva)).toBe(false);
      expect(await rota.unfilled()).toEqual([]);
      // The handoff out of Ana's week moved to the taker, once.
      const out = await rota.handoffsOf(taken.memberId!);
      expect(out.map((h) => [h.period, h.outgoingId])).toEqual([["2026-W50", taken.memberId]]);
    });

    it("a regenerated feed token replaces the old one", async () => {
      const first = await rota.regenerateFeedToken("m-ana");
      expect(await rota.memberOfFeedToken(first)).toBe("m-ana");
      expect(await rota.hasFeedToken("m-ana")).toBe(true);
      const second = await rota.regenerateFeedToken("m-ana");
      expect(await rota.memberOfFeedToken(first)).toBeNull();
      expect(await rota.memberOfFeedToken(second)).toBe("m-ana");
      await rota.revokeFeedToken("m-ana");
      expect(await rota.memberOfFeedToken(second)).toBeNull();
      expect(await rota.hasFeedToken("m-ana")).toBe(false);
    });

    it("a seat taken in a swap moves its handoffs to the new holder, and both sides confirm afresh", async () => {
      await published();
      const pairs = async () =>
        (await Promise.all(people.map((p) => rota.handoffsOf(p.id))))
          .flat()
          .filter((h, i, all) => all.findIndex((o) => o.id === h.id) === i)
          .sort((a, b) => a.period.localeCompare(b.period))
          .map((h) => [h.period, h.outgoingId, h.incomingId]);
      expect(await pairs()).toEqual([
        ["2026-W50", "m-ana", "m-bea"],
        ["2026-W51", "m-bea", "m-cai"],
        ["2026-W52", "m-cai", "m-dan"],
      ]);
      expect(rota.holderChangesIn("2026-12")).toBe(3);
      const into = (await rota.handoffsOf("m-bea")).find((h) => h.period === "2026-W50")!;
      // Only its two sides plan or confirm it.
      expect(await rota.planHandoff(into.id, "m-eva", "2026-12-06T17:30:00Z", "Elsewhere")).toBe(false);
      expect(await rota.confirmHandoff(into.id, "m-eva")).toBe(false);
      expect(await rota.planHandoff(into.id, "m-ana", "2026-12-06T17:30:00Z", "Kitchen")).toBe(true);
      expect(await rota.confirmHandoff(into.id, "m-ana")).toBe(true);

      const [seat] = await rota.mine("m-bea");
      expect(await rota.giveUp(seat!.id, "m-bea")).toBe(true);
      expect(await rota.accept(seat!.id, people[4]!)).toBe(true);

      expect(await pairs()).toEqual([
        ["2026-W50", "m-ana", "m-eva"],
        ["2026-W51", "m-eva", "m-cai"],
        ["2026-W52", "m-cai", "m-dan"],
      ]);
      expect(await rota.handoffsOf("m-bea")).toEqual([]);
      const moved = (await rota.handoffsOf("m-eva")).find((h) => h.period === "2026-W50")!;
      // The same session, with its time and place, now with Eva; Ana's confirmation was for Bea.
      expect(moved).toMatchObject({ id: into.id, at: "2026-12-06T17:30:00Z", place: "Kitchen" });
      expect(moved.outgoingConfirmedAt).toBeNull();
      expect(moved.incomingConfirmedAt).toBeNull();
    });

    it("a member who completes a period as a shadow may hold the role alone from then on", async () => {
      const role = await driver();
      const learner: RotaMember = { id: "m-gil", name: "gil", skills: "" };
      await rota.setBoundaries(learner.id, { maxRisk: "high", declines: "", unavailable: "" });
      const seats = await rota.generate([...people.slice(0, 2), learner], 2);
      const shadow = seats.find((s) => s.shadow)!;
      expect(shadow).toMatchObject({ period: "2026-W49", memberId: "m-gil" });
      await rota.publish();
      // Before the period ends nothing has grown.
      expect(await rota.growSkills(new Date("2026-12-06T22:59:00Z"))).toBe(0);
      expect(await rota.grownSkills("m-gil")).toEqual([]);
      // Midnight after Sunday 6 December in Madrid: the week is over; two processes at once grow it once.
      const at = new Date("2026-12-06T23:00:00Z");
      expect((await Promise.all([rota.growSkills(at), other.growSkills(at)])).sort()).toEqual([0, 1]);
      expect(await rota.grownSkills("m-gil")).toMatchObject([{ roleId: role.id, seatId: shadow.id }]);
      expect(await rota.growSkills(new Date("2026-12-08T00:00:00Z"))).toBe(0);
    });

    it("a shadow seat given up and never taken grows nothing", async () => {
      await driver();
      const learner: RotaMember = { id: "m-gil", name: "gil", skills: "" };
      await rota.setBoundaries(learner.id, { maxRisk: "high", declines: "", unavailable: "" });
      const shadow = (await rota.generate([people[0]!, learner], 1)).find((s) => s.shadow)!;
      await rota.publish();
      expect(await rota.giveUp(shadow.id, "m-gil")).toBe(true);
      expect(await rota.growSkills(new Date("2027-01-01T00:00:00Z"))).toBe(0);
      expect(await rota.grownSkills("m-gil")).toEqual([]);
    });

    it("a reminder is claimed once across processes, and a released one can be claimed again", async () => {
      const key = { subjectId: "s-1", memberId: "m-ana", kind: "seat" as const };
      const at = clock.toISOString();
      expect((await Promise.all([rota.claimReminder(key, at), other.claimReminder(key, at)])).sort()).toEqual([
        false,
        true,
      ]);
      await other.releaseReminder(key);
      expect(await rota.claimReminder(key, at)).toBe(true);
    });

    it("the charter's public roles: a synchronous copy that follows this process's writes", async () => {
      await rota.load();
      expect(rota.publicRoles()).toEqual([]);
      const role = await driver();
      expect(rota.publicRoles()).toEqual([{ name: "driver", period: "weekly" }]);
      await rota.updateRole(role.id, { ...role, name: "night driver" });
      expect(rota.publicRoles()).toEqual([{ name: "night driver", period: "weekly" }]);
      await rota.setPublicRoles(false);
      expect(rota.publicRoles()).toEqual([]);
      expect((await rota.settings()).publicRoles).toBe(false);
      // Another process reads the database, not this one's copy.
      await other.load();
      expect(other.publicRoles()).toEqual([]);
      await rota.setPublicRoles(true);
      await other.load();
      expect(other.publicRoles()).toEqual([{ name: "night driver", period: "weekly" }]);
    });

    it("a write that throws leaves nothing behind", async () => {
      const rooms = databases.rooms();
      await expect(
        rooms.write(async (db) => {
          await db.insert(rooms.table(rotaBoundaries)).values({ memberId: "m-zed", maxRisk: "high" });
          throw new Error("after the insert");
        }),
      ).rejects.toThrow("after the insert");
      expect(await rota.boundaries("m-zed")).toMatchObject({ maxRisk: "low" });
    });
  });
}
