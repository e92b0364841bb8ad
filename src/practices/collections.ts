import { Article } from "@fedify/vocab";
import type { PodDeps, PodFederation } from "../federation/deps.ts";
import { practicesStore } from "./store.ts";
import { practiceToArticle } from "./to-as.ts";

const PAGE_SIZE = 50;

export const PRACTICE_COLLECTION = "practices";

/** The pod's current practices, newest first, linked from the actor's `streams` so a new follower can backfill. */
export function registerPracticeCollection(federation: PodFederation, { rooms, config }: PodDeps): void {
  const store = practicesStore(rooms);
  federation
    .setOrderedCollectionDispatcher(
      PRACTICE_COLLECTION,
      Article,
      `/users/{identifier}/${PRACTICE_COLLECTION}`,
      async (ctx, values, cursor) => {
        if (values.identifier !== config.handle) return null;
        const rows = await store.currentPage(cursor || undefined, PAGE_SIZE);
        return {
          items: rows.map((row) => practiceToArticle(ctx, config, row)),
          nextCursor: rows.length === PAGE_SIZE ? rows.at(-1)!.id : null,
        };
      },
    )
    .setCounter((_ctx, values) => (values.identifier === config.handle ? store.countCurrent() : null))
    .setFirstCursor(() => "");
}
