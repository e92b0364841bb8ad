import { randomUUID } from "node:crypto";
import { and, asc, desc, eq, inArray, or } from "drizzle-orm";
import type { RoomDb, RoomQueries } from "../db/room-db.ts";
import { type CaseOutcome, careCasePeople, careCases, careCaseSteps } from "./schema.ts";
import { nextTurn, type Turn, type Volunteer } from "./turn.ts";

export type Case = typeof careCases.$inferSelect;
export type CaseStep = typeof careCaseSteps.$inferSelect;

/** Who is looking: coordinators see every case, others only the cases they are part of. */
export interface Viewer {
  id: string;
  coordinator: boolean;
}

/**
 * Who mediates a new case: a named volunteer, nobody, or the one whose turn the form showed (`turnOf`), taken
 * only if it is still theirs when the case is opened.
 */
export type MediatorChoice = string | null | { turnOf: string; among: Map<string, string> };

/** The turn the form showed went to someone else before the case was opened: nothing was opened. */
export class TurnMoved extends Error {
  readonly turn: Turn;
  constructor(turn: Turn) {
    super("the mediators' turn moved on before the case was opened");
    this.turn = turn;
  }
}

/** Opening a case takes the mediators' turn: two cases opened at once, in any processes, take two turns. */
const MEDIATOR_TURN = "care: mediator turn";

/**
 * The private conflict cases of the care room. `mediatorsIn(db, names)` are the volunteers who mediate, among the
 * active members `names`.
 */
