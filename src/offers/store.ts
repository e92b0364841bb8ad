import { and, count, desc, eq, gte, inArray, lt, lte, ne, notInArray, sql } from "drizzle-orm";
import type { Placeholders, RoomDb, RoomQueries } from "../db/room-db.ts";
import { badRequest, conflict, notFound } from "../http/problem.ts";
import type { Claim, Offer, OfferKind, OfferStatus } from "./model.ts";
import { claims, offers } from "./schema.ts";
import { LIVE_STATUSES } from "./status.ts";

type NewOffer = typeof offers.$inferInsert;
type NewClaim = typeof claims.$inferInsert;
/** What an edit sets besides quantities and status; an undefined field is left as it is. */
export type OfferFields = Partial<
  Omit<Offer, "id" | "kind" | "status" | "quantityMilli" | "availableMilli" | "createdAt" | "updatedAt">
>;
export interface OfferListQuery {
  status?: OfferStatus;
  cursor?: string;
  limit: number;
}

/**
 * The only code that reads or writes the offers room's tables (offers and needs, their claims), on either database.
 * Every change is one conditional UPDATE whose WHERE states what must still hold (not withdrawn, enough left, still
 * due to expire), so a change committed meanwhile by another process is never overwritten (PostgreSQL re-checks the
 * condition on the row another transaction just changed). What was claimed is `quantity - available` on the row.
 */
