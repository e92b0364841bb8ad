import { and, asc, desc, eq, isNotNull, isNull } from "drizzle-orm";
import type { RoomDb, RoomQueries } from "../db/room-db.ts";
import { notFound } from "../http/problem.ts";
import type { Assembly, ContributionRow, Participant } from "./model.ts";
import { assemblies, assemblyContributions, assemblyParticipants } from "./schema.ts";

type NewAssembly = typeof assemblies.$inferInsert;
type NewParticipant = typeof assemblyParticipants.$inferInsert;
type NewContribution = typeof assemblyContributions.$inferInsert;
/** Fields of an assembly a change sets (its identity and role never change). */
export type AssemblyChange = Partial<Omit<Assembly, "id" | "iri" | "inviteIri" | "role" | "convenerIri">>;

/**
 * The assemblies room's own tables (assemblies, participants, the shared record) on either database. Reads run
 * on their own; writes are made within the RoomDb write whose `db` they are given, so the room records the
 * activities that tell about a change (events.recordWithin) in the same transaction.
 */
export function assembliesStore(rooms: RoomDb) {
  const a = rooms.table(assemblies);
  const p = rooms.table(assemblyParticipants);
  const c = rooms.table(assemblyContributions);
  const first = <R>(rows: R[]): R | undefined => rows[0];

  return {
    /** The assembly, or 404. */
    async get(id: string): Promise<Assembly> {
      const row = first(await rooms.read((db) => db.select().from(a).where(eq(a.id, id))));
      if (!row) throw notFound(`no assembly ${id}`);
      return row;
    },
    byIri: async (iri: string): Promise<Assembly | undefined> =>
      first(await rooms.read((db) => db.select().from(a).where(eq(a.iri, iri)))),
    byInviteIri: async (iri: string): Promise<Assembly | undefined> =>
      first(await rooms.read((db) => db.select().from(a).where(eq(a.inviteIri, iri)))),
    /** Whether this actor convened any assembly this pod knows (cheap: checked before anything is fetched). */
    convenedAny: async (actorIri: string): Promise<boolean> =>
      (await rooms.read((db) => db.select({ id: a.id }).from(a).where(eq(a.convenerIri, actorIri)).limit(1))).length >
      0,
    list: (): Promise<Assembly[]> => rooms.read((db) => db.select().from(a).orderBy(desc(a.startTime), asc(a.id))),

    participants: (id: string): Promise<Participant[]> =>
      rooms.read((db) => db.select().from(p).where(eq(p.assemblyId, id)).orderBy(asc(p.actorIri))),
    participant: async (id: string, actorIri: string): Promise<Participant | undefined> =>
      first(
        await rooms.read((db) =>
          db
            .select()
            .from(p)
            .where(and(eq(p.assemblyId, id), eq(p.actorIri, actorIri))),
        ),
      ),

    /** The shared record in its one order: as the convener announced it. */
    record: (id: string, kind?: ContributionRow["kind"]): Promise<ContributionRow[]> =>
      rooms.read((db) =>
        db
          .select()
          .from(c)
          .where(and(eq(c.assemblyId, id), isNotNull(c.announcedAt), kind ? eq(c.kind, kind) : undefined))
          .orderBy(asc(c.announcedAt), asc(c.iri)),
      ),
    contribution: async (iri: string): Promise<ContributionRow | undefined> =>
      first(await rooms.read((db) => db.select().from(c).where(eq(c.iri, iri)))),

    /**
     * Stores an assembly with its invited pods; undefined when one with its IRI is already stored (an Invite
     * delivered twice, taken by two processes at once), which is then left as it was.
     */
    async insertWithin(db: RoomQueries, row: NewAssembly, invited: NewParticipant[]): Promise<Assembly | undefined> {
      const [inserted] = await db.insert(a).values(row).onConflictDoNothing().returning();
      if (!inserted) return undefined;
      // An invitation naming a pod twice names it once.
      if (invited.length > 0) await db.insert(p).values(invited).onConflictDoNothing();
      return inserted;
    },
    /** Changes an assembly; 404 when there is none. */
    async changeWithin(db: RoomQueries, id: string, change: AssemblyChange): Promise<Assembly> {
      const [changed] = await db.update(a).set(change).where(eq(a.id, id)).returning();
      if (!changed) throw notFound(`no assembly ${id}`);
      return changed;
    },
    /** Publishes an assembly's minutes once: undefined when they were already published (another run won). */
    async publishMinutesWithin(db: RoomQueries, id: string, change: AssemblyChange): Promise<Assembly | undefined> {
      const [changed] = await db
        .update(a)
        .set(change)
        .where(and(eq(a.id, id), isNull(a.minutesHtml)))
        .returning();
      return changed;
    },
    /** A participant's answer; false when the actor is not one of the assembly's participants. */
    async answerWithin(
      db: RoomQueries,
      id: string,
      actorIri: string,
      answer: Participant["answer"],
      at: string,
    ): Promise<boolean> {
      const changed = await db
        .update(p)
        .set({ answer, answeredAt: at })
        .where(and(eq(p.assemblyId, id), eq(p.actorIri, actorIri)))
        .returning({ actorIri: p.actorIri });
      return changed.length > 0;
    },
    /** Stores a contribution; false when one with its IRI is already stored (the first stays as it was). */
    async contributeWithin(db: RoomQueries, row: NewContribution): Promise<boolean> {
      const inserted = await db.insert(c).values(row).onConflictDoNothing().returning({ iri: c.iri });
      return inserted.length > 0;
    },
    /** The convener announced this pod's own contribution: it enters the record here, once. */
    async markAnnouncedWithin(db: RoomQueries, iri: string, assemblyId: string, at: string): Promise<boolean> {
      const changed = await db
        .update(c)
        .set({ announcedAt: at })
        .where(and(eq(c.iri, iri), eq(c.assemblyId, assemblyId), isNull(c.announcedAt)))
        .returning({ iri: c.iri });
      return changed.length > 0;
    },
  };
}

export type AssembliesStore = ReturnType<typeof assembliesStore>;
