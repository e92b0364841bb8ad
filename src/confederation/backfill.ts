import type { Context } from "@fedify/fedify";
import {
  Collection,
  CollectionPage,
  Link,
  OrderedCollection,
  OrderedCollectionPage,
  isActor,
  type Object as APObject,
} from "@fedify/vocab";
import { FetchError, type DocumentLoader } from "@fedify/vocab-runtime";
import type { PodDeps } from "../federation/deps.ts";
import { InvalidObjectError, kindOf, toViewRecord } from "./from-as.ts";
import { KIND_NAMES } from "../publishing/kind-names.ts";
import { roomsOf } from "../db/room-db.ts";
import { viewStore } from "./store.ts";

/** Bounds, so a neighbor's collection that never ends or items that are too large stop cleanly. */
export const BACKFILL_LIMITS = { pagesPerCollection: 20, itemsPerCollection: 2_000, itemBytes: 256 * 1024 };

export interface BackfillReport {
  stored: number;
  refused: number;
  pruned: number;
  complete: boolean;
}

/**
 * Reads a followed pod's per-kind collections (the actor's `streams`) into the view, so it is complete at
 * once after a follow is accepted; run again periodically it repairs what was missed while either side
 * was down. Objects the pod no longer lists leave the view, but only after a complete read of every
 * stream (an emptied stream prunes all its objects).
 *
 * Reads are fresh: the federation's document loader caches fetched documents for minutes, and a stale page
 * would prune what the neighbor published since. The signed (authenticated) loader does not cache.
 */
export async function backfillPod(deps: PodDeps, ctx: Context<null>, actorIri: string): Promise<BackfillReport> {
  const { log } = deps;
  const rooms = roomsOf(deps);
  const store = viewStore(rooms);
  const report: BackfillReport = { stored: 0, refused: 0, pruned: 0, complete: true };
  const fresh: { documentLoader: DocumentLoader; contextLoader: DocumentLoader } = {
    documentLoader: await ctx.getDocumentLoader({ identifier: deps.config.handle }),
    contextLoader: ctx.contextLoader,
  };
  if (await isGone(ctx, actorIri, { documentLoader: fresh.documentLoader })) {
    await store.removePod(actorIri);
    log.info({ actor: actorIri }, "neighbor is gone: removed from the view");
    return { ...report, complete: false };
  }
  const actor = await ctx.lookupObject(actorIri, fresh).catch(() => null);
  if (!actor || !isActor(actor) || !actor.id) {
    log.warn({ actor: actorIri }, "backfill skipped: the neighbor's actor could not be fetched");
    return { ...report, complete: false };
  }
  const pod = {
    actorIri,
    name: String(actor.name ?? actor.preferredUsername ?? actor.id.host),
    handle: actor.preferredUsername ? `@${actor.preferredUsername}@${actor.id.host}` : null,
    url: actor.url instanceof URL ? actor.url.href : null,
  };
  await rooms.write((db) => store.upsertNeighborPodWithin(db, pod, deps.now()));

  const listed = new Set<string>();
  const readBegan = deps.now();
  for (const streamIri of actor.streamIds) {
    const complete = await readCollection(streamIri, async (item) => {
      if (!item.id || item.id.host !== actor.id!.host || item.attributionId?.href !== actorIri) return;
      const kind = await kindOf(item);
      if (!kind) return;
      listed.add(item.id.href);
      try {
        const record = await toViewRecord(item, actorIri);
        const arrival = { viaIri: actorIri, at: deps.now() };
        if ((await rooms.write((db) => store.upsertWithin(db, record, arrival))) === "stored") report.stored++;
      } catch (error) {
        if (!(error instanceof InvalidObjectError)) throw error;
        report.refused++;
        log.warn({ object: item.id.href, reason: error.message }, "backfill refused an invalid object");
      }
    });
    report.complete &&= complete;
  }
  // The streams are everything the neighbor publishes: once all were read, what they do not list is gone.
  if (report.complete && actor.streamIds.length > 0) {
    report.pruned = await store.pruneUnlisted(actorIri, listed, [...KIND_NAMES], readBegan);
  }
  log.info({ actor: actorIri, ...report }, "backfill done");
  return report;

  async function readCollection(iri: URL, onItem: (item: APObject) => Promise<void>): Promise<boolean> {
    const collection = await ctx.lookupObject(iri.href, fresh).catch(() => null);
    if (!(collection instanceof Collection)) return false;
    let page: APObject | null =
      collection instanceof OrderedCollection || collection instanceof Collection
        ? await collection.getFirst(fresh).catch(() => null)
        : null;
    let items = 0;
    if (!page) page = collection; // an unpaged collection carries its items itself
    for (let pages = 0; page; pages++) {
      if (pages >= BACKFILL_LIMITS.pagesPerCollection) {
        log.warn({ collection: iri.href, pages }, "backfill stopped: the collection has more pages than the limit");
        return false;
      }
      if (!(page instanceof Collection)) return false;
      for await (const item of page.getItems(fresh)) {
        if (++items > BACKFILL_LIMITS.itemsPerCollection) {
          log.warn({ collection: iri.href, items }, "backfill stopped: the collection has more items than the limit");
          return false;
        }
        if (item instanceof Link) continue;
        const size = JSON.stringify(await item.toJsonLd()).length;
        if (size > BACKFILL_LIMITS.itemBytes) {
          log.warn({ collection: iri.href, size }, "backfill stopped: an item is over the size limit");
          return false;
        }
        await onItem(item);
      }
      page =
        page instanceof CollectionPage || page instanceof OrderedCollectionPage
          ? await page.getNext(fresh).catch(() => null)
          : null;
    }
    return true;
  }
}

/** Whether a document's origin says it is gone for good (410 Gone, or 404 with `missing: true`). */
export async function isGone(
  ctx: Context<null>,
  iri: string,
  options: { missing?: boolean; documentLoader?: DocumentLoader } = {},
): Promise<boolean> {
  try {
    await (options.documentLoader ?? ctx.documentLoader)(iri);
    return false;
  } catch (error) {
    const status = error instanceof FetchError ? error.response?.status : undefined;
    return status === 410 || (options.missing === true && status === 404);
  }
}
