import { requireCategory } from "../categories/service.ts";
import type { ViewRecord } from "../confederation/from-as.ts";
import { type RoomQueries, roomsOf } from "../db/room-db.ts";
import { projectOwnObject, viewable } from "../confederation/view-projection.ts";
import type { PodDeps } from "../federation/deps.ts";
import { offerIri } from "../publishing/iris.ts";
import type { Offer } from "./model.ts";
import { offersStore } from "./store.ts";
import { offerViewRecord } from "./to-view.ts";

type Deps = Pick<PodDeps, "rooms" | "config">;

const recordOf = ({ rooms, config }: Deps, row: Offer) =>
  offerViewRecord(config, row, requireCategory(rooms, config, row.category, "category"));

/** Keeps this offer's view item current: there while published, gone once withdrawn. */
export async function projectOffer(deps: Deps, row: Offer): Promise<void> {
  const record = row.status === "withdrawn" ? null : viewable(() => recordOf(deps, row));
  await projectOwnObject(roomsOf(deps), offerIri(deps.config, row).href, record);
}

/** Every published offer and need as view items (the projection rebuilt at start, inside its write). */
export async function ownOfferRecords(deps: Deps, db: RoomQueries): Promise<ViewRecord[]> {
  const rows = await offersStore(roomsOf(deps)).allPublishedWithin(db);
  return rows.flatMap((row) => viewable(() => recordOf(deps, row)) ?? []);
}
