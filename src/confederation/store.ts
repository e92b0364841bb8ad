import { and, eq, inArray, notExists, sql } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import type { ViewRecord } from "./activitypub.ts";
import { neighborPods, viewObjects, viewPaths, viewServices } from "./schema.ts";

export interface Arrival {
  /** The followed pod it came through: the origin itself for a direct delivery. */
  viaIri: string;
  announceIri?: string;
  at: Date;
}

export type UpsertResult = "stored" | "unchanged";

/**
 * Stores a neighbor's object in the view, in one transaction. Idempotent: the same version twice changes
 * nothing; an older version (an update that arrived late) is ignored, but the path it came by is kept.
 */
export function upsertViewObject(db: Db, record: ViewRecord, arrival: Arrival): UpsertResult {
  return db.transaction((tx) => {
    const current = tx.select({ version: viewObjects.version, podIri: viewObjects.podIri }).from(viewObjects).where(eq(viewObjects.iri, record.iri)).get();
    let result: UpsertResult = "unchanged";
    if (!current || (current.podIri === record.podIri && record.version > current.version)) {
      const { services, extra, ...columns } = record;
      const row = { ...columns, extra: JSON.stringify(extra), receivedAt: arrival.at.toISOString() };
      tx.insert(viewObjects).values(row).onConflictDoUpdate({ target: viewObjects.iri, set: row }).run();
      tx.delete(viewServices).where(eq(viewServices.charterIri, record.iri)).run();
      for (const service of services) {
        tx.insert(viewServices)
          .values({ ...service, charterIri: record.iri, podIri: record.podIri })
          .onConflictDoUpdate({ target: viewServices.iri, set: { ...service, charterIri: record.iri, podIri: record.podIri } })
          .run();
      }
      result = "stored";
    }
    tx.insert(viewPaths)
      .values({ objectIri: record.iri, viaIri: arrival.viaIri, announceIri: arrival.announceIri ?? null, receivedAt: arrival.at.toISOString() })
      .onConflictDoUpdate({
        target: [viewPaths.objectIri, viewPaths.viaIri],
        set: { announceIri: arrival.announceIri ?? null, receivedAt: arrival.at.toISOString() },
      })
      .run();
    return result;
  });
}

export function viewObjectOrigin(db: Db, iri: string): string | undefined {
  return db.select({ podIri: viewObjects.podIri }).from(viewObjects).where(eq(viewObjects.iri, iri)).get()?.podIri;
}

/** Removes an object its origin deleted. Only the origin may: the caller has checked who is asking. */
export function removeViewObject(db: Db, iri: string, originIri: string): boolean {
  return db.delete(viewObjects).where(and(eq(viewObjects.iri, iri), eq(viewObjects.podIri, originIri))).run().changes > 0;
}

/**
 * A pod leaves the view (unfollowed, rejected us, deleted, gone): its own objects go, and so does every
 * path through it; relayed objects that no other path still brings go with them.
 */
export function removePodFromView(db: Db, podIri: string): number {
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

/** After a complete backfill: the pod's own objects it no longer lists are gone from its side. */
export function pruneUnlisted(db: Db, podIri: string, listed: Set<string>, kinds: ViewRecord["kind"][]): number {
  const stale = db
    .select({ iri: viewObjects.iri })
    .from(viewObjects)
    .where(and(eq(viewObjects.podIri, podIri), inArray(viewObjects.kind, kinds)))
    .all()
    .map((r) => r.iri)
    .filter((iri) => !listed.has(iri));
  if (stale.length === 0) return 0;
  return db.delete(viewObjects).where(inArray(viewObjects.iri, stale)).run().changes;
}

export function upsertNeighborPod(db: Db, pod: { actorIri: string; name: string; handle: string | null; url: string | null }, at: Date): void {
  const row = { ...pod, updatedAt: at.toISOString() };
  db.insert(neighborPods).values(row).onConflictDoUpdate({ target: neighborPods.actorIri, set: row }).run();
}
