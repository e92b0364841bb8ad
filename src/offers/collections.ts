import { Proposal } from "@fedify/vocab";
import { and, count, desc, eq, lt, ne } from "drizzle-orm";
import { requireCategory } from "../categories/service.ts";
import type { PodDeps, PodFederation } from "../federation/deps.ts";
import { offerToProposal } from "./to-as.ts";
import { offers } from "./schema.ts";
import type { OfferKind } from "./model.ts";

const PAGE_SIZE = 50;

export const OFFER_COLLECTIONS: Record<OfferKind, string> = { offer: "offers", need: "needs" };

/** One collection per kind, linked from the actor's `streams`, so a new follower can backfill. */
export function registerOfferCollection(federation: PodFederation, { db, config }: PodDeps, kind: OfferKind): void {
  const name = OFFER_COLLECTIONS[kind];
  const current = and(eq(offers.kind, kind), ne(offers.status, "withdrawn"));
  federation
    .setOrderedCollectionDispatcher(name, Proposal, `/users/{identifier}/${name}`, (ctx, values, cursor) => {
      if (values.identifier !== config.handle) return null;
      const rows = db
        .select()
        .from(offers)
        .where(and(current, cursor ? lt(offers.id, cursor) : undefined))
        .orderBy(desc(offers.id))
        .limit(PAGE_SIZE)
        .all();
      return {
        items: rows.map((row) =>
          offerToProposal(ctx, config, row, requireCategory(db, config, row.category, "category")),
        ),
        nextCursor: rows.length === PAGE_SIZE ? rows.at(-1)!.id : null,
      };
    })
    .setCounter((_ctx, values) =>
      values.identifier === config.handle
        ? (db.select({ n: count() }).from(offers).where(current).get()?.n ?? 0)
        : null,
    )
    .setFirstCursor(() => "");
}
