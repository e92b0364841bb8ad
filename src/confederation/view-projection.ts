import { and, eq, inArray, notInArray } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { InvalidObjectError, type ViewRecord } from "./from-as.ts";
import { viewOwnObjects } from "./schema.ts";

/**
 * This pod's own objects in the view (view_own_objects): what the owning rooms call to keep their
 * projection current. A record comes from the room's converter through from-as.ts, so a local object
 * and a neighbor's are the same view item.
 */

type Tx = Pick<Db, "insert" | "delete">;

const rowOf = (record: ViewRecord): typeof viewOwnObjects.$inferInsert => {
  const { services: _services, extra, ...columns } = record;
  return { ...columns, extra: JSON.stringify(extra) };
};

/** Puts (or replaces) one of this pod's objects in the view. */
export function putOwnObject(db: Tx, record: ViewRecord): void {
  const row = rowOf(record);
  db.insert(viewOwnObjects).values(row).onConflictDoUpdate({ target: viewOwnObjects.iri, set: row }).run();
}

/** Takes one of this pod's objects out of the view (withdrawn, unpublished). */
export function dropOwnObject(db: Tx, iri: string): void {
  db.delete(viewOwnObjects).where(eq(viewOwnObjects.iri, iri)).run();
}

/** Makes the view's rows of these kinds exactly `records` (at start: the rooms' tables are the truth). */
export function replaceOwnObjects(db: Db, kinds: readonly ViewRecord["kind"][], records: readonly ViewRecord[]): void {
  db.transaction((tx) => {
    const keep = records.map((r) => r.iri);
    tx.delete(viewOwnObjects)
      .where(
        and(inArray(viewOwnObjects.kind, [...kinds]), keep.length ? notInArray(viewOwnObjects.iri, keep) : undefined),
      )
      .run();
    for (const record of records) putOwnObject(tx, record);
  });
}

/**
 * The record, or null when the view would refuse it from a neighbor too (a name that is only markup, say):
 * then it is not in this pod's view either, as it is in no neighbor's.
 */
export function viewable(build: () => ViewRecord): ViewRecord | null {
  try {
    return build();
  } catch (error) {
    if (error instanceof InvalidObjectError) return null;
    throw error;
  }
}
