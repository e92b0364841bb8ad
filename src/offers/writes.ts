import { uuidv7 } from "uuidv7";
import type { Config } from "../config/schema.ts";
import type { RoomDb, RoomQueries } from "../db/room-db.ts";
import { badRequest } from "../http/problem.ts";
import { tombstonesStore } from "../publishing/tombstones.ts";
import { offerIri, offerNoteIri } from "../publishing/iris.ts";
import type { Claim, ClaimInput, Offer, OfferInput, OfferKind, OfferPatch, OfferStatus } from "./model.ts";
import { offerStatus } from "./status.ts";
import { offersStore } from "./store.ts";

export type OfferVerb = "create" | "update" | "delete";
/** Records, within the change's write, that followers must be told (the event dispatcher's `recordWithin`). */
export type RecordChange = (db: RoomQueries, row: Offer, verb: OfferVerb) => Promise<unknown>;

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

/**
 * The offers room's changes: each ONE RoomDb write holding the change, its event and (on withdrawal) its
 * tombstones, on either database. The service checks the input against the categories first and settles the
 * events after; the behaviour suite (test/support/offers-contract.ts) runs these very writes on both databases.
 */
export function offerWrites(rooms: RoomDb, config: Config, record: RecordChange) {
  const store = offersStore(rooms);
  const tombstones = tombstonesStore(rooms);

  /** Sets the status its values now give (the write already holds the row), then records the change. */
  async function changed(tx: RoomQueries, row: Offer, now: Date, verb: OfferVerb): Promise<Offer> {
    const settled = await store.statusWithin(tx, row, statusFor(row, now));
    await record(tx, settled, verb);
    return settled;
  }

  return {
    create(kind: OfferKind, input: OfferInput, now: Date): Promise<Offer> {
      return rooms.write(async (tx) => {
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
        await record(tx, inserted, "create");
        return inserted;
      });
    },

    /**
     * Sets what the patch names; an edit may bring an expired offer back (its status follows its new values). Edits
     * of one offer take turns across processes: each checks its start against the end as the other left it.
     */
    update(kind: OfferKind, id: string, patch: OfferPatch, now: Date): Promise<Offer> {
      return rooms.write(
        async (tx) => {
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
            availableFrom: patch.availableFrom === undefined ? undefined : from,
            availableUntil: patch.availableUntil === undefined ? undefined : until,
            areaName: patch.area?.name,
            latitude: patch.area ? coarse(patch.area.latitude) : undefined,
            longitude: patch.area ? coarse(patch.area.longitude) : undefined,
            conditions: patch.conditions,
            language: patch.language,
          };
          const updated = await store.changeWithin(tx, kind, id, fields, patch.quantity, now.toISOString());
          return changed(tx, updated, now, "update");
        },
        { oneAtATime: `offers: edit ${id}` },
      );
    },

    /** A claim is taken only while enough is left; the one that takes the last of it closes the offer (claimed). */
    claim(kind: OfferKind, id: string, input: ClaimInput, now: Date): Promise<{ offer: Offer; claim: Claim }> {
      return rooms.write(async (tx) => {
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
    },

    withdraw(kind: OfferKind, id: string, now: Date): Promise<Offer> {
      return rooms.write(async (tx) => {
        const updated = await store.withdrawWithin(tx, kind, id, now.toISOString());
        await tombstones.recordWithin(
          tx,
          [
            { iri: offerIri(config, updated).href, formerType: "Proposal" },
            { iri: offerNoteIri(config, updated).href, formerType: "Note" },
          ],
          now,
        );
        await record(tx, updated, "delete");
        return updated;
      });
    },

    /** Marks live offers and needs whose end has passed as expired; each one's Update is recorded. */
    expireDue(now: Date): Promise<Offer[]> {
      return rooms.write(async (tx) => {
        const rows = await store.expireDueWithin(tx, now.toISOString());
        for (const row of rows) await record(tx, row, "update");
        return rows;
      });
    },
  };
}
