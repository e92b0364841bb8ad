import { randomUUID } from "node:crypto";
import { Temporal } from "@js-temporal/polyfill";
import { and, asc, desc, eq, isNull, sql } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { periodOf } from "../rotation/periods.ts";
import { DEFAULT_LOAD_SETTINGS, type LoadSettings } from "./load.ts";
import { occurrences } from "./recurrence.ts";
import {
  type CaseOutcome,
  careCasePeople,
  careCases,
  careCaseSteps,
  careCircleRequests,
  careCircleSessions,
  careCircles,
  careSettings,
  careVolunteers,
} from "./schema.ts";
import { nextTurn, type Turn, turnsFor, type Volunteer } from "./turn.ts";

export type Circle = typeof careCircles.$inferSelect;
export type CircleInput = Pick<Circle, "kind" | "rrule" | "minutes" | "theme" | "place">;
export type CircleRequest = typeof careCircleRequests.$inferSelect;
export type Case = typeof careCases.$inferSelect;
export type CaseStep = typeof careCaseSteps.$inferSelect;
export type VolunteerRow = typeof careVolunteers.$inferSelect;

/** One occurrence of a circle, with whose turn it is to facilitate. */
export interface Occurrence {
  circle: Circle;
  at: string;
  facilitator: Turn;
}

/** Who is looking: coordinators see every case, others only the cases they are part of. */
export interface Viewer {
  id: string;
  coordinator: boolean;
}

const DAY = 86_400_000;
/** How far back unrecorded circles wait for their attendance. */
const LOOKBACK_DAYS = 56;

