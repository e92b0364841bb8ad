import type { Context } from "@fedify/fedify";
import { requireCategory } from "../categories/service.ts";
import type { RoomDb } from "../db/room-db.ts";
import { roomsOf } from "../db/room-db.ts";
import type { EventDispatcher } from "../events/dispatcher.ts";
import { withEventIds } from "../events/dispatcher.ts";
import type { PodDeps } from "../federation/deps.ts";
import { badRequest, notFound } from "../http/problem.ts";
import { sendToFollowers } from "../publishing/deliver.ts";
import { offerIri } from "../publishing/iris.ts";
import type { GuideLink } from "../publishing/guides.ts";
import { offerActivities } from "./to-as.ts";
import { projectOffer } from "./view-projection.ts";
import type { Claim, ClaimInput, Offer, OfferInput, OfferKind, OfferPatch } from "./model.ts";
import { offersStore, type OfferListQuery } from "./store.ts";
import { offerWrites, type OfferVerb } from "./writes.ts";

export type { Claim, Offer, OfferKind, OfferStatus } from "./model.ts";

const OFFER_CHANGED = "offer.changed";

/** Surplus offers and needs: the rules, one RoomDb write per change (writes.ts), then delivery to followers. */
export function offersService(deps: PodDeps, contextFor: () => Context<null>, events: EventDispatcher) {
  const { config } = deps;
  const rooms = roomsOf(deps);
  const store = offersStore(rooms);
  // Each change records, in its write, that followers must be told (run by the event dispatcher).
  const writes = offerWrites(rooms, config, (tx, row, verb) =>
    events.recordWithin(tx, OFFER_CHANGED, { row, verb }, offerIri(config, row).href),
  );
  /** Runs the events the change recorded (as before: the caller gets its answer once followers were told). */
  const settled = async <T>(result: T): Promise<T> => {
    await events.settle();
    return result;
  };

  /** The guides that go with an offer (the memory room answers, once the pod wires it: useGuides). */
  let guidesOf: (offerId: string) => GuideLink[] = () => [];

  // The pod's own offer enters (or leaves) the confederal view here, once its change has committed.
  events.on(OFFER_CHANGED, async ({ row, verb }: { row: Offer; verb: OfferVerb }, event) => {
    await projectOffer(deps, row);
    const ctx = contextFor();
    const category = requireCategory(rooms, config, row.category, "category");
    const activities = withEventIds(
      offerActivities(ctx, config, row, category, verb, deps.now(), guidesOf(row.id)),
      event.id,
    );
    await sendToFollowers(ctx, deps, activities, offerIri(config, row).href);
  });

  async function find(kind: OfferKind, id: string): Promise<Offer> {
    const row = await store.find(kind, id);
    if (!row) throw notFound(`no ${kind} ${id}`);
    return row;
  }

  return {
    useGuides(lookup: (offerId: string) => GuideLink[]): void {
      guidesOf = lookup;
    },
    guidesOf: (offerId: string): GuideLink[] => guidesOf(offerId),

    get: find,

    list: (kind: OfferKind, query: OfferListQuery): Promise<Offer[]> => store.list(kind, query),

    async claimsOf(kind: OfferKind, id: string): Promise<Claim[]> {
      await find(kind, id);
      return store.claimsOf(id);
    },

    async create(kind: OfferKind, input: OfferInput): Promise<Offer> {
      requireCategory(rooms, config, input.category, "body.category");
      const now = deps.now();
      if (input.availableUntil && Date.parse(input.availableUntil) <= now.getTime()) {
        throw badRequest("must be in the future", "body.availableUntil");
      }
      return settled(await writes.create(kind, input, now));
    },

    async update(kind: OfferKind, id: string, patch: OfferPatch): Promise<Offer> {
      if (patch.category !== undefined) requireCategory(rooms, config, patch.category, "body.category");
      return settled(await writes.update(kind, id, patch, deps.now()));
    },

    async claim(kind: OfferKind, id: string, input: ClaimInput): Promise<{ offer: Offer; claim: Claim }> {
      return settled(await writes.claim(kind, id, input, deps.now()));
    },

    async withdraw(kind: OfferKind, id: string): Promise<Offer> {
      return settled(await writes.withdraw(kind, id, deps.now()));
    },

    /** Marks offers and needs whose end has passed as expired and tells followers. Returns how many. */
    async expireDue(): Promise<number> {
      return (await settled(await writes.expireDue(deps.now()))).length;
    },
  };
}

export type OffersService = ReturnType<typeof offersService>;

/**
 * Counts for a period [from, to) (ISO instants), for the monthly sovereignty report (offers/store.ts). Read-only;
 * the offers room owns the tables.
 */
export function offerCountsBetween(rooms: RoomDb, from: string, to: string) {
  return offersStore(rooms).countsBetween(from, to);
}
