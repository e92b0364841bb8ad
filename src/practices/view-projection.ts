import type { ViewRecord } from "../confederation/from-as.ts";
import { projectOwnObject, viewable } from "../confederation/view-projection.ts";
import type { RoomQueries } from "../db/room-db.ts";
import type { PodDeps } from "../federation/deps.ts";
import { practiceIri } from "../publishing/iris.ts";
import type { Practice } from "./model.ts";
import { practicesStore } from "./store.ts";
import { practiceViewRecord } from "./to-view.ts";

type Deps = Pick<PodDeps, "rooms" | "config">;

/** Keeps this practice's view item current: there while published, gone once withdrawn. */
export async function projectPractice({ rooms, config }: Deps, row: Practice): Promise<void> {
  const record = row.status === "published" ? viewable(() => practiceViewRecord(config, row)) : null;
  await projectOwnObject(rooms, practiceIri(config, row).href, record);
}

/** Every published practice as view items (the projection rebuilt at start, inside its write). */
export async function ownPracticeRecords({ rooms, config }: Deps, db: RoomQueries): Promise<ViewRecord[]> {
  const rows = await practicesStore(rooms).allPublishedWithin(db);
  return rows.flatMap((row) => viewable(() => practiceViewRecord(config, row)) ?? []);
}
