import { and, desc, eq, getTableColumns, inArray, lt, lte, notExists, sql } from "drizzle-orm";
import { placeholdersOf, type Placeholders, type RoomDb, type RoomQueries } from "../db/room-db.ts";
import { oneAtATimeWithin } from "../db/postgres-write-client.ts";
import type { ViewRecord } from "./from-as.ts";
import {
  neighborPods,
  receivedActivities,
  relayedObjects,
  viewDeletions,
  viewObjects,
  viewPaths,
  viewServices,
} from "./schema.ts";

export interface Arrival {
  /** The followed pod it came through: the origin itself for a direct delivery. */
  viaIri: string;
  announceIri?: string;
  at: Date;
}

/** "deleted": its origin deleted it, so nothing of it is kept (neither the object nor what is written from it). */
export type UpsertResult = "stored" | "unchanged" | "deleted";

/** What the inbox record keeps of an activity: types and ids, not bodies. */
export interface Receipt {
  activityIri: string;
  type: string;
  actorIri: string;
  objectIri: string | null;
  objectType: string | null;
}

export interface NeighborPod {
  actorIri: string;
  name: string;
  handle: string | null;
  url: string | null;
}

/** The columns of view_objects a query reads (received_at is written, never shown). */
export const VIEW_COLUMNS = [
  "iri",
  "kind",
  "pod_iri",
  "name",
  "summary",
  "content",
  "url",
  "category_iri",
  "action",
  "unit",
  "quantity_milli",
  "available_milli",
  "starts_at",
  "ends_at",
  "area_name",
  "latitude",
  "longitude",
  "extra",
  "adapted_from",
  "published",
  "version",
] as const;

/**
 * The confederal view's writes on the RoomDb (either database): neighbors' objects, their paths and services, the
 * deletions that keep them deleted, the neighbor pods, the inbox record and the relayed objects. The inbox's
 * writes take the grouped write's `db` (the `…Within` functions); the rest are writes of their own.
 *
 * What two processes may do at once is settled in SQL: an older version never replaces a newer one (the
 * upsert's `WHERE`), an activity is taken once (its unique id, `ON CONFLICT DO NOTHING RETURNING`), and an
 * object's Update and Delete take turns on PostgreSQL (`objectTurn`: the Update's deletion check and upsert are
 * two statements, and under READ COMMITTED a Delete committing between them left the object stored).
 */
