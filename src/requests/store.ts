import { and, count, desc, eq, isNull, lt } from "drizzle-orm";
import type { RoomDb } from "../db/room-db.ts";
import { neighborRequests } from "./schema.ts";

export type NeighborRequest = typeof neighborRequests.$inferSelect;
export type NewNeighborRequest = typeof neighborRequests.$inferInsert;
export type RequestStatus = NeighborRequest["status"];
type Change = Partial<Pick<NeighborRequest, "status" | "claimedAt">> & { updatedAt: string };

/** The only code that reads or writes neighbors' requests, on either database. */
export function requestsStore(rooms: RoomDb) {
  const t = rooms.table(neighborRequests);
  return {
    async insert(row: NewNeighborRequest): Promise<NeighborRequest> {
      const [inserted] = await rooms.write((db) => db.insert(t).values(row).returning());
      return inserted!;
    },

    async get(id: string): Promise<NeighborRequest | undefined> {
      const [row] = await rooms.read((db) => db.select().from(t).where(eq(t.id, id)));
      return row;
    },

    /** Newest first; `before` is the last id of the previous page. */
    list(query: { status?: RequestStatus; before?: string; limit: number }): Promise<NeighborRequest[]> {
      const where = and(
        query.status ? eq(t.status, query.status) : undefined,
        query.before ? lt(t.id, query.before) : undefined,
      );
      return rooms.read((db) => db.select().from(t).where(where).orderBy(desc(t.id)).limit(query.limit));
    },

    async count(status: RequestStatus): Promise<number> {
      const [row] = await rooms.read((db) => db.select({ n: count() }).from(t).where(eq(t.status, status)));
      return row?.n ?? 0;
    },

    async update(id: string, change: Change): Promise<NeighborRequest | undefined> {
      const [row] = await rooms.write((db) => db.update(t).set(change).where(eq(t.id, id)).returning());
      return row;
    },

    /** Marks a request as the source of a claim, once: false when another click got there first. */
    async markClaimed(id: string, at: string): Promise<boolean> {
      const marked = await rooms.write((db) =>
        db
          .update(t)
          .set({ claimedAt: at, updatedAt: at })
          .where(and(eq(t.id, id), isNull(t.claimedAt)))
          .returning({ id: t.id }),
      );
      return marked.length > 0;
    },
  };
}
