import { and, count, desc, eq, isNull } from "drizzle-orm";
import type { RoomDb, RoomQueries } from "../db/room-db.ts";
import { blockedAccounts, blockedDomains, reports } from "./schema.ts";

export type BlockedDomain = typeof blockedDomains.$inferSelect;
export type BlockedAccount = typeof blockedAccounts.$inferSelect;
export type Report = typeof reports.$inferSelect;

export type ModerationStore = ReturnType<typeof moderationStore>;

/**
 * The moderation room's tables on the RoomDb (either database): blocked servers and accounts, reports. Reads stand
 * alone; `…Within(db, …)` runs inside the caller's write (a block with what the other rooms forget, a sent report
 * with its event). A change two processes could make at once says what it expects in SQL (`ON CONFLICT DO
 * NOTHING … RETURNING`, `DELETE … RETURNING`).
 */
export function moderationStore(rooms: RoomDb) {
  const d = rooms.table(blockedDomains);
  const b = rooms.table(blockedAccounts);
  const r = rooms.table(reports);

  return {
    listBlockedDomains: (): Promise<BlockedDomain[]> => rooms.read((db) => db.select().from(d).orderBy(d.domain)),
    listBlockedAccounts: (): Promise<BlockedAccount[]> =>
      rooms.read((db) => db.select().from(b).orderBy(desc(b.createdAt))),

    /** Whether the row is new (blocking twice keeps the first reason and date). */
    async addBlockedDomainWithin(db: RoomQueries, row: BlockedDomain): Promise<boolean> {
      return (await db.insert(d).values(row).onConflictDoNothing().returning({ domain: d.domain })).length > 0;
    },
    removeBlockedDomain: (domain: string): Promise<boolean> =>
      rooms.write(
        async (db) => (await db.delete(d).where(eq(d.domain, domain)).returning({ domain: d.domain })).length > 0,
      ),

    async addBlockedAccountWithin(db: RoomQueries, row: BlockedAccount): Promise<boolean> {
      return (await db.insert(b).values(row).onConflictDoNothing().returning({ iri: b.actorIri })).length > 0;
    },
    removeBlockedAccount: (actorIri: string): Promise<boolean> =>
      rooms.write(
        async (db) => (await db.delete(b).where(eq(b.actorIri, actorIri)).returning({ iri: b.actorIri })).length > 0,
      ),

    /** Stores a report; a Flag delivered twice is kept once (its activity IRI is unique). Whether it is new. */
    async addReportWithin(db: RoomQueries, row: typeof reports.$inferInsert): Promise<boolean> {
      return (await db.insert(r).values(row).onConflictDoNothing().returning({ id: r.id })).length > 0;
    },

    async countOpenReportsFromWithin(db: RoomQueries, actorIri: string): Promise<number> {
      const [row] = await db
        .select({ n: count() })
        .from(r)
        .where(and(eq(r.direction, "received"), eq(r.actorIri, actorIri), isNull(r.closedAt)));
      return row?.n ?? 0;
    },

    listReports: (direction: Report["direction"], limit = 100): Promise<Report[]> =>
      rooms.read((db) => db.select().from(r).where(eq(r.direction, direction)).orderBy(desc(r.createdAt)).limit(limit)),

    /** Marks a report dealt with; whether it exists. */
    closeReport: (id: string, at: string): Promise<boolean> =>
      rooms.write(
        async (db) => (await db.update(r).set({ closedAt: at }).where(eq(r.id, id)).returning({ id: r.id })).length > 0,
      ),
  };
}
