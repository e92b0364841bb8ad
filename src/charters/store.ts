import { asc, desc, eq } from "drizzle-orm";
import type { RoomDb, RoomQueries } from "../db/room-db.ts";
import { charterRevisions } from "./schema.ts";

export type CharterRow = typeof charterRevisions.$inferSelect;
export type NewCharterRow = typeof charterRevisions.$inferInsert;

/** The only code that reads or writes the charter's revisions, on either database. */
export function chartersStore(rooms: RoomDb) {
  const t = rooms.table(charterRevisions);
  const latestIn = async (db: RoomQueries) => (await db.select().from(t).orderBy(desc(t.number)).limit(1))[0];
  return {
    latest: () => rooms.read(latestIn),
    /** The latest revision as a write sees it (the write decides the next number from it). */
    latestWithin: latestIn,

    async firstPublishedAt(): Promise<string | undefined> {
      const [row] = await rooms.read((db) => db.select({ at: t.publishedAt }).from(t).orderBy(asc(t.number)).limit(1));
      return row?.at;
    },

    async byNumber(number: number): Promise<CharterRow | undefined> {
      const [row] = await rooms.read((db) => db.select().from(t).where(eq(t.number, number)));
      return row;
    },

    history(): Promise<Pick<CharterRow, "number" | "changeNote" | "publishedAt">[]> {
      return rooms.read((db) =>
        db
          .select({ number: t.number, changeNote: t.changeNote, publishedAt: t.publishedAt })
          .from(t)
          .orderBy(desc(t.number)),
      );
    },

    async insertWithin(db: RoomQueries, row: NewCharterRow): Promise<CharterRow> {
      const [inserted] = await db.insert(t).values(row).returning();
      return inserted!;
    },

    async reviewedWithin(db: RoomQueries, number: number, at: string): Promise<CharterRow | undefined> {
      const [row] = await db.update(t).set({ reviewedAt: at }).where(eq(t.number, number)).returning();
      return row;
    },
  };
}
