import { and, count, desc, eq, inArray, lt, ne } from "drizzle-orm";
import type { Placeholders, RoomDb, RoomQueries } from "../db/room-db.ts";
import { conflict, notFound } from "../http/problem.ts";
import type { Practice, PracticeListQuery } from "./model.ts";
import { practices } from "./schema.ts";

type NewPractice = typeof practices.$inferInsert;
/** Fields a change sets; an undefined field is left as it is. */
export type PracticeChange = Partial<Omit<Practice, "id" | "createdAt">> & { updatedAt: string };

/**
 * The practices room's writes on either database, made within the RoomDb write whose `db` they are given, so the
 * service records the change's event and tombstones in the same transaction.
 */
export function practicesStore(rooms: RoomDb) {
  const t = rooms.table(practices);
  // A practice's page and the home page's list read these: built and prepared once, not per request.
  const withId = rooms.prepare((db, p: Placeholders<{ id: string }>) => db.select().from(t).where(eq(t.id, p.id)));
  const latestWithStatus = rooms.prepare((db, p: Placeholders<{ status: Practice["status"]; limit: number }>) =>
    db.select().from(t).where(eq(t.status, p.status)).orderBy(desc(t.id)).limit(p.limit),
  );
  return {
    async get(id: string): Promise<Practice> {
      const [row] = await rooms.read((db) => withId(db, { id }));
      if (!row) throw notFound(`no practice ${id}`);
      return row;
    },

    /** Newest first, a page at a time (`cursor`: the last id of the page before). */
    list: (query: PracticeListQuery): Promise<Practice[]> =>
      rooms.read((db) =>
        query.status && !query.cursor
          ? latestWithStatus(db, { status: query.status, limit: query.limit })
          : db
              .select()
              .from(t)
              .where(
                and(
                  query.status ? eq(t.status, query.status) : undefined,
                  query.cursor ? lt(t.id, query.cursor) : undefined,
                ),
              )
              .orderBy(desc(t.id))
              .limit(query.limit),
      ),

    /** Published practices by id (the ones that are), for the memory room's guide links. */
    publishedByIds: (ids: string[]): Promise<Practice[]> =>
      ids.length
        ? rooms.read((db) =>
            db
              .select()
              .from(t)
              .where(and(inArray(t.id, ids), eq(t.status, "published"))),
          )
        : Promise.resolve([]),

    /** Practices not withdrawn, newest first, a page at a time (the federated collection). */
    currentPage: (cursor: string | undefined, limit: number): Promise<Practice[]> =>
      rooms.read((db) =>
        db
          .select()
          .from(t)
          .where(and(ne(t.status, "withdrawn"), cursor ? lt(t.id, cursor) : undefined))
          .orderBy(desc(t.id))
          .limit(limit),
      ),

    async countCurrent(): Promise<number> {
      const [row] = await rooms.read((db) => db.select({ n: count() }).from(t).where(ne(t.status, "withdrawn")));
      return row?.n ?? 0;
    },

    /** Every published practice (the view's projection, rebuilt at start). */
    allPublishedWithin: (db: RoomQueries): Promise<Practice[]> => db.select().from(t).where(eq(t.status, "published")),

    async insertWithin(db: RoomQueries, row: NewPractice): Promise<Practice> {
      const [inserted] = await db.insert(t).values(row).returning();
      return inserted!;
    },

    /**
     * Changes a published practice; a withdrawn one answers 409, an unknown one 404. The condition is in the
     * UPDATE itself, so a withdrawal committed meanwhile by another process (PostgreSQL) is never overwritten.
     */
    async changeWithin(db: RoomQueries, id: string, change: PracticeChange): Promise<Practice> {
      const [changed] = await db
        .update(t)
        .set(change)
        .where(and(eq(t.id, id), eq(t.status, "published")))
        .returning();
      if (changed) return changed;
      const [found] = await db.select({ status: t.status }).from(t).where(eq(t.id, id));
      if (!found) throw notFound(`no practice ${id}`);
      throw conflict("this practice was withdrawn and can no longer change");
    },
  };
}
