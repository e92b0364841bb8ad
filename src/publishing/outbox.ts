import { and, count, desc, eq, inArray, lt, notInArray, sql } from "drizzle-orm";
import type { FastifyInstance } from "fastify";
import { Activity, PUBLIC_COLLECTION } from "@fedify/vocab";
import type { RoomDb } from "../db/room-db.ts";
import { roomsOf } from "../db/room-db.ts";
import type { PodDeps, PodFederation } from "../federation/deps.ts";
import { outboxActivities, tombstones } from "./schema.ts";

const PAGE_SIZE = 20;

// Rows recorded before the type column held the ActivityStreams type carry our subclasses' names.
const CREATE = ["Create", "PodCreate"];
const UPDATE = ["Update", "PodUpdate"];

type OutboxRow = typeof outboxActivities.$inferSelect;

/** The outbox's table on either database: what the pod federated publicly, one row per activity id. */
export function outboxStore(rooms: RoomDb) {
  const t = rooms.table(outboxActivities);
  const gone = rooms.table(tombstones);
  /**
   * What the outbox lists. Servers copy outbox Creates into a new follower's timeline or a profile view, so
   * nothing deleted and nothing stale may show: the Create of a deleted object is left out (its Delete, a
   * Tombstone, stays), and Updates are not listed on their own (their object replaces the Create's, below).
   */
  const listed = and(
    notInArray(t.type, UPDATE),
    sql`not (${inArray(t.type, CREATE)} and (
      exists (select 1 from ${gone} where ${gone.iri} = ${t.objectIri}) or
      exists (select 1 from ${t} as d where d.type = 'Delete' and d.object_iri = ${t.objectIri})))`,
  );
  return {
    /** Records a public or unlisted activity; followers-only and direct posts never appear in the outbox. */
    async record(activity: Activity, at: Date): Promise<void> {
      if (![...activity.toIds, ...activity.ccIds].some((iri) => iri.href === PUBLIC_COLLECTION.href)) return;
      const json = (await activity.toJsonLd()) as { type?: unknown };
      const row = {
        iri: activity.id!.href,
        type: String(json.type),
        objectIri: activity.objectId?.href ?? "",
        json: JSON.stringify(json),
        publishedAt: at.toISOString(),
      };
      await rooms.write((db) => db.insert(t).values(row).onConflictDoNothing());
    },

    /** A page of what is listed, newest first; `before` is the last `seq` of the previous page. */
    page(before: number | undefined, limit: number): Promise<OutboxRow[]> {
      const where = before === undefined ? listed : and(listed, lt(t.seq, before));
      return rooms.read((db) => db.select().from(t).where(where).orderBy(desc(t.seq)).limit(limit));
    },

    async count(): Promise<number> {
      const [row] = await rooms.read((db) => db.select({ n: count() }).from(t).where(listed));
      return row?.n ?? 0;
    },

    /** A Create as it should read now: carrying the object of the newest Update of that object, if any. */
    async current(row: OutboxRow): Promise<Activity> {
      const activity = JSON.parse(row.json) as Record<string, unknown>;
      const [update] = CREATE.includes(row.type)
        ? await rooms.read((db) =>
            db
              .select({ json: t.json })
              .from(t)
              .where(and(inArray(t.type, UPDATE), eq(t.objectIri, row.objectIri)))
              .orderBy(desc(t.seq))
              .limit(1),
          )
        : [];
      if (!update) return Activity.fromJsonLd(activity);
      // Both were compacted with the same vocabulary; the Update's context covers the object it carries.
      const latest = JSON.parse(update.json) as Record<string, unknown>;
      return Activity.fromJsonLd({ ...activity, "@context": latest["@context"], object: latest.object });
    },
  };
}

/** The outbox: what the pod federated, as it stands now, newest first, paged by publication time. */
export function registerOutbox(federation: PodFederation, deps: PodDeps): void {
  const outbox = outboxStore(roomsOf(deps));
  federation
    .setOutboxDispatcher("/users/{identifier}/outbox", async (_ctx, identifier, cursor) => {
      if (identifier !== deps.config.handle) return null;
      const seq = cursor ? Number(cursor) : undefined;
      const rows = await outbox.page(Number.isSafeInteger(seq) ? seq : undefined, PAGE_SIZE);
      const items = await Promise.all(rows.map((row) => outbox.current(row)));
      return { items, nextCursor: rows.length === PAGE_SIZE ? String(rows.at(-1)!.seq) : null };
    })
    .setCounter((_ctx, identifier) => (identifier === deps.config.handle ? outbox.count() : null))
    .setFirstCursor(() => "");
}

const PAGE_TYPES = new Set(["OrderedCollectionPage", "CollectionPage"]);

/**
 * Fedify leaves `orderedItems` out of an empty page; some servers read a page without it as malformed.
 * An empty collection page served by the federation gets `orderedItems: []` (or `items: []`).
 */
export function installEmptyPageItems(app: FastifyInstance): void {
  app.addHook("onSend", (_request, reply, payload, done) => {
    done(null, withEmptyItems(String(reply.getHeader("content-type") ?? ""), payload));
  });
}

function withEmptyItems(type: string, payload: unknown): unknown {
  // Looked for in the bytes: every ActivityPub answer passes here, the actor document most of all.
  if (!Buffer.isBuffer(payload) || !payload.includes("CollectionPage")) return payload;
  if (!/^application\/(activity|ld)\+json/.test(type)) return payload;
  const document = JSON.parse(payload.toString("utf8")) as Record<string, unknown>;
  if (!PAGE_TYPES.has(String(document.type)) || "orderedItems" in document || "items" in document) return payload;
  const key = document.type === "OrderedCollectionPage" ? "orderedItems" : "items";
  return JSON.stringify({ ...document, [key]: [] });
}
