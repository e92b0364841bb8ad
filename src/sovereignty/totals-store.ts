import { and, eq } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { sovereigntyNeighborFigures } from "./schema.ts";

export interface ReceivedFigure {
  metricIri: string;
  unit: string;
  quantityMilli: number | null;
  fewerThan: number | null;
}

export interface PodMonthFigures {
  podIri: string;
  month: string;
  reportIri: string;
  /** The report's `updated` (or `published`): an older version never replaces a newer one. */
  version: string;
  figures: ReceivedFigure[];
  at: Date;
}

/**
 * A pod's figures for a month, replacing what that pod said for that month before (a corrected report
 * replaces the earlier one; each pod's latest counts once). False when what is stored is newer.
 */
export function replaceFigures(db: Db, input: PodMonthFigures): boolean {
  const samePodMonth = and(
    eq(sovereigntyNeighborFigures.podIri, input.podIri),
    eq(sovereigntyNeighborFigures.month, input.month),
  );
  return db.transaction((tx) => {
    const stored = tx
      .select({ version: sovereigntyNeighborFigures.version })
      .from(sovereigntyNeighborFigures)
      .where(samePodMonth)
      .get();
    if (stored && stored.version > input.version) return false;
    tx.delete(sovereigntyNeighborFigures).where(samePodMonth).run();
    for (const figure of input.figures)
      tx.insert(sovereigntyNeighborFigures)
        .values({
          podIri: input.podIri,
          month: input.month,
          reportIri: input.reportIri,
          version: input.version,
          receivedAt: input.at.toISOString(),
          ...figure,
        })
        .onConflictDoNothing()
        .run();
    return true;
  });
}

export type StoredFigure = typeof sovereigntyNeighborFigures.$inferSelect;

export function storedFigures(db: Db, months?: { from: string; to: string }): StoredFigure[] {
  const all = db.select().from(sovereigntyNeighborFigures).all();
  return months ? all.filter((f) => f.month >= months.from && f.month <= months.to) : all;
}

/** Forget a pod's figures (it was unfollowed or deleted itself). */
export function dropPodFigures(db: Db, podIri: string): void {
  db.delete(sovereigntyNeighborFigures).where(eq(sovereigntyNeighborFigures.podIri, podIri)).run();
}
