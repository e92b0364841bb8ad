import { and, count, desc, eq, inArray, lt, notInArray, sql } from "drizzle-orm";
import type { FastifyInstance } from "fastify";
import { Activity, PUBLIC_COLLECTION } from "@fedify/vocab";
import type { Db } from "../db/client.ts";
import type { PodDeps, PodFederation } from "../federation/deps.ts";
import { outboxActivities, tombstones } from "./schema.ts";

const PAGE_SIZE = 20;

/** Records a public or unlisted activity; followers-only and direct posts never appear in the outbox. */
export async function recordInOutbox(db: Db, activity: Activity, at: Date): Promise<void> {
  if (![...activity.toIds, ...activity.ccIds].some((iri) => iri.href === PUBLIC_COLLECTION.href)) return;
  const json = (await activity.toJsonLd()) as { type?: unknown };
  db.insert(outboxActivities)
    .values({
      iri: activity.id!.href,
      type: String(json.type),
      objectIri: activity.objectId?.href ?? "",
      json: JSON.stringify(json),
      publishedAt: at.toISOString(),
    })
    .onConflictDoNothing()
    .run();
}

// Rows recorded before the type column held the ActivityStreams type carry our subclasses' names.
const CREATE = ["Create", "PodCreate"];
const UPDATE = ["Update", "PodUpdate"];

/**
 * What the outbox lists. Servers copy outbox Creates into a new follower's timeline or a profile view, so
 * nothing deleted and nothing stale may show: the Create of a deleted object is left out (its Delete, a
 * Tombstone, stays), and Updates are not listed on their own (their object replaces the Create's, below).
 */
const listed = and(
  notInArray(outboxActivities.type, UPDATE),
  sql`not (${inArray(outboxActivities.type, CREATE)} and (
    exists (select 1 from ${tombstones} where ${tombstones.iri} = ${outboxActivities.objectIri}) or
    exists (select 1 from ${outboxActivities} as d
            where d.type = 'Delete' and d.object_iri = ${outboxActivities.objectIri})))`,
);

/** A Create as it should read now: carrying the object of the newest Update of that object, if any. */
async function current(db: Db, row: typeof outboxActivities.$inferSelect): Promise<Activity> {
  const activity = JSON.parse(row.json) as Record<string, unknown>;
  const update = CREATE.includes(row.type)
    ? db
        .select({ json: outboxActivities.json })
        .from(outboxActivities)
        .where(and(inArray(outboxActivities.type, UPDATE), eq(outboxActivities.objectIri, row.objectIri)))
        .orderBy(desc(outboxActivities.seq))
        .limit(1)
        .get()
    : undefined;
  if (!update) return Activity.fromJsonLd(activity);
  // Both were compacted with the same vocabulary; the Update's context covers the object it carries.
  const latest = JSON.parse(update.json) as Record<string, unknown>;
  return Activity.fromJsonLd({ ...activity, "@context": latest["@context"], object: latest.object });
}

/** The outbox: what the pod federated, as it stands now, newest first, paged by publication time. */
export function registerOutbox(federation: PodFederation, { db, config }: PodDeps): void {
  federation
    .setOutboxDispatcher("/users/{identifier}/outbox", async (_ctx, identifier, cursor) => {
      if (identifier !== config.handle) return null;
      const rows = db
        .select()
        .from(outboxActivities)
        .where(cursor ? and(listed, lt(outboxActivities.seq, Number(cursor))) : listed)
        .orderBy(desc(outboxActivities.seq))
        .limit(PAGE_SIZE)
        .all();
      const items = await Promise.all(rows.map((row) => current(db, row)));
      return { items, nextCursor: rows.length === PAGE_SIZE ? String(rows.at(-1)!.seq) : null };
    })
    .setCounter((_ctx, identifier) => {
      if (identifier !== config.handle) return null;
      return db.select({ n: count() }).from(outboxActivities).where(listed).get()?.n ?? 0;
    })
    .setFirstCursor(() => "");
}

const PAGE_TYPES = new Set(["OrderedCollectionPage", "CollectionPage"]);

/**
 * Fedify leaves `orderedItems` out of an empty page; some servers read a page without it as malformed.
 * An empty collection page served by the federation gets `orderedItems: []` (or `items: []`).
 */
export function installEmptyPageItems(app: FastifyInstance): void {
  app.addHook("onSend", async (_request, reply, payload) => {
    const type = String(reply.getHeader("content-type") ?? "");
    if (!Buffer.isBuffer(payload) || !/^application\/(activity|ld)\+json/.test(type)) return payload;
    const text = payload.toString("utf8");
    if (!text.includes("CollectionPage")) return payload;
    const document = JSON.parse(text) as Record<string, unknown>;
    if (!PAGE_TYPES.has(String(document.type)) || "orderedItems" in document || "items" in document) return payload;
    const key = document.type === "OrderedCollectionPage" ? "orderedItems" : "items";
    return JSON.stringify({ ...document, [key]: [] });
  });
}
