import { Article } from "@fedify/vocab";
import type { PodDeps, PodFederation } from "../federation/deps.ts";
import { roomsOf } from "../db/room-db.ts";
import { memoryStore } from "./store.ts";
import { entryToArticle } from "./to-as.ts";

const PAGE_SIZE = 50;

export const MEMORY_COLLECTION = "memory";

/** The pod's public memory entries, newest first, linked from the actor's `streams` so a new follower backfills. */
export function registerMemoryCollection(federation: PodFederation, deps: PodDeps): void {
  const { config } = deps;
  const store = memoryStore(roomsOf(deps));
  federation
    .setOrderedCollectionDispatcher(
      MEMORY_COLLECTION,
      Article,
      `/users/{identifier}/${MEMORY_COLLECTION}`,
      async (ctx, values, cursor) => {
        if (values.identifier !== config.handle) return null;
        const rows = await store.published(PAGE_SIZE, cursor || undefined);
        return {
          items: rows.map((row) => entryToArticle(ctx, config, row)),
          nextCursor: rows.length === PAGE_SIZE ? rows.at(-1)!.publicationId : null,
        };
      },
    )
    .setCounter((_ctx, values) => (values.identifier === config.handle ? store.countPublished() : null))
    .setFirstCursor(() => "");
}