export function viewStore(rooms: RoomDb) {
  const objects = rooms.table(viewObjects);
  const deletions = rooms.table(viewDeletions);
  const services = rooms.table(viewServices);
  const paths = rooms.table(viewPaths);
  const neighbors = rooms.table(neighborPods);
  const received = rooms.table(receivedActivities);
  const relayed = rooms.table(relayedObjects);

  // The statements every delivery runs, built once (building a query cost more than running it).
  type ObjectRow = typeof viewObjects.$inferSelect;
  type PathRow = typeof viewPaths.$inferSelect;
  type ReceiptRow = Receipt & { fromFollowed: boolean; receivedAt: string };
  const originOf = rooms.prepare((db, p: Placeholders<{ iri: string }>) =>
    db.select({ podIri: objects.podIri }).from(objects).where(eq(objects.iri, p.iri)),
  );
  const deletedBy = rooms.prepare((db, p: Placeholders<{ iri: string; podIri: string }>) =>
    db
      .select({ iri: deletions.iri })
      .from(deletions)
      .where(and(eq(deletions.iri, p.iri), eq(deletions.podIri, p.podIri))),
  );
  const upsertObject = rooms.prepare((db, p: Placeholders<ObjectRow>) => {
    const row = placeholdersOf(p, Object.keys(getTableColumns(objects)) as (keyof ObjectRow)[]);
    return db
      .insert(objects)
      .values(row)
      .onConflictDoUpdate({
        target: objects.iri,
        set: row,
        setWhere: and(eq(objects.podIri, p.podIri), lt(objects.version, p.version)),
      })
      .returning({ iri: objects.iri });
  });
  const upsertPath = rooms.prepare((db, p: Placeholders<PathRow>) =>
    db
      .insert(paths)
      .values(placeholdersOf(p, ["objectIri", "viaIri", "announceIri", "receivedAt"]))
      .onConflictDoUpdate({
        target: [paths.objectIri, paths.viaIri],
        set: placeholdersOf(p, ["announceIri", "receivedAt"]),
      }),
  );
  const insertReceipt = rooms.prepare((db, p: Placeholders<ReceiptRow>) =>
    db
      .insert(received)
      .values(
        placeholdersOf(p, ["activityIri", "type", "actorIri", "objectIri", "objectType", "fromFollowed", "receivedAt"]),
      )
      .onConflictDoNothing({ target: received.activityIri })
      .returning({ seq: received.seq }),
  );
  const receiptHolder = rooms.prepare((db, p: Placeholders<{ activityIri: string }>) =>
    db.select({ actorIri: received.actorIri }).from(received).where(eq(received.activityIri, p.activityIri)),
  );
  const relayedOrigin = rooms.prepare((db, p: Placeholders<{ objectIri: string }>) =>
    db.select({ originIri: relayed.originIri }).from(relayed).where(eq(relayed.objectIri, p.objectIri)),
  );

  /** Writes of one object take turns across processes (PostgreSQL; SQLite's writes already do). */
  const objectTurn = async (db: RoomQueries, iri: string) => {
    if (rooms.dialect === "postgres") await oneAtATimeWithin(db, `view object ${iri}`);
  };

  async function removePodWithin(db: RoomQueries, podIri: string): Promise<number> {
    const own = await db.delete(objects).where(eq(objects.podIri, podIri)).returning({ iri: objects.iri });
    await db.delete(paths).where(eq(paths.viaIri, podIri));
    const orphans = await db
      .delete(objects)
      .where(notExists(db.select({ one: sql`1` }).from(paths).where(eq(paths.objectIri, objects.iri))))
      .returning({ iri: objects.iri });
    await db.delete(neighbors).where(eq(neighbors.actorIri, podIri));
    return own.length + orphans.length;
  }

  return {
    /**
     * Stores a neighbor's object in the view. Idempotent: the same version twice changes nothing; an older version
     * (an update that arrived late) is ignored, but the path it came by is kept; a deleted object stays deleted.
     */
    async upsertWithin(db: RoomQueries, record: ViewRecord, arrival: Arrival): Promise<UpsertResult> {
      await objectTurn(db, record.iri);
      const at = arrival.at.toISOString();
      // A tombstone blocks only its own actor: another actor's Delete must not block the owner.
      const [deleted] = await deletedBy(db, { iri: record.iri, podIri: record.podIri });
      if (deleted) return "deleted";
      const { services: charterServices, extra, ...columns } = record;
      const stored = await upsertObject(db, { ...columns, extra: JSON.stringify(extra), receivedAt: at });
      // Only charters have services (an object's kind never changes): an offer's delivery skips both statements.
      if (stored.length > 0 && record.kind === "charter") {
        await db.delete(services).where(eq(services.charterIri, record.iri));
        if (charterServices.length > 0) {
          await db
            .insert(services)
            .values(charterServices.map((s) => ({ ...s, charterIri: record.iri, podIri: record.podIri })))
            .onConflictDoUpdate({
              target: services.iri,
              set: {
                charterIri: sql`excluded.charter_iri`,
                podIri: sql`excluded.pod_iri`,
                name: sql`excluded.name`,
                categoryIri: sql`excluded.category_iri`,
                status: sql`excluded.status`,
                target: sql`excluded.target`,
              },
            });
        }
      }
      await upsertPath(db, {
        objectIri: record.iri,
        viaIri: arrival.viaIri,
        announceIri: arrival.announceIri ?? null,
        receivedAt: at,
      });
      return stored.length > 0 ? "stored" : "unchanged";
    },

    /** The neighbor that published this object into the view, if any. */
    async originOf(iri: string): Promise<string | undefined> {
      const [row] = await rooms.read((db) => originOf(db, { iri }));
      return row?.podIri;
    },

    /** `originOf` within the inbox's grouped write (a read there costs a fraction of one on its own). */
    async originWithin(db: RoomQueries, iri: string): Promise<string | undefined> {
      const [row] = await originOf(db, { iri });
      return row?.podIri;
    },

    /** Drops another actor's row for an object its rightful actor reclaims (no tombstone: nothing was deleted). */
    async release(iri: string, holderIri: string): Promise<void> {
      await rooms.write(async (db) => {
        await objectTurn(db, iri);
        await db.delete(objects).where(and(eq(objects.iri, iri), eq(objects.podIri, holderIri)));
      });
    },

    /**
     * Removes an object its origin deleted, and remembers the deletion. Only the origin may: the caller has
     * checked who is asking, and the id must be on the origin's host.
     */
    async remove(iri: string, originIri: string, at: Date): Promise<boolean> {
      if (new URL(iri).host !== new URL(originIri).host) return false;
      return rooms.write(async (db) => {
        await objectTurn(db, iri);
        await db
          .insert(deletions)
          .values({ iri, podIri: originIri, deletedAt: at.toISOString() })
          .onConflictDoNothing();
        const gone = await db
          .delete(objects)
          .where(and(eq(objects.iri, iri), eq(objects.podIri, originIri)))
          .returning({ iri: objects.iri });
        return gone.length > 0;
      });
    },

    /**
     * A pod leaves the view (unfollowed, rejected us, deleted, gone): its own objects go, and so does every
     * path through it; relayed objects that no other path still brings go with them. How many objects went.
     */
    removePod(podIri: string): Promise<number> {
      return rooms.write((db) => removePodWithin(db, podIri));
    },

    /**
     * A block (inside moderation's write): every pod with something in the view, or known as a neighbor, whose
     * actor IRI `matches` leaves the view as in `removePod`. Blocks are rare: the candidates are read and
     * filtered here. How many objects went.
     */
    async removePodsWithin(db: RoomQueries, matches: (podIri: string) => boolean): Promise<number> {
      const owners = await db.selectDistinct({ iri: objects.podIri }).from(objects);
      const known = await db.select({ iri: neighbors.actorIri }).from(neighbors);
      const pods = new Set([...owners, ...known].map((row) => row.iri).filter(matches));
      let removed = 0;
      for (const podIri of pods) removed += await removePodWithin(db, podIri);
      return removed;
    },

    /**
     * After a complete backfill: the pod's own objects it no longer lists are gone from its side. Only objects
     * received before the read began can be judged: one delivered to the inbox while the streams were being read
     * may be missing from a page fetched just before it was published. The DELETE says so again, so an object
     * stored by another process since the candidates were read stays.
     */
    async pruneUnlisted(
      podIri: string,
      listed: Set<string>,
      kinds: ViewRecord["kind"][],
      readBegan: Date,
    ): Promise<number> {
      const judged = and(
        eq(objects.podIri, podIri),
        inArray(objects.kind, kinds),
        lte(objects.receivedAt, readBegan.toISOString()),
      );
      const candidates = await rooms.read((db) => db.select({ iri: objects.iri }).from(objects).where(judged));
      const stale = candidates.map((r) => r.iri).filter((iri) => !listed.has(iri));
      if (stale.length === 0) return 0;
      return rooms.write(async (db) => {
        let pruned = 0;
        for (let from = 0; from < stale.length; from += 500) {
          const gone = await db
            .delete(objects)
            .where(and(inArray(objects.iri, stale.slice(from, from + 500)), judged))
            .returning({ iri: objects.iri });
          pruned += gone.length;
        }
        return pruned;
      });
    },

    /** Remembers (or refreshes) a neighbor pod's name and addresses. */
    async upsertNeighborPodWithin(db: RoomQueries, pod: NeighborPod, at: Date): Promise<void> {
      const row = { ...pod, updatedAt: at.toISOString() };
      await db.insert(neighbors).values(row).onConflictDoUpdate({ target: neighbors.actorIri, set: row });
    },

    /** The neighbor pods the view knows, by actor IRI. */
    neighborPods(): Promise<NeighborPod[]> {
      return rooms.read((db) =>
        db
          .select({ actorIri: neighbors.actorIri, name: neighbors.name, handle: neighbors.handle, url: neighbors.url })
          .from(neighbors),
      );
    },

    /**
     * Keeps an activity in the inbox record; false when its id was recorded already from the same actor (a
     * redelivery, or the same activity taken by another process at once: the unique id lets one in). An id
     * another actor sent first (one on the same origin, choosing ids it has seen) does not make this one seen.
     */
    async recordReceiptWithin(db: RoomQueries, receipt: Receipt, fromFollowed: boolean, at: Date): Promise<boolean> {
      const { activityIri, type, actorIri, objectIri, objectType } = receipt;
      const row = { activityIri, type, actorIri, objectIri, objectType, fromFollowed, receivedAt: at.toISOString() };
      if ((await insertReceipt(db, row)).length > 0) return true;
      const [held] = await receiptHolder(db, { activityIri });
      return held?.actorIri !== receipt.actorIri;
    },

    /** What was received, newest first, a page at a time (`cursor`: the last seq of the page before). */
    receivedPage: (cursor: number | undefined, limit: number) =>
      rooms.read((db) =>
        db
          .select()
          .from(received)
          .where(cursor ? lt(received.seq, cursor) : undefined)
          .orderBy(desc(received.seq))
          .limit(limit),
      ),

    /** The inbox record is for operators to see recent traffic: what was received before `cutoff` goes. */
    async pruneReceived(cutoff: Date): Promise<number> {
      const gone = await rooms.write((db) =>
        db.delete(received).where(lt(received.receivedAt, cutoff.toISOString())).returning({ seq: received.seq }),
      );
      return gone.length;
    },

    /** The origin of an object this pod relayed, if it did (asked for every activity a neighbor sends). */
    async relayedOrigin(objectIri: string): Promise<string | undefined> {
      const [row] = await rooms.read((db) => relayedOrigin(db, { objectIri }));
      return row?.originIri;
    },

    /** `relayedOrigin` within the inbox's grouped write. */
    async relayedOriginWithin(db: RoomQueries, objectIri: string): Promise<string | undefined> {
      const [row] = await relayedOrigin(db, { objectIri });
      return row?.originIri;
    },

    /** Records (or renews) a relay: one row per object, whoever recorded it and however often. */
    async recordRelay(row: typeof relayedObjects.$inferInsert): Promise<void> {
      await rooms.write((db) =>
        db.insert(relayed).values(row).onConflictDoUpdate({ target: relayed.objectIri, set: row }),
      );
    },

    async renewRelay(objectIri: string, announceIri: string): Promise<void> {
      await rooms.write((db) => db.update(relayed).set({ announceIri }).where(eq(relayed.objectIri, objectIri)));
    },

    /** An object in the view, whole (a relay reads what it re-shares). */
    async viewObject(iri: string) {
      const [row] = await rooms.read((db) => db.select().from(objects).where(eq(objects.iri, iri)));
      return row;
    },
  };
}

export type ViewStore = ReturnType<typeof viewStore>;
