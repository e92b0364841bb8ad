import { and, eq, inArray, notInArray } from "drizzle-orm";
import type { RoomDb, RoomQueries } from "../db/room-db.ts";
import { InvalidObjectError, type ViewRecord } from "./from-as.ts";
import { viewOwnObjects } from "./schema.ts";

/**
 * This pod's own objects in the view (view_own_objects): what the owning rooms call to keep their
 * projection current. A record comes from the room's converter through from-as.ts, so a local object
 * and a neighbor's are the same view item.
 */

const rowOf = (record: ViewRecord): typeof viewOwnObjects.$inferInsert => {
  const { services: _services, extra, ...columns } = record;
  return { ...columns, extra: JSON.stringify(extra) };
};

/**
 * The pod's own objects in the view are written one change at a time across processes: a rebuild at one process's
 * start reads the rooms' tables inside its write, and a change another process projects meanwhile waits for it
 * (then lands after it) rather than being replaced by what the rebuild read before it.
 */
const OWN_OBJECTS = { oneAtATime: "view: own objects" };

/** Puts (or replaces) one of this pod's objects in the view, or takes it out (withdrawn, unpublished): one write. */
export async function projectOwnObject(rooms: RoomDb, iri: string, record: ViewRecord | null): Promise<void> {
  const t = rooms.table(viewOwnObjects);
  await rooms.write(async (db) => {
    if (!record) return void (await db.delete(t).where(eq(t.iri, iri)));
    const row = rowOf(record);
    await db.insert(t).values(row).onConflictDoUpdate({ target: t.iri, set: row });
  }, OWN_OBJECTS);
}

/**
 * Makes the view's rows of these kinds exactly what `recordsWithin` reads from the rooms' tables, in the same
 * write (at start: the rooms' tables are the truth).
 */
export async function replaceOwnObjects(
  rooms: RoomDb,
  kinds: readonly ViewRecord["kind"][],
  recordsWithin: (db: RoomQueries) => Promise<readonly ViewRecord[]>,
): Promise<void> {
  const t = rooms.table(viewOwnObjects);
  await rooms.write(async (db) => {
    const records = await recordsWithin(db);
    const keep = records.map((r) => r.iri);
    await db.delete(t).where(and(inArray(t.kind, [...kinds]), keep.length ? notInArray(t.iri, keep) : undefined));
    for (const record of records) {
      const row = rowOf(record);
      await db.insert(t).values(row).onConflictDoUpdate({ target: t.iri, set: row });
    }
  }, OWN_OBJECTS);
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
