import type { ViewRecord } from "../confederation/from-as.ts";
import { dropOwnObject, putOwnObject, replaceOwnObjects, viewable } from "../confederation/view-projection.ts";
import type { PodDeps } from "../federation/deps.ts";
import { memoryIri } from "../publishing/iris.ts";
import type { PublicEntry } from "./to-as.ts";
import { entryViewRecord } from "./to-view.ts";

type Deps = Pick<PodDeps, "db" | "config">;

/** Keeps a public entry's view item current: there while public, gone once internal or withdrawn. */
export function projectEntry({ db, config }: Deps, row: PublicEntry, present: boolean): void {
  const record = present ? viewable(() => entryViewRecord(config, row)) : null;
  if (record) putOwnObject(db, record);
  else dropOwnObject(db, memoryIri(config, row.publicationId).href);
}

/**
 * Every public entry as view items (the projection rebuilt at start): the room's start puts them there, since
 * its store is asynchronous and the pod's rebuild of the view (`rebuildOwnView`) is not.
 */
export function replaceOwnEntries({ db, config }: Deps, rows: PublicEntry[]): void {
  const records: ViewRecord[] = rows.flatMap((row) => viewable(() => entryViewRecord(config, row)) ?? []);
  replaceOwnObjects(db, ["memory"], records);
}
