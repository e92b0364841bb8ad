import type { Context } from "@fedify/fedify";
import { and, desc, eq, gte, inArray, lt, lte, sum } from "drizzle-orm";
import { uuidv7 } from "uuidv7";
import { requireCategory } from "../categories/service.ts";
import type { EventDispatcher } from "../events/dispatcher.ts";
import { withEventIds } from "../events/dispatcher.ts";
import type { PodDeps } from "../federation/deps.ts";
import { badRequest, conflict, notFound } from "../http/problem.ts";
import { sendToFollowers } from "../publishing/deliver.ts";
import { recordTombstones } from "../publishing/tombstones.ts";
import { offerIri, offerNoteIri } from "../publishing/iris.ts";
import type { GuideLink } from "../publishing/guides.ts";
import { offerActivities } from "./to-as.ts";
import { projectOffer } from "./view-projection.ts";
import type { Claim, ClaimInput, Offer, OfferInput, OfferKind, OfferPatch, OfferStatus } from "./model.ts";
import { claims, offers } from "./schema.ts";
import { LIVE_STATUSES, offerStatus } from "./status.ts";

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

/** Surplus offers and needs: the rules, one transaction per change, then delivery to followers. */
export function offersService(deps: PodDeps, contextFor: () => Context<null>, events: EventDispatcher) {
  const { db, config } = deps;

  type Verb = "create" | "update" | "delete";
  /** Records, in the change's transaction, that followers must be told (run by the event dispatcher). */
  const publishLater = (tx: Parameters<EventDispatcher["record"]>[0], row: Offer, verb: Verb) =>
    events.record(tx, OFFER_CHANGED, { row, verb }, offerIri(config, row).href);

  /** The guides that go with an offer (the memory room answers, once the pod wires it: useGuides). */
  let guidesOf: (offerId: string) => GuideLink[] = () => [];

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

  function find(kind: OfferKind, id: string): Offer {
    const row = db
      .select()
      .from(offers)
      .where(and(eq(offers.id, id), eq(offers.kind, kind)))
      .get();
    if (!row) throw notFound(`no ${kind} ${id}`);
    return row;
  }

  function editable(kind: OfferKind, id: string): Offer {
    const row = find(kind, id);
    if (row.status === "withdrawn") throw conflict(`this ${kind} was withdrawn and can no longer change`);
    return row;
  }

  function claimedMilli(offerId: string): number {
    return Number(
      db
        .select({ total: sum(claims.quantityMilli) })
        .from(claims)
        .where(eq(claims.offerId, offerId))
        .get()?.total ?? 0,
    );
  }

  return {
    useGuides(lookup: (offerId: string) => GuideLink[]): void {
      guidesOf = lookup;
    },
    guidesOf: (offerId: string): GuideLink[] => guidesOf(offerId),

    get: find,

    list(kind: OfferKind, query: { status?: OfferStatus; cursor?: string; limit: number }): Offer[] {
      return db
        .select()
        .from(offers)
        .where(
          and(
            eq(offers.kind, kind),
            query.status ? eq(offers.status, query.status) : undefined,
            query.cursor ? lt(offers.id, query.cursor) : undefined,
          ),
        )
        .orderBy(desc(offers.id))
        .limit(query.limit)
        .all();
    },

    claimsOf(kind: OfferKind, id: string): Claim[] {
      find(kind, id);
      return db.select().from(claims).where(eq(claims.offerId, id)).orderBy(claims.id).all();
    },

    async create(kind: OfferKind, input: OfferInput): Promise<Offer> {
      requireCategory(db, config, input.category, "body.category");
      const now = deps.now();
      if (input.availableUntil && Date.parse(input.availableUntil) <= now.getTime()) {
        throw badRequest("must be in the future", "body.availableUntil");
      }
      const row = db.transaction((tx) => {
        const inserted = tx
          .insert(offers)
          .values({
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
          })
          .returning()
          .get();
        publishLater(tx, inserted, "create");
        return inserted;
      });
      await events.settle();
      return row;
    },

    async update(kind: OfferKind, id: string, patch: OfferPatch): Promise<Offer> {
      if (patch.category !== undefined) requireCategory(db, config, patch.category, "body.category");
      const now = deps.now();
      const row = db.transaction((tx) => {
        const current = editable(kind, id);
        const from = patch.availableFrom === undefined ? current.availableFrom : iso(patch.availableFrom);
        const until = patch.availableUntil === undefined ? current.availableUntil : iso(patch.availableUntil);
        if (from && until && Date.parse(until) <= Date.parse(from))
          throw badRequest("must be after availableFrom", "body.availableUntil");
        const quantityMilli = patch.quantity ?? current.quantityMilli;
        const availableMilli = quantityMilli - claimedMilli(id);
        if (availableMilli < 0) throw badRequest("is less than what has already been claimed", "body.quantity");
        const next = {
          name: patch.name ?? current.name,
          description: patch.description ?? current.description,
          category: patch.category ?? current.category,
          unit: patch.unit ?? current.unit,
          quantityMilli,
          availableMilli,
          availableFrom: from,
          availableUntil: until,
          areaName: patch.area?.name ?? current.areaName,
          latitude: patch.area ? coarse(patch.area.latitude) : current.latitude,
          longitude: patch.area ? coarse(patch.area.longitude) : current.longitude,
          conditions: patch.conditions ?? current.conditions,
          language: patch.language ?? current.language,
          updatedAt: now.toISOString(),
        };
        const status = statusFor({ ...next, status: "open" }, now);
        const updated = tx
          .update(offers)
          .set({ ...next, status })
          .where(eq(offers.id, id))
          .returning()
          .get();
        publishLater(tx, updated, "update");
        return updated;
      });
      await events.settle();
      return row;
    },

    async claim(kind: OfferKind, id: string, input: ClaimInput): Promise<{ offer: Offer; claim: Claim }> {
      const now = deps.now();
      const result = db.transaction((tx) => {
        const current = editable(kind, id);
        if (current.status === "expired") throw conflict(`this ${kind} has expired`);
        if (input.quantity > current.availableMilli)
          throw badRequest("is more than is still available", "body.quantity");
        const claim = tx
          .insert(claims)
          .values({
            id: uuidv7(),
            offerId: id,
            neighbor: input.neighbor,
            quantityMilli: input.quantity,
            note: input.note ?? "",
            createdAt: now.toISOString(),
          })
          .returning()
          .get();
        const availableMilli = current.availableMilli - input.quantity;
        const status = statusFor({ ...current, availableMilli }, now);
        const offer = tx
          .update(offers)
          .set({ availableMilli, status, updatedAt: now.toISOString() })
          .where(eq(offers.id, id))
          .returning()
          .get();
        publishLater(tx, offer, "update");
        return { offer, claim };
      });
      await events.settle();
      return result;
    },

    async withdraw(kind: OfferKind, id: string): Promise<Offer> {
      const now = deps.now();
      const row = db.transaction((tx) => {
        editable(kind, id);
        const updated = tx
          .update(offers)
          .set({ status: "withdrawn", updatedAt: now.toISOString() })
          .where(eq(offers.id, id))
          .returning()
          .get();
        recordTombstones(
          tx,
          [
            { iri: offerIri(config, updated).href, formerType: "Proposal" },
            { iri: offerNoteIri(config, updated).href, formerType: "Note" },
          ],
          now,
        );
        publishLater(tx, updated, "delete");
        return updated;
      });
      await events.settle();
      return row;
    },

    /** Marks offers and needs whose end has passed as expired and tells followers. Returns how many. */
    async expireDue(): Promise<number> {
      const now = deps.now();
      const expired = db.transaction((tx) => {
        const rows = tx
          .update(offers)
          .set({ status: "expired", updatedAt: now.toISOString() })
          .where(and(inArray(offers.status, [...LIVE_STATUSES]), lte(offers.availableUntil, now.toISOString())))
          .returning()
          .all();
        for (const row of rows) publishLater(tx, row, "update");
        return rows;
      });
      await events.settle();
      return expired.length;
    },
  };
}

