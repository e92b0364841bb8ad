import { and, asc, eq, isNull } from "drizzle-orm";
import type { RoomDb, RoomQueries } from "../db/room-db.ts";
import { assemblyAgendaDrafts, assemblyCrises, assemblyPledges } from "./schema-barter.ts";

export type AgendaDraft = typeof assemblyAgendaDrafts.$inferSelect;
export type Pledge = typeof assemblyPledges.$inferSelect;
export type Crisis = typeof assemblyCrises.$inferSelect;
/** Held in a pledge's claimId while its offer is being claimed. */
export const CLAIMING = "claiming";

/** The assembly's working parts beside its record (agenda drafts, pledges, crisis threads) on either database. */
export function barterStore(rooms: RoomDb) {
  const d = rooms.table(assemblyAgendaDrafts);
  const pl = rooms.table(assemblyPledges);
  const cr = rooms.table(assemblyCrises);
  const first = <R>(rows: R[]): R | undefined => rows[0];

  return {
    draft: async (assemblyId: string): Promise<AgendaDraft | undefined> =>
      first(await rooms.read((db) => db.select().from(d).where(eq(d.assemblyId, assemblyId)))),
    /** The draft as redrafted (an earlier publication's time is kept). */
    redraft: (assemblyId: string, markdown: string, at: string): Promise<AgendaDraft> =>
      rooms.write(async (db) => {
        const [saved] = await db
          .insert(d)
          .values({ assemblyId, markdown, draftedAt: at, publishedAt: null })
          .onConflictDoUpdate({ target: d.assemblyId, set: { markdown, draftedAt: at } })
          .returning();
        return saved!;
      }),
    async publishedWithin(db: RoomQueries, assemblyId: string, markdown: string, at: string): Promise<void> {
      await db
        .insert(d)
        .values({ assemblyId, markdown, draftedAt: at, publishedAt: at })
        .onConflictDoUpdate({ target: d.assemblyId, set: { markdown, publishedAt: at } });
    },

    pledge: async (iri: string): Promise<Pledge | undefined> =>
      first(await rooms.read((db) => db.select().from(pl).where(eq(pl.iri, iri)))),
    pledges: (assemblyId: string): Promise<Pledge[]> =>
      rooms.read((db) =>
        db.select().from(pl).where(eq(pl.assemblyId, assemblyId)).orderBy(asc(pl.createdAt), asc(pl.iri)),
      ),
    /** The pledge this contribution confirms, if it is one's confirmation. */
    pledgeConfirmedBy: async (assemblyId: string, contributionIri: string): Promise<Pledge | undefined> =>
      first(
        await rooms.read((db) =>
          db
            .select()
            .from(pl)
            .where(and(eq(pl.assemblyId, assemblyId), eq(pl.confirmationIri, contributionIri))),
        ),
      ),
    /** A pledge entering the record; a second copy of it changes nothing. */
    addPledge: (row: typeof assemblyPledges.$inferInsert): Promise<void> =>
      rooms.write(async (db) => {
        await db.insert(pl).values(row).onConflictDoNothing();
      }),
    /** The giver's confirmation, once: false when the pledge was already confirmed. */
    confirmPledge: (iri: string, confirmationIri: string, at: string): Promise<boolean> =>
      rooms.write(async (db) => {
        const changed = await db
          .update(pl)
          .set({ state: "confirmed", confirmationIri, confirmedAt: at })
          .where(and(eq(pl.iri, iri), eq(pl.state, "proposed")))
          .returning({ iri: pl.iri });
        return changed.length > 0;
      }),
    /** Takes a proposed pledge for its claim, in one statement: of two runs, one takes it. */
    takeForClaim: (iri: string): Promise<boolean> =>
      rooms.write(async (db) => {
        const taken = await db
          .update(pl)
          .set({ claimId: CLAIMING })
          .where(and(eq(pl.iri, iri), eq(pl.state, "proposed"), isNull(pl.claimId)))
          .returning({ iri: pl.iri });
        return taken.length > 0;
      }),
    /** The claim made (its id), or null to let it be taken again. */
    setClaim: (iri: string, claimId: string | null): Promise<void> =>
      rooms.write(async (db) => {
        await db.update(pl).set({ claimId }).where(eq(pl.iri, iri));
      }),

    crisis: async (iri: string): Promise<Crisis | undefined> =>
      first(await rooms.read((db) => db.select().from(cr).where(eq(cr.iri, iri)))),
    crises: (assemblyId: string): Promise<Crisis[]> =>
      rooms.read((db) =>
        db.select().from(cr).where(eq(cr.assemblyId, assemblyId)).orderBy(asc(cr.openedAt), asc(cr.iri)),
      ),
    /** This assembly's threads still open (the agenda's crises), never another assembly's. */
    openCrises: (assemblyId: string): Promise<Crisis[]> =>
      rooms.read((db) =>
        db
          .select()
          .from(cr)
          .where(and(eq(cr.assemblyId, assemblyId), eq(cr.state, "open")))
          .orderBy(asc(cr.openedAt), asc(cr.iri))
          .limit(50),
      ),
    crisisClosedBy: async (assemblyId: string, contributionIri: string): Promise<Crisis | undefined> =>
      first(
        await rooms.read((db) =>
          db
            .select()
            .from(cr)
            .where(and(eq(cr.assemblyId, assemblyId), eq(cr.closingIri, contributionIri))),
        ),
      ),
    addCrisis: (row: typeof assemblyCrises.$inferInsert): Promise<void> =>
      rooms.write(async (db) => {
        await db.insert(cr).values(row).onConflictDoNothing();
      }),
    /** The opener's closing, once: false when the thread was already closed. */
    closeCrisis: (iri: string, closingIri: string, at: string): Promise<boolean> =>
      rooms.write(async (db) => {
        const changed = await db
          .update(cr)
          .set({ state: "closed", closingIri, closedAt: at })
          .where(and(eq(cr.iri, iri), eq(cr.state, "open")))
          .returning({ iri: cr.iri });
        return changed.length > 0;
      }),
  };
}

export type BarterStore = ReturnType<typeof barterStore>;
