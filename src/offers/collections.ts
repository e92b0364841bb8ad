import { Proposal } from "@fedify/vocab";
import { requireCategory } from "../categories/service.ts";
import type { PodDeps, PodFederation } from "../federation/deps.ts";
import { offerToProposal } from "./to-as.ts";
import { offersStore } from "./store.ts";
import type { OfferKind } from "./model.ts";

const PAGE_SIZE = 50;

export const OFFER_COLLECTIONS: Record<OfferKind, string> = { offer: "offers", need: "needs" };

/** One collection per kind, linked from the actor's `streams`, so a new follower can backfill. */
export function registerOfferCollection(federation: PodFederation, { rooms, config }: PodDeps, kind: OfferKind): void {
  const name = OFFER_COLLECTIONS[kind];
  const store = offersStore(rooms);
  federation
    .setOrderedCollectionDispatcher(name, Proposal, `/users/{identifier}/${name}`, async (ctx, values, cursor) => {
      if (values.identifier !== config.handle) return null;
      const rows = await store.publishedPage(kind, cursor || undefined, PAGE_SIZE);
      return {
        items: rows.map((row) =>
          offerToProposal(ctx, config, row, requireCategory(rooms, config, row.category, "category")),
        ),
        nextCursor: rows.length === PAGE_SIZE ? rows.at(-1)!.id : null,
      };
    })
    .setCounter((_ctx, values) => (values.identifier === config.handle ? store.countPublished(kind) : null))
    .setFirstCursor(() => "");
}
