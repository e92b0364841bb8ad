import { and, asc, count, desc, eq, inArray, isNotNull, isNull, lt, lte, type SQL } from "drizzle-orm";
import type { RoomDb, RoomQueries } from "../db/room-db.ts";
import { conflict, notFound } from "../http/problem.ts";
import type { Entry, Revision } from "./model.ts";
import { memoryEntries, memoryGuideLinks, memoryReviewReminders, memoryRevisions } from "./schema.ts";
import { memorySearch } from "./search.ts";
import type { PublicEntry } from "./to-as.ts";

export type Guide = typeof memoryGuideLinks.$inferSelect;
export type GuideKey = Omit<Guide, "createdAt">;
export type Subject = Pick<Guide, "subjectKind" | "subjectId">;
export type ReminderKey = { entryId: string; reviewOn: string; memberId: string };
type NewEntry = typeof memoryEntries.$inferInsert;

/**
 * The memory room's entries, revisions, guide links and review reminders on either database. Writes that must
 * go together take the write's `db` (`…Within`), so the service records the change's event and tombstones in the
 * same transaction. What two processes could do at once is decided in the statement's WHERE, not by a read first.
 */
export function memoryStore(rooms: RoomDb) {
  const e = rooms.table(memoryEntries);
  const r = rooms.table(memoryRevisions);
  const g = rooms.table(memoryGuideLinks);
  const rr = rooms.table(memoryReviewReminders);
  const search = memorySearch(rooms);
  const isPublished = and(eq(e.visibility, "public"), eq(e.status, "active"), isNotNull(e.publicationId));

  async function findIn(db: RoomQueries, id: string): Promise<Entry | undefined> {
    const [row] = await db.select().from(e).where(eq(e.id, id));
    return row;
  }

  /** The IRI path of the entry that superseded this one, when that one is public too. */
  async function withLinksIn(db: RoomQueries, row: PublicEntry): Promise<PublicEntry> {
    if (!row.supersededBy) return { ...row, supersededByPid: null };
    const next = await findIn(db, row.supersededBy);
    const publicNext = next?.visibility === "public" && next.status === "active" ? next.publicationId : null;
    return { ...row, supersededByPid: publicNext };
  }

  const withLinksAll = (db: RoomQueries, rows: Entry[]) =>
    Promise.all(rows.map((row) => withLinksIn(db, row as PublicEntry)));

  /** Public, current entries with what their objects link to, newest first. */
  async function publishedWithin(db: RoomQueries, limit: number, before?: string): Promise<PublicEntry[]> {
    const rows = await db
      .select()
      .from(e)
      .where(and(isPublished, before ? lt(e.publicationId, before) : undefined))
      .orderBy(desc(e.publicationId))
      .limit(limit);
    return withLinksAll(db, rows);
  }

  return {
    findIn,
    withLinksIn,
    find: (id: string) => rooms.read((db) => findIn(db, id)),
    withLinks: (row: PublicEntry) => rooms.read((db) => withLinksIn(db, row)),

    list: (kind?: Entry["kind"]): Promise<Entry[]> =>
      rooms.read((db) =>
        db
          .select()
          .from(e)
          .where(kind ? eq(e.kind, kind) : undefined)
          .orderBy(desc(e.id))
          .limit(500),
      ),

    /** Decisions whose review day has come (`today`, YYYY-MM-DD), still in force. */
    reviewsDue: (today: string): Promise<Entry[]> =>
      rooms.read((db) =>
        db
          .select()
          .from(e)
          .where(and(eq(e.kind, "decision"), eq(e.status, "active"), isNull(e.supersededBy), lte(e.reviewOn, today)))
          .orderBy(asc(e.reviewOn)),
      ),

    async byPractice(practiceId: string): Promise<Entry | undefined> {
      const [row] = await rooms.read((db) => db.select().from(e).where(eq(e.practiceId, practiceId)));
      return row;
    },

    /** Entries by id (the ones that exist), for guide links. */
    byIds: (ids: string[]): Promise<Entry[]> =>
      ids.length ? rooms.read((db) => db.select().from(e).where(inArray(e.id, ids))) : Promise.resolve([]),

    revisions: (entryId: string): Promise<Revision[]> =>
      rooms.read((db) => db.select().from(r).where(eq(r.entryId, entryId)).orderBy(desc(r.number))),

    /** Public, current entries with what their objects link to, newest first (collections, feeds, pages). */
    published: (limit: number, before?: string): Promise<PublicEntry[]> =>
      rooms.read((db) => publishedWithin(db, limit, before)),

    /** As published(), inside a write (the view's rebuild reads what it replaces in its own transaction). */
    publishedWithin: (db: RoomQueries, limit: number) => publishedWithin(db, limit),

    async countPublished(): Promise<number> {
      const [row] = await rooms.read((db) => db.select({ n: count() }).from(e).where(isPublished));
      return row?.n ?? 0;
    },

    byPublicationId: (publicationId: string): Promise<PublicEntry | undefined> =>
      rooms.read(async (db) => {
        const row = (await db.select().from(e).where(eq(e.publicationId, publicationId)))[0];
        if (row?.visibility !== "public" || row.status !== "active") return undefined;
        return withLinksIn(db, row as PublicEntry);
      }),

    /** Entries matching the words, best first; only public ones when `publicOnly`. Hostile words: none. */
    search: (words: string, publicOnly: boolean, limit = 50): Promise<Entry[]> =>
      rooms.read(async (db) => {
        const ids = await search.matching(db, words, publicOnly, limit);
        if (ids.length === 0) return [];
        const rows = await db.select().from(e).where(inArray(e.id, ids));
        const byId = new Map(rows.map((row) => [row.id, row]));
        return ids.flatMap((id) => byId.get(id) ?? []);
      }),

    async insertWithin(db: RoomQueries, row: NewEntry): Promise<Entry> {
      const [inserted] = await db.insert(e).values(row).returning();
      await search.indexWithin(db, inserted!);
      return inserted!;
    },

    /**
     * Changes an active entry; undefined when it is not active or `condition` does not hold (any more): another
     * writer got there first. The condition is in the UPDATE, so under READ COMMITTED the second of two writers
     * waits for the first's row lock, then finds the condition false.
     */
    async changeWithin(
      db: RoomQueries,
      id: string,
      values: Partial<Entry>,
      condition?: SQL,
    ): Promise<Entry | undefined> {
      const [changed] = await db
        .update(e)
        .set(values)
        .where(and(eq(e.id, id), eq(e.status, "active"), condition))
        .returning();
      if (changed) await search.indexWithin(db, changed);
      return changed;
    },

    /** The entry unless it is unknown (404) or withdrawn (409). */
    async editableIn(db: RoomQueries, id: string): Promise<Entry> {
      const row = await findIn(db, id);
      if (!row) throw notFound(`no memory entry ${id}`);
      if (row.status === "withdrawn") throw conflict("this entry was withdrawn and can no longer change");
      return row;
    },

    /**
     * A change; a workflow whose text changed gets its next revision, with the change note. Written only if the
     * entry is still at the revision read (a conditional UPDATE): of two changes at once, one takes the next
     * number and the other is told to reload (409), never a second row with the same number.
     */
    async reviseWithin(db: RoomQueries, id: string, patch: Partial<Entry>, changeNote: string, at: string) {
      const current = await this.editableIn(db, id);
      const newRevision = current.kind === "workflow" && patch.body !== undefined && patch.body !== current.body;
      const revision = newRevision ? current.revision + 1 : current.revision;
      const values = {
        ...patch,
        reviewOn: current.kind === "decision" ? patch.reviewOn : null,
        revision,
        updatedAt: at,
      };
      const updated = await this.changeWithin(db, id, values, eq(e.revision, current.revision));
      if (!updated) throw conflict("this entry changed meanwhile: reload it and try again");
      if (newRevision) {
        await db.insert(r).values({ entryId: id, number: revision, body: updated.body, changeNote, createdAt: at });
      }
      return updated;
    },

    /**
     * The newer decision replaces the older, once: the condition is in the UPDATE, so of two at once (two
     * processes) one supersedes and the other finds it superseded (409).
     */
    async supersedeWithin(db: RoomQueries, oldId: string, newId: string, at: string): Promise<Entry> {
      const older = await this.editableIn(db, oldId);
      const newer = await findIn(db, newId);
      if (!newer) throw notFound(`no memory entry ${newId}`);
      if (older.kind !== "decision" || newer.kind !== "decision" || oldId === newId)
        throw conflict("only a decision can supersede another decision");
      const updated = await this.changeWithin(
        db,
        oldId,
        { supersededBy: newId, updatedAt: at },
        isNull(e.supersededBy),
      );
      if (!updated) throw conflict("this decision was already superseded");
      return updated;
    },

    async addRevisionWithin(db: RoomQueries, revision: Revision): Promise<void> {
      await db.insert(r).values(revision);
    },

    /** The guides attached to an offer, need or charter service, oldest first. */
    guidesOfSubject: (subject: Subject): Promise<Guide[]> =>
      rooms.read((db) =>
        db
          .select()
          .from(g)
          .where(and(eq(g.subjectKind, subject.subjectKind), eq(g.subjectId, subject.subjectId)))
          .orderBy(asc(g.createdAt)),
      ),

    /** Every guide link, oldest first (the in-memory copy of public links). */
    allGuideLinks: (): Promise<Guide[]> => rooms.read((db) => db.select().from(g).orderBy(asc(g.createdAt))),

    /** Every subject one guide goes with (an upload that goes away takes its links along). */
    subjectsOfGuide: (guideKind: Guide["guideKind"], guideId: string): Promise<Subject[]> =>
      rooms.read((db) =>
        db
          .select({ subjectKind: g.subjectKind, subjectId: g.subjectId })
          .from(g)
          .where(and(eq(g.guideKind, guideKind), eq(g.guideId, guideId))),
      ),

    async attach(guide: GuideKey, at: Date): Promise<void> {
      await rooms.write(async (db) => {
        await db
          .insert(g)
          .values({ ...guide, createdAt: at.toISOString() })
          .onConflictDoNothing();
      });
    },

    detachWithin: async (db: RoomQueries, guide: Partial<GuideKey> & Pick<GuideKey, "guideKind" | "guideId">) => {
      await db
        .delete(g)
        .where(
          and(
            guide.subjectKind ? eq(g.subjectKind, guide.subjectKind) : undefined,
            guide.subjectId ? eq(g.subjectId, guide.subjectId) : undefined,
            eq(g.guideKind, guide.guideKind),
            eq(g.guideId, guide.guideId),
          ),
        );
    },

    /** Claims one reminder before it is sent: true for exactly one of any number of claims, across processes. */
    claimReminder: (key: ReminderKey, at: Date): Promise<boolean> =>
      rooms.write(async (db) => {
        const claimed = await db
          .insert(rr)
          .values({ ...key, sentAt: at.toISOString() })
          .onConflictDoNothing()
          .returning({ entryId: rr.entryId });
        return claimed.length > 0;
      }),

    /** A claimed reminder that could not be sent is tried again next round. */
    releaseReminder: (key: ReminderKey): Promise<void> =>
      rooms.write(async (db) => {
        await db
          .delete(rr)
          .where(and(eq(rr.entryId, key.entryId), eq(rr.reviewOn, key.reviewOn), eq(rr.memberId, key.memberId)));
      }),
  };
}

export type MemoryStore = ReturnType<typeof memoryStore>;