export type OffersService = ReturnType<typeof offersService>;

/**
 * Counts for a period [from, to) (ISO instants), for the monthly sovereignty report: offers published and
 * claimed, needs met (claimed) and unmet (still open or expired). Read-only; the offers room owns the tables.
 */
export function offerCountsBetween(db: PodDeps["db"], from: string, to: string) {
  const made = (kind: OfferKind) =>
    db
      .select({ status: offers.status })
      .from(offers)
      .where(and(eq(offers.kind, kind), gte(offers.createdAt, from), lt(offers.createdAt, to)))
      .all();
  const claimedIn = (kind: OfferKind) =>
    new Set(
      db
        .select({ offerId: claims.offerId })
        .from(claims)
        .innerJoin(offers, eq(offers.id, claims.offerId))
        .where(and(eq(offers.kind, kind), gte(claims.createdAt, from), lt(claims.createdAt, to)))
        .all()
        .map((row) => row.offerId),
    ).size;
  const needs = made("need");
  return {
    offersGiven: made("offer").filter((row) => row.status !== "withdrawn").length,
    offersClaimed: claimedIn("offer"),
    needsMet: claimedIn("need"),
    needsUnmet: needs.filter((row) => LIVE_STATUSES.includes(row.status as never) || row.status === "expired").length,
  };
}
