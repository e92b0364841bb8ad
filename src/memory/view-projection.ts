import type { ViewRecord } from "../confederation/from-as.ts";
import { projectOwnObject, replaceOwnObjects, viewable } from "../confederation/view-projection.ts";
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

/** Every public entry as view items (the projection rebuilt at start, by the room's start). */
export async function replaceOwnEntries({ rooms, config }: Deps, rows: PublicEntry[]): Promise<void> {
  const records: ViewRecord[] = rows.flatMap((row) => viewable(() => entryViewRecord(config, row)) ?? []);
  await replaceOwnObjects(rooms, ["memory"], records);
}
