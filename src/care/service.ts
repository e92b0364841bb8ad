import { randomUUID } from "node:crypto";
import { Temporal } from "@js-temporal/polyfill";
import { and, asc, count, desc, eq, gt, isNull } from "drizzle-orm";
import type { RoomDb, RoomQueries } from "../db/room-db.ts";
import { periodOf } from "../rotation/periods.ts";
import { casesStore } from "./cases.ts";
import { DEFAULT_LOAD_SETTINGS, type LoadSettings } from "./load.ts";
import { occurrences } from "./recurrence.ts";
import { careCircleRequests, careCircleSessions, careCircles, careSettings, careVolunteers } from "./schema.ts";
import { type Turn, turnsFor, type Volunteer } from "./turn.ts";

export { type Case, type CaseStep, type MediatorChoice, TurnMoved, type Viewer } from "./cases.ts";
export type Circle = typeof careCircles.$inferSelect;
export type CircleInput = Pick<Circle, "kind" | "rrule" | "minutes" | "theme" | "place">;
export type CircleRequest = typeof careCircleRequests.$inferSelect;
export type VolunteerRow = typeof careVolunteers.$inferSelect;

/** One occurrence of a circle, with whose turn it is to facilitate. */
export interface Occurrence {
  circle: Circle;
  at: string;
  facilitator: Turn;
}

const DAY = 86_400_000;
/** How far back unrecorded circles wait for their attendance. */
const LOOKBACK_DAYS = 56;

