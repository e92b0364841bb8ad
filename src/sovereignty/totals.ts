import { and, asc, eq, gte, lte } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { liberatedMilli } from "./report.ts";
import { sovereigntyNeighborFigures, sovereigntyTotals } from "./schema.ts";

/** One cell of the confederal totals: a metric type in a month, across the pods that reported it. */
export interface TotalCell {
  month: string;
  metricIri: string;
  unit: string;
  /** Sum of the numbers published (figures shown as "fewer than" add nothing). */
  quantityMilli: number;
  /** Hours of life liberated by that sum, with this pod's weight for the type (null: no weight known). */
  liberatedMilli: number | null;
  weightMilli: number | null;
  /** How many pods reported a number; their IRIs when at most POD_LIST_MAX pods reported (else null). */
  podCount: number;
  pods: string[] | null;
  /** Pods that reported "fewer than N" (IRIs listed under the same bound). */
  fewerThanCount: number;
  fewerThan: number | null;
  fewerThanPods: string[] | null;
}

/** Beyond this many pods in a cell, the cell gives counts, not the list (a page stays small and quick). */
export const POD_LIST_MAX = 50;

/**
 * The totals per month and metric type. Each pod's figures for a month are its latest report (totals-store.ts
 * replaces them and moves the sums in the same transaction, so a correction replaces, never adds); the month
 * is the reporting pod's own calendar month, so pods in different time zones add up by month label, not by
 * instant. Weights are this pod's, applied to the sums.
 */
export function confederalTotals(
  db: Db,
  query: { metricIri?: string; from: string; to: string },
  weights: ReadonlyMap<string, number>,
): TotalCell[] {
  const t = sovereigntyTotals;
  const rows = db
    .select()
    .from(t)
    .where(
      and(
        query.metricIri ? eq(t.metricIri, query.metricIri) : undefined,
        gte(t.month, query.from),
        lte(t.month, query.to),
      ),
    )
    .orderBy(asc(t.month), asc(t.metricIri))
    .all();
  return rows.map((row) => {
    const listed = row.podCount + row.fewerThanCount <= POD_LIST_MAX ? podsOf(db, row.metricIri, row.month) : null;
    const weightMilli = weights.get(row.metricIri) ?? null;
    return {
      month: row.month,
      metricIri: row.metricIri,
      unit: row.unit,
      quantityMilli: row.quantityMilli,
      weightMilli,
      liberatedMilli: weightMilli === null ? null : liberatedMilli(row.quantityMilli, weightMilli),
      podCount: row.podCount,
      pods: listed?.filter((p) => p.quantityMilli !== null).map((p) => p.podIri) ?? null,
      fewerThanCount: row.fewerThanCount,
      fewerThan: row.fewerThanCount > 0 ? row.fewerThan : null,
      fewerThanPods: listed?.filter((p) => p.quantityMilli === null).map((p) => p.podIri) ?? null,
    };
  });
}

function podsOf(db: Db, metricIri: string, month: string) {
  const f = sovereigntyNeighborFigures;
  return db
    .select({ podIri: f.podIri, quantityMilli: f.quantityMilli })
    .from(f)
    .where(and(eq(f.metricIri, metricIri), eq(f.month, month)))
    .orderBy(asc(f.podIri))
    .all();
}