export function casesStore(
  rooms: RoomDb,
  now: () => Date,
  mediatorsIn: (db: RoomQueries, names: Map<string, string>) => Promise<Volunteer[]>,
) {
  const caseT = rooms.table(careCases);
  const peopleT = rooms.table(careCasePeople);
  const stepT = rooms.table(careCaseSteps);

  const caseIn = async (db: RoomQueries, id: string): Promise<Case | undefined> =>
    (await db.select().from(caseT).where(eq(caseT.id, id)))[0];
  const peopleIn = async (db: RoomQueries, caseId: string) =>
    (await db.select({ memberId: peopleT.memberId }).from(peopleT).where(eq(peopleT.caseId, caseId))).map(
      (p) => p.memberId,
    );
  const mayReadIn = async (db: RoomQueries, c: Case, viewer: Viewer) =>
    viewer.coordinator || c.mediatorId === viewer.id || (await peopleIn(db, c.id)).includes(viewer.id);
  /** Whoever mediated least recently (or never), among volunteers not involved. */
  async function turnIn(db: RoomQueries, names: Map<string, string>, involved: string[]): Promise<Turn> {
    const last = new Map<string, string>();
    for (const c of await db.select({ mediatorId: caseT.mediatorId, openedAt: caseT.openedAt }).from(caseT)) {
      if (c.mediatorId && c.openedAt > (last.get(c.mediatorId) ?? "")) last.set(c.mediatorId, c.openedAt);
    }
    return nextTurn(await mediatorsIn(db, names), last, new Set(involved));
  }

  return {
    /** Whose turn it is to mediate: a volunteer not involved in the case. */
    mediatorTurn: (names: Map<string, string>, involved: string[]): Promise<Turn> =>
      rooms.read((db) => turnIn(db, names, involved)),
    openCase(what: string, involved: string[], mediator: MediatorChoice): Promise<Case> {
      return rooms.write(
        async (db) => {
          let mediatorId: string | null;
          if (mediator !== null && typeof mediator === "object") {
            // A private case goes only to the person the opener was shown, never silently to another.
            const turn = await turnIn(db, mediator.among, involved);
            if (turn.id !== mediator.turnOf) throw new TurnMoved(turn);
            mediatorId = turn.id;
          } else mediatorId = mediator;
          const row: Case = {
            id: randomUUID(),
            what,
            mediatorId,
            outcome: null,
            withoutAuthorities: false,
            openedAt: now().toISOString(),
            closedAt: null,
          };
          await db.insert(caseT).values(row);
          const people = [...new Set(involved)].map((memberId) => ({ caseId: row.id, memberId }));
          if (people.length) await db.insert(peopleT).values(people);
          return row;
        },
        { oneAtATime: MEDIATOR_TURN },
      );
    },
    /** The case if the viewer may read it; otherwise null, exactly as if it did not exist. */
    caseFor(id: string, viewer: Viewer): Promise<{ case: Case; involved: string[]; steps: CaseStep[] } | null> {
      return rooms.read(async (db) => {
        const c = await caseIn(db, id);
        if (!c || !(await mayReadIn(db, c, viewer))) return null;
        const steps = await db
          .select()
          .from(stepT)
          .where(eq(stepT.caseId, id))
          .orderBy(asc(stepT.day), asc(stepT.createdAt), asc(stepT.id));
        return { case: c, involved: await peopleIn(db, id), steps };
      });
    },
    casesFor: (viewer: Viewer): Promise<Case[]> =>
      rooms.read((db) => {
        const theirs = db.select({ caseId: peopleT.caseId }).from(peopleT).where(eq(peopleT.memberId, viewer.id));
        return db
          .select()
          .from(caseT)
          .where(viewer.coordinator ? undefined : or(eq(caseT.mediatorId, viewer.id), inArray(caseT.id, theirs)))
          .orderBy(desc(caseT.openedAt), asc(caseT.id));
      }),
    addStep(caseId: string, viewer: Viewer, day: string, text: string): Promise<boolean> {
      return rooms.write(async (db) => {
        const c = await caseIn(db, caseId);
        if (!c || !(await mayReadIn(db, c, viewer))) return false;
        await db.insert(stepT).values({
          id: randomUUID(),
          caseId,
          day,
          text,
          authorId: viewer.id,
          createdAt: now().toISOString(),
        });
        return true;
      });
    },
    /** The mediator or a coordinator records how it ended (or reopens it with a null outcome). */
    async setOutcome(
      caseId: string,
      viewer: Viewer,
      outcome: CaseOutcome | null,
      withoutAuthorities: boolean,
    ): Promise<boolean> {
      const changed = await rooms.write((db) =>
        db
          .update(caseT)
          .set({
            outcome,
            withoutAuthorities: outcome !== null && withoutAuthorities,
            closedAt: outcome ? now().toISOString() : null,
          })
          .where(and(eq(caseT.id, caseId), viewer.coordinator ? undefined : eq(caseT.mediatorId, viewer.id)))
          .returning({ id: caseT.id }),
      );
      return changed.length === 1;
    },
    /** A coordinator names (or changes) the mediator: a mediating volunteer who is not involved. */
    setMediator(caseId: string, mediatorId: string | null, names: Map<string, string>): Promise<boolean> {
      return rooms.write(async (db) => {
        if (!(await caseIn(db, caseId))) return false;
        if (mediatorId) {
          if ((await peopleIn(db, caseId)).includes(mediatorId)) return false;
          if (!(await mediatorsIn(db, names)).some((v) => v.id === mediatorId)) return false;
        }
        await db.update(caseT).set({ mediatorId }).where(eq(caseT.id, caseId));
        return true;
      });
    },
    /**
     * Cases closed with the "resolved without outside authorities" flag, per month they closed in (`monthOf`: the
     * pod's time zone), oldest first. Counts only: for the pod's sovereignty figures.
     */
    async resolvedWithoutAuthoritiesPerMonth(monthOf: (iso: string) => string) {
      const closed = await rooms.read((db) =>
        db
          .select({ closedAt: caseT.closedAt })
          .from(caseT)
          .where(eq(caseT.withoutAuthorities, true))
          .orderBy(asc(caseT.closedAt)),
      );
      const counts = new Map<string, number>();
      for (const c of closed) {
        if (!c.closedAt) continue;
        const month = monthOf(c.closedAt);
        counts.set(month, (counts.get(month) ?? 0) + 1);
      }
      return [...counts].map(([month, count]) => ({ month, count }));
    },
  };
}
