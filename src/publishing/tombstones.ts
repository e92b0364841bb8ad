import { eq, sql } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { tombstones } from "./schema.ts";

export type TombstoneRow = typeof tombstones.$inferSelect;

export function recordTombstones(
  db: Pick<Db, "insert">,
  entries: { iri: string; formerType: string }[],
  at: Date,
): void {
  for (const entry of entries) {
    db.insert(tombstones)
      .values({ ...entry, deletedAt: at.toISOString() })
      .onConflictDoNothing()
      .run();
  }
}

// Every GET and HEAD looks here first: the query is built and prepared once per database, not per request.
const prepared = new WeakMap<Db, { get(values: { iri: string }): TombstoneRow | undefined }>();

export function findTombstone(db: Db, iri: string): TombstoneRow | undefined {
  let query = prepared.get(db);
  if (!query) {
    query = db
      .select()
      .from(tombstones)
      .where(eq(tombstones.iri, sql.placeholder("iri")))
      .prepare();
    prepared.set(db, query);
  }
  return query.get({ iri });
}
