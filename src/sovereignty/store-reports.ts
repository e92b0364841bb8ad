import { count, desc, eq } from "drizzle-orm";
import type { RoomDb, RoomQueries } from "../db/room-db.ts";
import type { Report } from "./model-report.ts";
import { sovereigntyReports } from "./schema.ts";

type ReportChanges = Partial<Omit<Report, "id" | "month" | "createdAt">>;

/** The only code that reads or writes the monthly reports, on either database. */
export function reportsStore(rooms: RoomDb) {
  const r = rooms.table(sovereigntyReports);
  const published = eq(r.status, "published");

  const byIdIn = async (db: RoomQueries, id: string) =>
    (await db.select().from(r).where(eq(r.id, id)))[0] as Report | undefined;

  return {
    byId: (id: string) => rooms.read((db) => byIdIn(db, id)),
    /** The report as a write sees it (a publication decides the next revision from it). */
    byIdWithin: byIdIn,
    byMonth: async (month: string) =>
      (await rooms.read((db) => db.select().from(r).where(eq(r.month, month))))[0] as Report | undefined,
    /** Every report, newest month first. */
    list: async () => (await rooms.read((db) => db.select().from(r).orderBy(desc(r.month)))) as Report[],
    /** Published reports, newest month first. */
    published: async (limit: number) =>
      (await rooms.read((db) => db.select().from(r).where(published).orderBy(desc(r.month)).limit(limit))) as Report[],
    async publishedCount(): Promise<number> {
      const [row] = await rooms.read((db) => db.select({ n: count() }).from(r).where(published));
      return row?.n ?? 0;
    },
    /** A draft for a month, unless the month has one (two drafts at once: the month's key keeps the first). */
    async insertDraft(report: Report): Promise<Report> {
      const [inserted] = await rooms.write((db) => db.insert(r).values(report).onConflictDoNothing().returning());
      if (inserted) return inserted as Report;
      const [existing] = await rooms.read((db) => db.select().from(r).where(eq(r.month, report.month)));
      return existing as Report;
    },
    update: async (id: string, changes: ReportChanges) =>
      (await rooms.write((db) => db.update(r).set(changes).where(eq(r.id, id)).returning()))[0] as Report | undefined,
    updateWithin: async (db: RoomQueries, id: string, changes: ReportChanges) =>
      (await db.update(r).set(changes).where(eq(r.id, id)).returning())[0] as Report | undefined,
  };
}

export type ReportsStore = ReturnType<typeof reportsStore>;
