import { Article } from "@fedify/vocab";
import { and, count, desc, lt, ne } from "drizzle-orm";
import type { PodDeps, PodFederation } from "../federation/deps.ts";
import { practiceToArticle } from "./to-as.ts";
import { practices } from "./schema.ts";

const PAGE_SIZE = 50;

export const PRACTICE_COLLECTION = "practices";

/** The pod's current practices, newest first, linked from the actor's `streams` so a new follower can backfill. */
export function registerPracticeCollection(federation: PodFederation, { db, config }: PodDeps): void {
  const current = ne(practices.status, "withdrawn");
  federation
    .setOrderedCollectionDispatcher(
      PRACTICE_COLLECTION,
      Article,
      `/users/{identifier}/${PRACTICE_COLLECTION}`,
      (ctx, values, cursor) => {
        if (values.identifier !== config.handle) return null;
        const rows = db
          .select()
          .from(practices)
          .where(and(current, cursor ? lt(practices.id, cursor) : undefined))
          .orderBy(desc(practices.id))
          .limit(PAGE_SIZE)
          .all();
        return {
          items: rows.map((row) => practiceToArticle(ctx, config, row)),
          nextCursor: rows.length === PAGE_SIZE ? rows.at(-1)!.id : null,
        };
      },
    )
    .setCounter((_ctx, values) =>
      values.identifier === config.handle
        ? (db.select({ n: count() }).from(practices).where(current).get()?.n ?? 0)
        : null,
    )
    .setFirstCursor(() => "");
}
