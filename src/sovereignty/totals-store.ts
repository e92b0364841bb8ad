import { and, eq, gte, lte, max, sql } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { preparedOnce } from "../db/prepared.ts";
import { sovereigntyNeighborFigures, sovereigntyTotals } from "./schema.ts";

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
    const before = tx.select().from(sovereigntyNeighborFigures).where(samePodMonth).all();
    for (const old of before) moveTotal(tx, input.month, old, -1);
    tx.delete(sovereigntyNeighborFigures).where(samePodMonth).run();
    for (const figure of input.figures) {
      const stored = tx
        .insert(sovereigntyNeighborFigures)
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
      // Only a stored figure counts: a metric named twice in one report is added once (and taken away once).
      if (stored.changes === 1) moveTotal(tx, input.month, figure, 1);
    }
    return true;
  });
}

type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];

/** Adds (sign 1) or takes away (sign -1) one pod's figure from its month's total. */
function moveTotal(tx: Tx, month: string, figure: ReceivedFigure, sign: 1 | -1): void {
  const t = sovereigntyTotals;
  const reported = figure.quantityMilli === null ? 0 : 1;
  tx.insert(t)
    .values({
      metricIri: figure.metricIri,
      month,
      unit: figure.unit,
      quantityMilli: sign * (figure.quantityMilli ?? 0),
      podCount: sign * reported,
      fewerThanCount: sign * (1 - reported),
      fewerThan: figure.fewerThan,
    })
    .onConflictDoUpdate({
      target: [t.metricIri, t.month],
      set: {
        quantityMilli: sql`${t.quantityMilli} + ${sign * (figure.quantityMilli ?? 0)}`,
        podCount: sql`${t.podCount} + ${sign * reported}`,
        fewerThanCount: sql`${t.fewerThanCount} + ${sign * (1 - reported)}`,
        fewerThan: sql`max(coalesce(${t.fewerThan}, 0), ${figure.fewerThan ?? 0})`,
        ...(figure.unit ? { unit: figure.unit } : {}),
      },
    })
    .run();
  if (sign < 0)
    tx.delete(t)
      .where(and(eq(t.metricIri, figure.metricIri), eq(t.month, month), eq(t.podCount, 0), eq(t.fewerThanCount, 0)))
      .run();
}

export type StoredFigure = typeof sovereigntyNeighborFigures.$inferSelect;

/** Stored figures, of one metric type if given, within months [from, to] if given. */
export function storedFigures(db: Db, query: { metricIri?: string; from?: string; to?: string } = {}): StoredFigure[] {
  const f = sovereigntyNeighborFigures;
  return db
    .select()
    .from(f)
    .where(
      and(
        query.metricIri ? eq(f.metricIri, query.metricIri) : undefined,
        query.from ? gte(f.month, query.from) : undefined,
        query.to ? lte(f.month, query.to) : undefined,
      ),
    )
    .all();
}

const latestOfMetric = (db: Db) =>
  db
    .select({ month: max(sovereigntyTotals.month) })
    .from(sovereigntyTotals)
    .where(eq(sovereigntyTotals.metricIri, sql.placeholder("metric")))
    .prepare();
const latestOfAll = (db: Db) =>
  db
    .select({ month: max(sovereigntyTotals.month) })
    .from(sovereigntyTotals)
    .prepare();

/** The latest month any pod reported (for one metric type if given). */
export function latestMonth(db: Db, metricIri?: string): string | null {
  const row = metricIri
    ? preparedOnce(db, latestOfMetric).get({ metric: metricIri })
    : preparedOnce(db, latestOfAll).get();
  return row?.month ?? null;
}

/** Forget a pod's figures (it was unfollowed or deleted itself). */
export function dropPodFigures(db: Db, podIri: string): void {
  db.transaction((tx) => {
    const rows = tx
      .select()
      .from(sovereigntyNeighborFigures)
      .where(eq(sovereigntyNeighborFigures.podIri, podIri))
      .all();
    for (const row of rows) moveTotal(tx, row.month, row, -1);
    tx.delete(sovereigntyNeighborFigures).where(eq(sovereigntyNeighborFigures.podIri, podIri)).run();
  });
}
