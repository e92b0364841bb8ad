import { eq } from "drizzle-orm";
import type { RoomDb, RoomQueries } from "../db/room-db.ts";
import { following } from "./schema.ts";

/**
 * The accepted followed actors' IRIs as a subquery, on either database: the social room's home timeline embeds it
 * in its own statement (no list in memory, no second read).
 */
export function acceptedFollowingIris(rooms: RoomDb, db: RoomQueries) {
  const t = rooms.table(following);
  return db.select({ iri: t.actorIri }).from(t).where(eq(t.state, "accepted"));
}
