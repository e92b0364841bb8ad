import { eq, inArray } from "drizzle-orm";
import type { Placeholders, RoomDb, RoomQueries } from "../db/room-db.ts";
import { tombstones } from "./schema.ts";

export type TombstoneRow = typeof tombstones.$inferSelect;

/**
 * The tombstones table on a RoomDb: `recordWithin(db, …)` records them in the
 * RoomDb write whose `db` it is given (a tombstone already there keeps its first date), on SQLite and PostgreSQL.
 */
export function tombstonesStore(rooms: RoomDb) {
  const t = rooms.table(tombstones);
  // Asked on every page and document read (the 410 check): built and prepared once, not per request.
  const withIri = rooms.prepare((db, p: Placeholders<{ iri: string }>) => db.select().from(t).where(eq(t.iri, p.iri)));
  return {
    async recordWithin(db: RoomQueries, entries: { iri: string; formerType: string }[], at: Date): Promise<void> {
      if (entries.length === 0) return;
      const rows = entries.map((entry) => ({ ...entry, deletedAt: at.toISOString() }));
      await db.insert(t).values(rows).onConflictDoNothing();
    },

    /** Forgets tombstones in a write: the IRIs are in use again (a charter service brought back). */
    async forgetWithin(db: RoomQueries, iris: string[]): Promise<void> {
      if (iris.length > 0) await db.delete(t).where(inArray(t.iri, iris));
    },

    async find(iri: string): Promise<TombstoneRow | undefined> {
      const [row] = await rooms.read((db) => withIri(db, { iri }));
      return row;
    },
  };
}
