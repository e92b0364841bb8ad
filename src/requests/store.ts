import { and, count, desc, eq, isNull, lt } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { neighborRequests } from "./schema.ts";

export type NeighborRequest = typeof neighborRequests.$inferSelect;
export type NewNeighborRequest = typeof neighborRequests.$inferInsert;
export type RequestStatus = NeighborRequest["status"];

export function insertRequest(db: Db, row: NewNeighborRequest): NeighborRequest {
  return db.insert(neighborRequests).values(row).returning().get();
}

export function getRequest(db: Db, id: string): NeighborRequest | undefined {
  return db.select().from(neighborRequests).where(eq(neighborRequests.id, id)).get();
}

/** Newest first; `before` is the last id of the previous page. */
export function listRequests(db: Db, query: { status?: RequestStatus; before?: string; limit: number }) {
  return db
    .select()
    .from(neighborRequests)
    .where(
      and(
        query.status ? eq(neighborRequests.status, query.status) : undefined,
        query.before ? lt(neighborRequests.id, query.before) : undefined,
      ),
    )
    .orderBy(desc(neighborRequests.id))
    .limit(query.limit)
    .all();
}

export function countRequests(db: Db, status: RequestStatus): number {
  return db.select({ n: count() }).from(neighborRequests).where(eq(neighborRequests.status, status)).get()?.n ?? 0;
}

export function updateRequest(
  db: Db,
  id: string,
  change: Partial<Pick<NeighborRequest, "status" | "claimedAt">> & { updatedAt: string },
): NeighborRequest | undefined {
  return db.update(neighborRequests).set(change).where(eq(neighborRequests.id, id)).returning().get();
}

/** Marks a request as the source of a claim, once: false when another click got there first. */
export function markClaimed(db: Db, id: string, at: string): boolean {
  return (
    db
      .update(neighborRequests)
      .set({ claimedAt: at, updatedAt: at })
      .where(and(eq(neighborRequests.id, id), isNull(neighborRequests.claimedAt)))
      .run().changes > 0
  );
}