/** The care room: load thresholds, volunteers, circles and their attendance, anonymous asks, private cases. */
export function careService(rooms: RoomDb, now: () => Date, timeZone: () => string) {
  const settingsT = rooms.table(careSettings);
  const volunteerT = rooms.table(careVolunteers);
  const circleT = rooms.table(careCircles);
  const sessionT = rooms.table(careCircleSessions);
  const requestT = rooms.table(careCircleRequests);

  const local = (iso: string) => Temporal.Instant.from(iso).toZonedDateTimeISO(timeZone());
  const monthOf = (iso: string) => local(iso).toPlainDate().toString().slice(0, 7);
  const thisWeek = () => periodOf(local(now().toISOString()).toPlainDate(), "weekly");

  /** The volunteers among the active members `names` who facilitate (or mediate), who volunteered first first. */
  const poolIn = async (db: RoomQueries, names: Map<string, string>, which: "facilitates" | "mediates") =>
    (await db.select().from(volunteerT).orderBy(asc(volunteerT.since), asc(volunteerT.memberId)))
      .filter((v) => v[which] && names.has(v.memberId))
      .map((v): Volunteer => ({ id: v.memberId, name: names.get(v.memberId)!, since: v.since }));
  const activeCirclesIn = (db: RoomQueries) =>
    db.select().from(circleT).where(isNull(circleT.endedAt)).orderBy(asc(circleT.createdAt), asc(circleT.id));

  /** Unrecorded past occurrences and upcoming ones share the facilitators' turn, in time order. */
  async function withTurns(names: Map<string, string>, days: number): Promise<Occurrence[]> {
    const { recorded, active, facilitators } = await rooms.read(async (db) => ({
      recorded: await db.select().from(sessionT),
      active: await activeCirclesIn(db),
      facilitators: await poolIn(db, names, "facilitates"),
    }));
    const last = new Map<string, string>();
    for (const s of recorded) {
      if (s.facilitatorId && s.startsAt > (last.get(s.facilitatorId) ?? "")) last.set(s.facilitatorId, s.startsAt);
    }
    const done = new Set(recorded.map((s) => `${s.circleId} ${s.startsAt}`));
    const t = now().getTime();
    const [from, to] = [new Date(t - LOOKBACK_DAYS * DAY), new Date(t + days * DAY)];
    const open = active
      .flatMap((circle) => occurrences(circle.rrule, timeZone(), from, to).map((at) => ({ circle, at })))
      .sort((a, b) => a.at.localeCompare(b.at))
      .filter((o) => !done.has(`${o.circle.id} ${o.at}`));
    const turns = turnsFor(
      facilitators,
      last,
      open.map((o) => o.at),
    );
    return open.map((o, i) => ({ ...o, facilitator: turns[i]! }));
  }

  const cases = casesStore(rooms, now, (db, names) => poolIn(db, names, "mediates"));

  return {
    async settings(): Promise<LoadSettings> {
      const [row] = await rooms.read((db) =>
        db
          .select({
            windowWeeks: settingsT.windowWeeks,
            busySeats: settingsT.busySeats,
            restAfter: settingsT.restAfter,
            lateHours: settingsT.lateHours,
          })
          .from(settingsT)
          .where(eq(settingsT.id, 1)),
      );
      return row ?? { ...DEFAULT_LOAD_SETTINGS };
    },
    async saveSettings(input: LoadSettings): Promise<void> {
      await rooms.write((db) =>
        db
          .insert(settingsT)
          .values({ id: 1, ...input })
          .onConflictDoUpdate({ target: settingsT.id, set: input }),
      );
    },

    volunteer: async (memberId: string): Promise<VolunteerRow | null> =>
      (await rooms.read((db) => db.select().from(volunteerT).where(eq(volunteerT.memberId, memberId))))[0] ?? null,
    async setVolunteer(memberId: string, offer: { facilitates: boolean; mediates: boolean }): Promise<void> {
      await rooms.write((db) =>
        db
          .insert(volunteerT)
          .values({ memberId, ...offer, since: now().toISOString() })
          .onConflictDoUpdate({ target: volunteerT.memberId, set: offer }),
      );
    },
    facilitators: (names: Map<string, string>) => rooms.read((db) => poolIn(db, names, "facilitates")),
    mediators: (names: Map<string, string>) => rooms.read((db) => poolIn(db, names, "mediates")),

    circles: (): Promise<Circle[]> => rooms.read(activeCirclesIn),
    circle: async (id: string): Promise<Circle | undefined> =>
      (await rooms.read((db) => db.select().from(circleT).where(eq(circleT.id, id))))[0],
    async createCircle(input: CircleInput): Promise<Circle> {
      const row: Circle = { ...input, id: randomUUID(), createdAt: now().toISOString(), endedAt: null };
      await rooms.write((db) => db.insert(circleT).values(row));
      return row;
    },
    /** Ends an active circle; false if it is unknown or already ended (two ends at once: one ends it). */
    async endCircle(id: string): Promise<boolean> {
      const ended = await rooms.write((db) =>
        db
          .update(circleT)
          .set({ endedAt: now().toISOString() })
          .where(and(eq(circleT.id, id), isNull(circleT.endedAt)))
          .returning({ id: circleT.id }),
      );
      return ended.length === 1;
    },
    /** The next circles (within `days`), each with its facilitator's turn. */
    async upcoming(names: Map<string, string>, days = 60): Promise<Occurrence[]> {
      const t = now().toISOString();
      return (await withTurns(names, days)).filter((o) => o.at >= t);
    },
    /** Circles that have taken place and wait for their attendance. */
    async toCount(names: Map<string, string>): Promise<Occurrence[]> {
      const t = now().toISOString();
      return (await withTurns(names, 0)).filter((o) => o.at < t);
    },
    /**
     * How many came (a number, never who). Nobody came: the facilitator's turn does not move on. An occurrence is
     * recorded once (its unique index): of two coordinators recording it at once, in any processes, one does.
     */
    recordAttendance(circleId: string, startsAt: string, attendance: number, facilitatorId: string | null) {
      if (startsAt > now().toISOString()) return Promise.resolve(false);
      const from = new Date(Date.parse(startsAt) - 1000);
      const to = new Date(Date.parse(startsAt) + 1000);
      return rooms.write(async (db) => {
        const [circle] = await db.select().from(circleT).where(eq(circleT.id, circleId));
        if (!circle || !occurrences(circle.rrule, timeZone(), from, to).includes(startsAt)) return false;
        const made = await db
          .insert(sessionT)
          .values({
            id: randomUUID(),
            circleId,
            startsAt,
            attendance,
            facilitatorId: attendance > 0 ? facilitatorId : null,
          })
          .onConflictDoNothing()
          .returning({ id: sessionT.id });
        return made.length === 1;
      });
    },
    /** Circles held (someone came) per month in the pod's time zone, oldest first: counts only. */
    async circlesHeldPerMonth(): Promise<{ month: string; count: number }[]> {
      const held = await rooms.read((db) =>
        db
          .select({ startsAt: sessionT.startsAt })
          .from(sessionT)
          .where(gt(sessionT.attendance, 0))
          .orderBy(asc(sessionT.startsAt)),
      );
      const counts = new Map<string, number>();
      for (const s of held) {
        const month = monthOf(s.startsAt);
        counts.set(month, (counts.get(month) ?? 0) + 1);
      }
      return [...counts].map(([month, n]) => ({ month, count: n }));
    },

    /** An anonymous wish for a circle: the text and the week, nothing that points back to the asker. */
    /** Stores an anonymous ask unless the week already has `weeklyLimit` (counted and added one at a time). */
    askForCircle(text: string, weeklyLimit = Number.POSITIVE_INFINITY): Promise<boolean> {
      const week = thisWeek();
      return rooms.write(
        async (db) => {
          const [asked] = await db.select({ n: count() }).from(requestT).where(eq(requestT.week, week));
          if (asked!.n >= weeklyLimit) return false;
          await db.insert(requestT).values({ id: randomUUID(), text, week });
          return true;
        },
        { oneAtATime: "care: asks" },
      );
    },
    requestsThisWeek: async (): Promise<number> =>
      (await rooms.read((db) => db.select({ n: count() }).from(requestT).where(eq(requestT.week, thisWeek()))))[0]!.n,
    openRequests: (): Promise<CircleRequest[]> =>
      rooms.read((db) =>
        db.select().from(requestT).where(eq(requestT.answered, false)).orderBy(desc(requestT.week), asc(requestT.id)),
      ),
    async answerRequest(id: string): Promise<boolean> {
      const marked = await rooms.write((db) =>
        db.update(requestT).set({ answered: true }).where(eq(requestT.id, id)).returning({ id: requestT.id }),
      );
      return marked.length === 1;
    },

    mediatorTurn: cases.mediatorTurn,
    openCase: cases.openCase,
    caseFor: cases.caseFor,
    casesFor: cases.casesFor,
    addStep: cases.addStep,
    setOutcome: cases.setOutcome,
    setMediator: cases.setMediator,
    /** Cases resolved without outside authorities per month they closed in (the pod's time zone): counts only. */
    resolvedWithoutAuthoritiesPerMonth: () => cases.resolvedWithoutAuthoritiesPerMonth(monthOf),
  };
}

export type CareService = ReturnType<typeof careService>;
