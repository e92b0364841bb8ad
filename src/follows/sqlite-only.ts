import { inArray } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { sqliteRoomDb } from "../db/room-db-sqlite.ts";
import { followsOf } from "./room.ts";
import { followers, following } from "./schema.ts";

/*
 * What rooms not yet on the RoomDb still do with the follows tables on the synchronous SQLite connection. They go
 * when that room moves: moderation's block (one synchronous transaction across four rooms).
 */

/** Ends, without a word to them, every follow either way with actors that `matches` (a block); how many went. */
export function removeRelationsWith(db: Db, matches: (actorIri: string) => boolean): number {
  const removed = db.transaction(() => {
    let n = 0;
    for (const table of [followers, following]) {
      const iris = db
        .select({ iri: table.actorIri })
        .from(table)
        .all()
        .map((row) => row.iri)
        .filter(matches);
      for (let at = 0; at < iris.length; at += 500) {
        n += db
          .delete(table)
          .where(inArray(table.actorIri, iris.slice(at, at + 500)))
          .run().changes;
      }
    }
    return n;
  });
  if (removed > 0) {
    const copy = followsOf({ rooms: sqliteRoomDb(db.$client) });
    copy.followersChanged();
    copy.followingChanged();
  }
  return removed;
}
