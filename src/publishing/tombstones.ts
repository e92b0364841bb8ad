import { eq } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { tombstones } from "./schema.ts";

export type TombstoneRow = typeof tombstones.$inferSelect;

export function recordTombstones(db: Pick<Db, "insert">, entries: { iri: string; formerType: string }[], at: Date): void {
  for (const entry of entries) {
    db.insert(tombstones).values({ ...entry, deletedAt: at.toISOString() }).onConflictDoNothing().run();
  }
}

export function findTombstone(db: Db, iri: string): TombstoneRow | undefined {
  return db.select().from(tombstones).where(eq(tombstones.iri, iri)).get();
}
