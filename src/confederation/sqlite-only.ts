import { eq, notExists, sql } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { neighborPods, viewObjects, viewPaths } from "./schema.ts";

/*
 * What rooms not yet on the RoomDb still do with the view's tables on the synchronous SQLite connection. They go
 * when those rooms move: moderation's block (one synchronous transaction across four rooms: removePodsFromView).
 */

/** As the store's `removePod`, synchronously (inside moderation's transaction). */
function removePodFromView(db: Db, podIri: string): number {
  return db.transaction((tx) => {
    const own = tx.delete(viewObjects).where(eq(viewObjects.podIri, podIri)).run().changes;
    tx.delete(viewPaths).where(eq(viewPaths.viaIri, podIri)).run();
    const orphans = tx
      .delete(viewObjects)
      .where(notExists(tx.select({ one: sql`1` }).from(viewPaths).where(eq(viewPaths.objectIri, viewObjects.iri))))
      .run().changes;
    tx.delete(neighborPods).where(eq(neighborPods.actorIri, podIri)).run();
    return own + orphans;
  });
}

/** Every pod with something in the view that `matches` (a blocked domain's), removed as the store's `removePod`. */
export function removePodsFromView(db: Db, matches: (podIri: string) => boolean): number {
  const pods = new Set([
    ...db
      .selectDistinct({ iri: viewObjects.podIri })
      .from(viewObjects)
      .all()
      .map((row) => row.iri),
    ...db
      .select({ iri: neighborPods.actorIri })
      .from(neighborPods)
      .all()
      .map((row) => row.iri),
  ]);
  return db.transaction(() => [...pods].filter(matches).reduce((n, iri) => n + removePodFromView(db, iri), 0));
}
