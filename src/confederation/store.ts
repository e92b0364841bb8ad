import { and, eq, inArray, lte, notExists, sql } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import type { ViewRecord } from "./from-as.ts";
import { neighborPods, viewDeletions, viewObjects, viewPaths } from "./schema.ts";

export interface Arrival {
  /** The followed pod it came through: the origin itself for a direct delivery. */
  viaIri: string;
  announceIri?: string;
  at: Date;
}

export type UpsertResult = "stored" | "unchanged";

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

/** Prepared once per connection: ingest is the hot path (see bench/ingest.ts). */
const statements = new WeakMap<object, ReturnType<typeof prepareStatements>>();

function prepareStatements(sqlite: Db["$client"]) {
  const columns = [...VIEW_COLUMNS, "received_at"];
  const params = columns.map((c) => `@${c}`).join(", ");
  const updates = columns
    .filter((c) => c !== "iri")
    .map((c) => `${c} = excluded.${c}`)
    .join(", ");
  return {
    current: sqlite.prepare<[string], { version: string; pod_iri: string }>(
      "SELECT version, pod_iri FROM view_objects WHERE iri = ?",
    ),
    deleted: sqlite.prepare<[string, string], { one: number }>(
      "SELECT 1 AS one FROM view_deletions WHERE iri = ? AND pod_iri = ?",
    ),
    upsert: sqlite.prepare(
      `INSERT INTO view_objects (${columns.join(", ")}) VALUES (${params}) ON CONFLICT (iri) DO UPDATE SET ${updates}`,
    ),
    clearServices: sqlite.prepare("DELETE FROM view_services WHERE charter_iri = ?"),
    insertService: sqlite.prepare(
      "INSERT INTO view_services (iri, charter_iri, pod_iri, name, category_iri, status, target) " +
        `VALUES (@iri, @charterIri, @podIri, @name, @categoryIri, @status, @target)
       ON CONFLICT (iri) DO UPDATE SET charter_iri = excluded.charter_iri, pod_iri = excluded.pod_iri, ` +
        `name = excluded.name,
       category_iri = excluded.category_iri, status = excluded.status, target = excluded.target`,
    ),
    path: sqlite.prepare(
      `INSERT INTO view_paths (object_iri, via_iri, announce_iri, received_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (object_iri, via_iri) DO UPDATE SET announce_iri = excluded.announce_iri, ` +
        "received_at = excluded.received_at",
    ),
  };
}

function statementsFor(db: Db) {
  let prepared = statements.get(db.$client);
  if (!prepared) statements.set(db.$client, (prepared = prepareStatements(db.$client)));
  return prepared;
}

/**
 * Stores a neighbor's object in the view, in one transaction. Idempotent: the same version twice changes
 * nothing; an older version (an update that arrived late) is ignored, but the path it came by is kept.
 */
export function upsertViewObject(db: Db, record: ViewRecord, arrival: Arrival): UpsertResult {
  const s = statementsFor(db);
  const at = arrival.at.toISOString();
  const write = (): UpsertResult => {
    // A tombstone blocks only its own actor: another actor's Delete must not block the owner.
    if (s.deleted.get(record.iri, record.podIri)) return "unchanged";
    const current = s.current.get(record.iri);
    let result: UpsertResult = "unchanged";
    if (!current || (current.pod_iri === record.podIri && record.version > current.version)) {
      s.upsert.run({
        iri: record.iri,
        kind: record.kind,
        pod_iri: record.podIri,
        name: record.name,
        summary: record.summary,
        content: record.content,
        url: record.url,
        category_iri: record.categoryIri,
        action: record.action,
        unit: record.unit,
        quantity_milli: record.quantityMilli,
        available_milli: record.availableMilli,
        starts_at: record.startsAt,
        ends_at: record.endsAt,
        area_name: record.areaName,
        latitude: record.latitude,
        longitude: record.longitude,
        extra: JSON.stringify(record.extra),
        adapted_from: record.adaptedFrom,
        published: record.published,
        version: record.version,
        received_at: at,
      });
      s.clearServices.run(record.iri);
      for (const service of record.services)
        s.insertService.run({ ...service, charterIri: record.iri, podIri: record.podIri });
      result = "stored";
    }
    s.path.run(record.iri, arrival.viaIri, arrival.announceIri ?? null, at);
    return result;
  };
  // Inside a transaction (the inbox's group commit gives each write its own savepoint), a savepoint of its own
  // would add two statements and nothing else: a throw here still undoes the caller's whole write.
  return db.$client.inTransaction ? write() : db.$client.transaction(write).immediate();
}

export function viewObjectOrigin(db: Db, iri: string): string | undefined {
  return statementsFor(db).current.get(iri)?.pod_iri;
}

/** Drops another actor's row for an object its rightful actor reclaims (no tombstone: nothing was deleted). */
export function releaseViewObject(db: Db, iri: string, holderIri: string): void {
  db.delete(viewObjects)
    .where(and(eq(viewObjects.iri, iri), eq(viewObjects.podIri, holderIri)))
    .run();
}

/**
 * Removes an object its origin deleted, and remembers the deletion. Only the origin may: the caller has
 * checked who is asking, and the id must be on the origin's host.
 */
export function removeViewObject(db: Db, iri: string, originIri: string, at: Date): boolean {
  if (new URL(iri).host !== new URL(originIri).host) return false;
  return db.transaction((tx) => {
    tx.insert(viewDeletions)
      .values({ iri, podIri: originIri, deletedAt: at.toISOString() })
      .onConflictDoNothing()
      .run();
    return (
      tx
        .delete(viewObjects)
        .where(and(eq(viewObjects.iri, iri), eq(viewObjects.podIri, originIri)))
        .run().changes > 0
    );
  });
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

/** Every pod with something in the view that `matches` (a blocked domain's), removed as removePodFromView does. */
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

/**
 * After a complete backfill: the pod's own objects it no longer lists are gone from its side. Only objects
 * received before the read began can be judged: one delivered to the inbox while the streams were being read
 * may be missing from a page fetched just before it was published.
 */
export function pruneUnlisted(
  db: Db,
  podIri: string,
  listed: Set<string>,
  kinds: ViewRecord["kind"][],
  readBegan: Date,
): number {
  const stale = db
    .select({ iri: viewObjects.iri })
    .from(viewObjects)
    .where(
      and(
        eq(viewObjects.podIri, podIri),
        inArray(viewObjects.kind, kinds),
        lte(viewObjects.receivedAt, readBegan.toISOString()),
      ),
    )
    .all()
    .map((r) => r.iri)
    .filter((iri) => !listed.has(iri));
  if (stale.length === 0) return 0;
  return db.delete(viewObjects).where(inArray(viewObjects.iri, stale)).run().changes;
}

export function upsertNeighborPod(
  db: Db,
  pod: { actorIri: string; name: string; handle: string | null; url: string | null },
  at: Date,
): void {
  const row = { ...pod, updatedAt: at.toISOString() };
  db.insert(neighborPods).values(row).onConflictDoUpdate({ target: neighborPods.actorIri, set: row }).run();
}

/** The neighbor pods the view knows, by actor IRI (names for the public neighbors page). */
export function listNeighborPods(
  db: Db,
): { actorIri: string; name: string; handle: string | null; url: string | null }[] {
  return db
    .select({
      actorIri: neighborPods.actorIri,
      name: neighborPods.name,
      handle: neighborPods.handle,
      url: neighborPods.url,
    })
    .from(neighborPods)
    .all();
}