export function careService(db: Db, now: () => Date, timeZone: () => string) {
  const local = (iso: string) => Temporal.Instant.from(iso).toZonedDateTimeISO(timeZone());
  const monthOf = (iso: string) => local(iso).toPlainDate().toString().slice(0, 7);

  const volunteers = () => db.select().from(careVolunteers).orderBy(asc(careVolunteers.since)).all();
  const pool = (names: Map<string, string>, which: "facilitates" | "mediates"): Volunteer[] =>
    volunteers()
      .filter((v) => v[which] && names.has(v.memberId))
      .map((v) => ({ id: v.memberId, name: names.get(v.memberId)!, since: v.since }));
  const circles = () =>
    db.select().from(careCircles).where(isNull(careCircles.endedAt)).orderBy(asc(careCircles.createdAt)).all();
  const sessions = () => db.select().from(careCircleSessions).all();

  /** Every active circle's occurrences in a time range, in time order. */
  const between = (from: Date, to: Date) =>
    circles()
      .flatMap((circle) => occurrences(circle.rrule, timeZone(), from, to).map((at) => ({ circle, at })))
      .sort((a, b) => a.at.localeCompare(b.at));

  /** Unrecorded past occurrences and upcoming ones share the facilitators' turn, in time order. */
  function withTurns(names: Map<string, string>, days: number): Occurrence[] {
    const recorded = sessions();
    const last = new Map<string, string>();
    for (const s of recorded) {
      if (s.facilitatorId && s.startsAt > (last.get(s.facilitatorId) ?? "")) last.set(s.facilitatorId, s.startsAt);
    }
    const done = new Set(recorded.map((s) => `${s.circleId} ${s.startsAt}`));
    const t = now().getTime();
    const open = between(new Date(t - LOOKBACK_DAYS * DAY), new Date(t + days * DAY)).filter(
      (o) => !done.has(`${o.circle.id} ${o.at}`),
    );
    const turns = turnsFor(
      pool(names, "facilitates"),
      last,
      open.map((o) => o.at),
    );
    return open.map((o, i) => ({ ...o, facilitator: turns[i]! }));
  }

  const caseRow = (id: string) => db.select().from(careCases).where(eq(careCases.id, id)).get();
  const peopleOf = (caseId: string) =>
    db
      .select()
      .from(careCasePeople)
      .where(eq(careCasePeople.caseId, caseId))
      .all()
      .map((p) => p.memberId);
  const mayRead = (c: Case, viewer: Viewer) =>
    viewer.coordinator || c.mediatorId === viewer.id || peopleOf(c.id).includes(viewer.id);

  return {
    settings(): LoadSettings {
      const row = db.select().from(careSettings).where(eq(careSettings.id, 1)).get();
      return row ? { ...row } : { ...DEFAULT_LOAD_SETTINGS };
    },
    saveSettings(input: LoadSettings) {
      db.insert(careSettings)
        .values({ id: 1, ...input })
        .onConflictDoUpdate({ target: careSettings.id, set: input })
        .run();
    },

    volunteer: (memberId: string) =>
      db.select().from(careVolunteers).where(eq(careVolunteers.memberId, memberId)).get() ?? null,
    setVolunteer(memberId: string, offer: { facilitates: boolean; mediates: boolean }) {
      db.insert(careVolunteers)
        .values({ memberId, ...offer, since: now().toISOString() })
        .onConflictDoUpdate({ target: careVolunteers.memberId, set: offer })
        .run();
    },
    facilitators: (names: Map<string, string>) => pool(names, "facilitates"),

    circles,
    circle: (id: string) => db.select().from(careCircles).where(eq(careCircles.id, id)).get(),
    createCircle(input: CircleInput): Circle {
      const row: Circle = { ...input, id: randomUUID(), createdAt: now().toISOString(), endedAt: null };
      db.insert(careCircles).values(row).run();
      return row;
    },
    endCircle(id: string): boolean {
      return (
        db
          .update(careCircles)
          .set({ endedAt: now().toISOString() })
          .where(and(eq(careCircles.id, id), isNull(careCircles.endedAt)))
          .run().changes === 1
      );
    },
    /** The next circles (within `days`), each with its facilitator's turn. */
    upcoming(names: Map<string, string>, days = 60): Occurrence[] {
      const t = now().toISOString();
      return withTurns(names, days).filter((o) => o.at >= t);
    },
    /** Circles that have taken place and wait for their attendance. */
    toCount(names: Map<string, string>): Occurrence[] {
      const t = now().toISOString();
      return withTurns(names, 0).filter((o) => o.at < t);
    },
    /** How many came (a number, never who). Nobody came: the facilitator's turn does not move on. */
    recordAttendance(circleId: string, startsAt: string, attendance: number, facilitatorId: string | null): boolean {
      const circle = db.select().from(careCircles).where(eq(careCircles.id, circleId)).get();
      if (!circle || startsAt > now().toISOString()) return false;
      const from = new Date(Date.parse(startsAt) - 1000);
      if (!occurrences(circle.rrule, timeZone(), from, new Date(Date.parse(startsAt) + 1000)).includes(startsAt)) {
        return false;
      }
      return (
        db
          .insert(careCircleSessions)
          .values({
            id: randomUUID(),
            circleId,
            startsAt,
            attendance,
            facilitatorId: attendance > 0 ? facilitatorId : null,
          })
          .onConflictDoNothing()
          .run().changes === 1
      );
    },
    /** Circles held (someone came) per month in the pod's time zone, oldest first: counts only. */
    circlesHeldPerMonth(): { month: string; count: number }[] {
      const counts = new Map<string, number>();
      for (const s of sessions()
        .filter((s) => s.attendance > 0)
        .sort((a, b) => a.startsAt.localeCompare(b.startsAt))) {
        const month = monthOf(s.startsAt);
        counts.set(month, (counts.get(month) ?? 0) + 1);
      }
      return [...counts].map(([month, count]) => ({ month, count }));
    },

    /** An anonymous wish for a circle: the text and the week, nothing that points back to the asker. */
    askForCircle(text: string) {
      const week = periodOf(local(now().toISOString()).toPlainDate(), "weekly");
      db.insert(careCircleRequests).values({ id: randomUUID(), text, week }).run();
    },
    requestsThisWeek: () =>
      db
        .select({ n: sql<number>`count(*)` })
        .from(careCircleRequests)
        .where(eq(careCircleRequests.week, periodOf(local(now().toISOString()).toPlainDate(), "weekly")))
        .get()!.n,
    openRequests: () =>
      db
        .select()
        .from(careCircleRequests)
        .where(eq(careCircleRequests.answered, false))
        .orderBy(desc(careCircleRequests.week))
        .all(),
    answerRequest: (id: string) =>
      db.update(careCircleRequests).set({ answered: true }).where(eq(careCircleRequests.id, id)).run().changes === 1,

    /** Whose turn it is to mediate: a volunteer not involved in the case. */
    mediatorTurn: (names: Map<string, string>, involved: string[]): Turn => {
      const last = new Map<string, string>();
      for (const c of db.select().from(careCases).all()) {
        if (c.mediatorId && c.openedAt > (last.get(c.mediatorId) ?? "")) last.set(c.mediatorId, c.openedAt);
      }
      return nextTurn(pool(names, "mediates"), last, new Set(involved));
    },
    mediators: (names: Map<string, string>) => pool(names, "mediates"),
    openCase(what: string, involved: string[], mediatorId: string | null): Case {
      const row: Case = {
        id: randomUUID(),
        what,
        mediatorId,
        outcome: null,
        withoutAuthorities: false,
        openedAt: now().toISOString(),
        closedAt: null,
      };
      db.transaction(() => {
        db.insert(careCases).values(row).run();
        for (const memberId of new Set(involved)) db.insert(careCasePeople).values({ caseId: row.id, memberId }).run();
      });
      return row;
    },
    /** The case if the viewer may read it; otherwise null, exactly as if it did not exist. */
    caseFor(id: string, viewer: Viewer): { case: Case; involved: string[]; steps: CaseStep[] } | null {
      const c = caseRow(id);
      if (!c || !mayRead(c, viewer)) return null;
      const steps = db
        .select()
        .from(careCaseSteps)
        .where(eq(careCaseSteps.caseId, id))
        .orderBy(asc(careCaseSteps.day), asc(careCaseSteps.createdAt))
        .all();
      return { case: c, involved: peopleOf(id), steps };
    },
    casesFor: (viewer: Viewer): Case[] =>
      db
        .select()
        .from(careCases)
        .orderBy(desc(careCases.openedAt))
        .all()
        .filter((c) => mayRead(c, viewer)),
    addStep(caseId: string, viewer: Viewer, day: string, text: string): boolean {
      const c = caseRow(caseId);
      if (!c || !mayRead(c, viewer)) return false;
      const row = { id: randomUUID(), caseId, day, text, authorId: viewer.id, createdAt: now().toISOString() };
      db.insert(careCaseSteps).values(row).run();
      return true;
    },
    /** The mediator or a coordinator records how it ended (or reopens it with a null outcome). */
    setOutcome(caseId: string, viewer: Viewer, outcome: CaseOutcome | null, withoutAuthorities: boolean): boolean {
      const c = caseRow(caseId);
      if (!c || !(viewer.coordinator || c.mediatorId === viewer.id)) return false;
      db.update(careCases)
        .set({
          outcome,
          withoutAuthorities: outcome !== null && withoutAuthorities,
          closedAt: outcome ? now().toISOString() : null,
        })
        .where(eq(careCases.id, caseId))
        .run();
      return true;
    },
    /** A coordinator names (or changes) the mediator: a mediating volunteer who is not involved. */
    setMediator(caseId: string, mediatorId: string | null, names: Map<string, string>): boolean {
      const people = peopleOf(caseId);
      if (!caseRow(caseId)) return false;
      if (mediatorId && (people.includes(mediatorId) || !pool(names, "mediates").some((v) => v.id === mediatorId))) {
        return false;
      }
      db.update(careCases).set({ mediatorId }).where(eq(careCases.id, caseId)).run();
      return true;
    },
    /**
     * Cases closed with the "resolved without outside authorities" flag, per month they closed in (the pod's time
     * zone), oldest first. Counts only: for the pod's sovereignty figures.
     */
    resolvedWithoutAuthoritiesPerMonth(): { month: string; count: number }[] {
      const counts = new Map<string, number>();
      const closed = db
        .select()
        .from(careCases)
        .where(eq(careCases.withoutAuthorities, true))
        .orderBy(asc(careCases.closedAt))
        .all();
      for (const c of closed) {
        if (!c.closedAt) continue;
        const month = monthOf(c.closedAt);
        counts.set(month, (counts.get(month) ?? 0) + 1);
      }
      return [...counts].map(([month, count]) => ({ month, count }));
    },
  };
}

export type CareService = ReturnType<typeof careService>;
