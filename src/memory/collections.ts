import { Article } from "@fedify/vocab";
import type { PodDeps, PodFederation } from "../federation/deps.ts";
import { countPublished, publishedEntries } from "./store.ts";
import { entryToArticle } from "./to-as.ts";

const PAGE_SIZE = 50;

export const MEMORY_COLLECTION = "memory";

/** The pod's public memory entries, newest first, linked from the actor's `streams` so a new follower backfills. */
export function registerMemoryCollection(federation: PodFederation, { db, config }: PodDeps): void {
  federation
    .setOrderedCollectionDispatcher(
      MEMORY_COLLECTION,
      Article,
      `/users/{identifier}/${MEMORY_COLLECTION}`,
      (ctx, values, cursor) => {
        if (values.identifier !== config.handle) return null;
        const rows = publishedEntries(db, PAGE_SIZE, cursor || undefined);
        return {
          items: rows.map((row) => entryToArticle(ctx, config, row)),
          nextCursor: rows.length === PAGE_SIZE ? rows.at(-1)!.publicationId : null,
        };
      },
    )
    .setCounter((_ctx, values) => (values.identifier === config.handle ? countPublished(db) : null))
    .setFirstCursor(() => "");
}
