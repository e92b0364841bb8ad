import { projectOwnObject, replaceOwnObjects, viewable } from "../confederation/view-projection.ts";
import type { RoomQueries } from "../db/room-db.ts";
import type { PodDeps } from "../federation/deps.ts";
import { memoryIri } from "../publishing/iris.ts";
import type { PublicEntry } from "./to-as.ts";
import { entryViewRecord } from "./to-view.ts";

type Deps = Pick<PodDeps, "rooms" | "config">;

/** Keeps a public entry's view item current: there while public, gone once internal or withdrawn. */
export async function projectEntry({ rooms, config }: Deps, row: PublicEntry, present: boolean): Promise<void> {
  const record = present ? viewable(() => entryViewRecord(config, row)) : null;
  await projectOwnObject(rooms, memoryIri(config, row.publicationId).href, record);
}

/** Every public entry as view items, read inside the rebuild's write (at start, by the room's start). */
export async function replaceOwnEntries(
  { rooms, config }: Deps,
  rowsWithin: (db: RoomQueries) => Promise<PublicEntry[]>,
): Promise<void> {
  await replaceOwnObjects(rooms, ["memory"], async (db) =>
    (await rowsWithin(db)).flatMap((row) => viewable(() => entryViewRecord(config, row)) ?? []),
  );
}