export function offersStore(rooms: RoomDb) {
  const t = rooms.table(offers);
  const c = rooms.table(claims);

  // An offer's page, the home page's lists and every change read these: built and prepared once, not per request.
  const withId = rooms.prepare((db, p: Placeholders<{ id: string; kind: OfferKind }>) =>
    db
      .select()
      .from(t)
      .where(and(eq(t.id, p.id), eq(t.kind, p.kind))),
  );
  const latestOfKind = rooms.prepare((db, p: Placeholders<{ kind: OfferKind; limit: number }>) =>
    db.select().from(t).where(eq(t.kind, p.kind)).orderBy(desc(t.id)).limit(p.limit),
  );
  const findIn = async (db: RoomQueries, kind: OfferKind, id: string): Promise<Offer | undefined> =>
    (await withId(db, { id, kind }))[0];

  /** Why a conditional change found no row: 404 unknown, 409 withdrawn; otherwise the row, for the caller to say. */
  async function refusal(db: RoomQueries, kind: OfferKind, id: string): Promise<Offer> {
    const row = await findIn(db, kind, id);
    if (!row) throw notFound(`no ${kind} ${id}`);
    if (row.status === "withdrawn") throw conflict(`this ${kind} was withdrawn and can no longer change`);
    return row;
  }

  const published = (kind: OfferKind) => and(eq(t.kind, kind), ne(t.status, "withdrawn"));

  return {
    find: (kind: OfferKind, id: string) => rooms.read((db) => findIn(db, kind, id)),

    /** The row as a write sees it; 404 unknown, 409 withdrawn. */
    editableWithin: refusal,

    list(kind: OfferKind, query: OfferListQuery): Promise<Offer[]> {
      if (!query.status && !query.cursor) return rooms.read((db) => latestOfKind(db, { kind, limit: query.limit }));
      return rooms.read((db) =>
        db
          .select()
          .from(t)
          .where(
            and(
              eq(t.kind, kind),
              query.status ? eq(t.status, query.status) : undefined,
              query.cursor ? lt(t.id, query.cursor) : undefined,
            ),
          )
          .orderBy(desc(t.id))
          .limit(query.limit),
      );
    },

    claimsOf(offerId: string): Promise<Claim[]> {
      return rooms.read((db) => db.select().from(c).where(eq(c.offerId, offerId)).orderBy(c.id));
    },

    /** One kind's published (not withdrawn) rows, newest first, after `cursor`: the collection's pages. */
    publishedPage(kind: OfferKind, cursor: string | undefined, limit: number): Promise<Offer[]> {
      return rooms.read((db) =>
        db
          .select()
          .from(t)
          .where(and(published(kind), cursor ? lt(t.id, cursor) : undefined))
          .orderBy(desc(t.id))
          .limit(limit),
      );
    },

    async countPublished(kind: OfferKind): Promise<number> {
      const [row] = await rooms.read((db) => db.select({ n: count() }).from(t).where(published(kind)));
      return row?.n ?? 0;
    },

    /** Every offer and need not withdrawn (the view's projection, rebuilt at start). */
    allPublishedWithin(db: RoomQueries): Promise<Offer[]> {
      return db.select().from(t).where(ne(t.status, "withdrawn"));
    },

    async insertWithin(db: RoomQueries, row: NewOffer): Promise<Offer> {
      const [inserted] = await db.insert(t).values(row).returning();
      return inserted!;
    },

    /**
     * Sets the fields and, if given, the quantity; what is available follows, keeping what was claimed (in SQL, so
     * a claim committed meanwhile counts). Refused: unknown 404, withdrawn 409, a quantity below the claims 400.
     */
    async changeWithin(
      db: RoomQueries,
      kind: OfferKind,
      id: string,
      fields: OfferFields,
      quantityMilli: number | undefined,
      updatedAt: string,
    ): Promise<Offer> {
      const claimed = sql`(${t.quantityMilli} - ${t.availableMilli})`;
      const quantity =
        quantityMilli === undefined ? {} : { quantityMilli, availableMilli: sql`${quantityMilli} - ${claimed}` };
      const [row] = await db
        .update(t)
        .set({ ...fields, ...quantity, updatedAt })
        .where(
          and(
            eq(t.id, id),
            eq(t.kind, kind),
            ne(t.status, "withdrawn"),
            quantityMilli === undefined ? undefined : sql`${claimed} <= ${quantityMilli}`,
          ),
        )
        .returning();
      if (row) return row;
      await refusal(db, kind, id);
      throw badRequest("is less than what has already been claimed", "body.quantity");
    },

    /**
     * Takes `claim.quantityMilli` from what is available and records the claim: only while enough is left and the
     * offer is neither withdrawn (409) nor expired (409); more than is left is 400. Two claims for the last unit:
     * one is taken, the other refused.
     */
    async claimWithin(db: RoomQueries, kind: OfferKind, claim: NewClaim): Promise<{ offer: Offer; claim: Claim }> {
      const id = claim.offerId;
      const [offer] = await db
        .update(t)
        .set({ availableMilli: sql`${t.availableMilli} - ${claim.quantityMilli}`, updatedAt: claim.createdAt })
        .where(
          and(
            eq(t.id, id),
            eq(t.kind, kind),
            notInArray(t.status, ["withdrawn", "expired"]),
            gte(t.availableMilli, claim.quantityMilli),
          ),
        )
        .returning();
      if (!offer) {
        const current = await refusal(db, kind, id);
        if (current.status === "expired") throw conflict(`this ${kind} has expired`);
        throw badRequest("is more than is still available", "body.quantity");
      }
      const [inserted] = await db.insert(c).values(claim).returning();
      return { offer, claim: inserted! };
    },

    /** Sets the status the row's quantities and dates give (the row is already this write's: it changed it). */
    async statusWithin(db: RoomQueries, row: Offer, status: OfferStatus): Promise<Offer> {
      if (row.status === status) return row;
      const [changed] = await db.update(t).set({ status }).where(eq(t.id, row.id)).returning();
      return changed!;
    },

    /** Withdraws once: a second withdrawal (here or on another process) answers 409, an unknown id 404. */
    async withdrawWithin(db: RoomQueries, kind: OfferKind, id: string, updatedAt: string): Promise<Offer> {
      const [row] = await db
        .update(t)
        .set({ status: "withdrawn", updatedAt })
        .where(and(eq(t.id, id), eq(t.kind, kind), ne(t.status, "withdrawn")))
        .returning();
      if (row) return row;
      await refusal(db, kind, id);
      throw conflict(`this ${kind} was withdrawn and can no longer change`);
    },

    /**
     * Marks live rows whose end has passed as expired, in one statement: a row another process has just edited
     * (a later end, a withdrawal) is checked again as it now is, never overwritten.
     */
    expireDueWithin(db: RoomQueries, now: string): Promise<Offer[]> {
      return db
        .update(t)
        .set({ status: "expired", updatedAt: now })
        .where(and(inArray(t.status, [...LIVE_STATUSES]), lte(t.availableUntil, now)))
        .returning();
    },

    /**
     * Counts for a period [from, to) (ISO instants), for the monthly sovereignty report: offers published and
     * claimed, needs met (claimed) and unmet (still open or expired).
     */
    countsBetween(from: string, to: string) {
      return rooms.read(async (db) => {
        const made = (kind: OfferKind) =>
          db
            .select({ status: t.status })
            .from(t)
            .where(and(eq(t.kind, kind), gte(t.createdAt, from), lt(t.createdAt, to)));
        const claimedIn = async (kind: OfferKind) =>
          new Set(
            (
              await db
                .select({ offerId: c.offerId })
                .from(c)
                .innerJoin(t, eq(t.id, c.offerId))
                .where(and(eq(t.kind, kind), gte(c.createdAt, from), lt(c.createdAt, to)))
            ).map((row) => row.offerId),
          ).size;
        const needs = await made("need");
        return {
          offersGiven: (await made("offer")).filter((row) => row.status !== "withdrawn").length,
          offersClaimed: await claimedIn("offer"),
          needsMet: await claimedIn("need"),
          needsUnmet: needs.filter((row) => LIVE_STATUSES.includes(row.status as never) || row.status === "expired")
            .length,
        };
      });
    },
  };
}

export type OffersStore = ReturnType<typeof offersStore>;
