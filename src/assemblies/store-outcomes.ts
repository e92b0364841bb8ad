import { and, eq, isNull } from "drizzle-orm";
import type { RoomDb, RoomQueries } from "../db/room-db.ts";
import { assemblyRatifications } from "./schema.ts";

export type RatificationRow = typeof assemblyRatifications.$inferSelect;
type NewRatification = typeof assemblyRatifications.$inferInsert;

/** Each pod's ratifications of proposals (never binding votes) on either database. */
export function ratificationsStore(rooms: RoomDb) {
  const r = rooms.table(assemblyRatifications);
  const first = <R>(rows: R[]): R | undefined => rows[0];
  /** One run's answer: taken, not yet decided, and not taken over since (another run writes another decidedAt). */
  const undecided = (iri: string, decidedAt: string) =>
    and(eq(r.iri, iri), isNull(r.decisionId), eq(r.decidedAt, decidedAt));

  return {
    get: async (iri: string): Promise<RatificationRow | undefined> =>
      first(await rooms.read((db) => db.select().from(r).where(eq(r.iri, iri)))),
    ofAssembly: (assemblyId: string): Promise<RatificationRow[]> =>
      rooms.read((db) => db.select().from(r).where(eq(r.assemblyId, assemblyId))),
    /** One actor's answer on one proposal (the unique index allows one). */
    answerOf: async (proposalIri: string, actorIri: string): Promise<RatificationRow | undefined> =>
      first(
        await rooms.read((db) =>
          db
            .select()
            .from(r)
            .where(and(eq(r.proposalIri, proposalIri), eq(r.actorIri, actorIri))),
        ),
      ),

    /** Stores a ratification unless that pod already answered that proposal (or it is known): true when new. */
    async addWithin(db: RoomQueries, row: NewRatification): Promise<boolean> {
      const inserted = await db.insert(r).values(row).onConflictDoNothing().returning({ iri: r.iri });
      return inserted.length > 0;
    },
    add(row: NewRatification): Promise<boolean> {
      return rooms.write((db) => this.addWithin(db, row));
    },
    /** Takes over a run's abandoned answer (one conditional update: of two runs, one does). */
    retake: (left: RatificationRow, answer: RatificationRow["answer"], decidedAt: string): Promise<boolean> =>
      rooms.write(async (db) => {
        const changed = await db
          .update(r)
          .set({ answer, decidedAt })
          .where(undecided(left.iri, left.decidedAt))
          .returning({ iri: r.iri });
        return changed.length > 0;
      }),
    /** Lets go of this run's answer (its decision could not be written). */
    release: (iri: string, decidedAt: string): Promise<void> =>
      rooms.write(async (db) => {
        await db.delete(r).where(undecided(iri, decidedAt));
      }),
    /** Writes this run's decision on its answer; false when a later run took the answer over meanwhile. */
    async decideWithin(db: RoomQueries, iri: string, decidedAt: string, decisionId: string): Promise<boolean> {
      const kept = await db.update(r).set({ decisionId }).where(undecided(iri, decidedAt)).returning({ iri: r.iri });
      return kept.length > 0;
    },
  };
}

export type RatificationsStore = ReturnType<typeof ratificationsStore>;
