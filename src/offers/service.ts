import type { Context } from "@fedify/fedify";
import { uuidv7 } from "uuidv7";
import { requireCategory } from "../categories/service.ts";
import type { RoomDb, RoomQueries } from "../db/room-db.ts";
import { roomsOf } from "../db/room-db-sqlite.ts";
import type { EventDispatcher } from "../events/dispatcher.ts";
import { withEventIds } from "../events/dispatcher.ts";
import type { PodDeps } from "../federation/deps.ts";
import { badRequest, notFound } from "../http/problem.ts";
import { sendToFollowers } from "../publishing/deliver.ts";
import { tombstonesStore } from "../publishing/tombstones.ts";
import { offerIri, offerNoteIri } from "../publishing/iris.ts";
import type { GuideLink } from "../publishing/guides.ts";
import { offerActivities } from "./to-as.ts";
import { projectOffer } from "./view-projection.ts";
import type { Claim, ClaimInput, Offer, OfferInput, OfferKind, OfferPatch, OfferStatus } from "./model.ts";
import { offerStatus } from "./status.ts";
import { offersStore, type OfferListQuery } from "./store.ts";

export type { Claim, Offer, OfferKind, OfferStatus } from "./model.ts";

/** Rounds to two decimals, about 1 km: enough to plan a pickup, never a doorstep. */
const coarse = (degrees: number | undefined) => (degrees === undefined ? null : Math.round(degrees * 100) / 100);

const iso = (value: string | null | undefined) => (value ? new Date(value).toISOString() : null);

/** Withdrawn stays withdrawn; otherwise the one rule (status.ts) over quantities and end date. */
function statusFor(
  row: Pick<Offer, "status" | "quantityMilli" | "availableMilli" | "availableUntil">,
  now: Date,
): OfferStatus {
  if (row.status === "withdrawn") return "withdrawn";
  return offerStatus({ ...row, endsAt: row.availableUntil }, now);
}

const OFFER_CHANGED = "offer.changed";

/** Surplus offers and needs: the rules, one RoomDb write per change (with its event), then delivery to followers. */
export function offersService(deps: PodDeps, contextFor: () => Context<null>, events: EventDispatcher) {
  const { db, config } = deps;
  const rooms = roomsOf(deps);
  const store = offersStore(rooms);
  const tombstones = tombstonesStore(rooms);

  type Verb = "create" | "update" | "delete";
  /** Records, in the change's write, that followers must be told (run by the event dispatcher). */
  const publishLater = (tx: RoomQueries, row: Offer, verb: Verb) =>
    events.recordWithin(tx, OFFER_CHANGED, { row, verb }, offerIri(config, row).href);

  /** The guides that go with an offer (the memory room answers, once the pod wires it: useGuides). */
  let guidesOf: (offerId: string) => GuideLink[] = () => [];

  // The pod's own offer enters (or leaves) the confederal view here, once its change has committed.
  events.on(OFFER_CHANGED, async ({ row, verb }: { row: Offer; verb: Verb }, event) => {
    projectOffer(deps, row);
    const ctx = contextFor();
    const category = requireCategory(db, config, row.category, "category");
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

  /** Records the change's event, then ends the write (the caller settles the events after it). */
  async function changed(tx: RoomQueries, row: Offer, now: Date, verb: Verb): Promise<Offer> {
    const settled = await store.statusWithin(tx, row, statusFor(row, now));
    await publishLater(tx, settled, verb);
    return settled;
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
      requireCategory(db, config, input.category, "body.category");
      const now = deps.now();
      if (input.availableUntil && Date.parse(input.availableUntil) <= now.getTime()) {
        throw badRequest("must be in the future", "body.availableUntil");
      }
      const row = await rooms.write(async (tx) => {
        const inserted = await store.insertWithin(tx, {
          id: uuidv7(),
          kind,
          name: input.name,
          description: input.description ?? "",
          category: input.category,
          unit: input.unit,
          quantityMilli: input.quantity,
          availableMilli: input.quantity,
          availableFrom: iso(input.availableFrom),
          availableUntil: iso(input.availableUntil),
          areaName: input.area.name,
          latitude: coarse(input.area.latitude),
          longitude: coarse(input.area.longitude),
          conditions: input.conditions ?? "",
          language: input.language ?? "en",
          status: "open",
          createdAt: now.toISOString(),
          updatedAt: now.toISOString(),
        });
        await publishLater(tx, inserted, "create");
        return inserted;
      });
      await events.settle();
      return row;
    },

    async update(kind: OfferKind, id: string, patch: OfferPatch): Promise<Offer> {
      if (patch.category !== undefined) requireCategory(db, config, patch.category, "body.category");
      const now = deps.now();
      const row = await rooms.write(async (tx) => {
        const current = await store.editableWithin(tx, kind, id);
        const from = patch.availableFrom === undefined ? current.availableFrom : iso(patch.availableFrom);
        const until = patch.availableUntil === undefined ? current.availableUntil : iso(patch.availableUntil);
        if (from && until && Date.parse(until) <= Date.parse(from))
          throw badRequest("must be after availableFrom", "body.availableUntil");
        const fields = {
          name: patch.name,
          description: patch.description,
          category: patch.category,
          unit: patch.unit,
          availableFrom: from,
          availableUntil: until,
          areaName: patch.area?.name,
          latitude: patch.area ? coarse(patch.area.latitude) : undefined,
          longitude: patch.area ? coarse(patch.area.longitude) : undefined,
          conditions: patch.conditions,
          language: patch.language,
        };
        const updated = await store.changeWithin(tx, kind, id, fields, patch.quantity, now.toISOString());
        // An edit may bring an expired offer back: its status follows from the new values (statusFor).
        return changed(tx, updated, now, "update");
      });
      await events.settle();
      return row;
    },

    async claim(kind: OfferKind, id: string, input: ClaimInput): Promise<{ offer: Offer; claim: Claim }> {
      const now = deps.now();
      const result = await rooms.write(async (tx) => {
        const { offer, claim } = await store.claimWithin(tx, kind, {
          id: uuidv7(),
          offerId: id,
          neighbor: input.neighbor,
          quantityMilli: input.quantity,
          note: input.note ?? "",
          createdAt: now.toISOString(),
        });
        return { offer: await changed(tx, offer, now, "update"), claim };
      });
      await events.settle();
      return result;
    },

    async withdraw(kind: OfferKind, id: string): Promise<Offer> {
      const now = deps.now();
      const row = await rooms.write(async (tx) => {
        const updated = await store.withdrawWithin(tx, kind, id, now.toISOString());
        await tombstones.recordWithin(
          tx,
          [
            { iri: offerIri(config, updated).href, formerType: "Proposal" },
            { iri: offerNoteIri(config, updated).href, formerType: "Note" },
          ],
          now,
        );
        await publishLater(tx, updated, "delete");
        return updated;
      });
      await events.settle();
      return row;
    },

    /** Marks offers and needs whose end has passed as expired and tells followers. Returns how many. */
    async expireDue(): Promise<number> {
      const now = deps.now();
      const expired = await rooms.write(async (tx) => {
        const rows = await store.expireDueWithin(tx, now.toISOString());
        for (const row of rows) await publishLater(tx, row, "update");
        return rows;
      });
      await events.settle();
      return expired.length;
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
