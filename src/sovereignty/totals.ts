import { and, asc, eq, gte, lte, sql } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { preparedOnce } from "../db/prepared.ts";
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
  const rows = query.metricIri
    ? preparedOnce(db, totalsOfMetric).all({ metric: query.metricIri, from: query.from, to: query.to })
    : preparedOnce(db, totalsOfAll).all({ from: query.from, to: query.to });
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

// Each chart, JSON or CSV request reads here: built and prepared once per database, not per request.
const inMonths = () =>
  and(gte(sovereigntyTotals.month, sql.placeholder("from")), lte(sovereigntyTotals.month, sql.placeholder("to")));
const totalsOfMetric = (db: Db) =>
  db
    .select()
    .from(sovereigntyTotals)
    .where(and(eq(sovereigntyTotals.metricIri, sql.placeholder("metric")), inMonths()))
    .orderBy(asc(sovereigntyTotals.month))
    .prepare();
const totalsOfAll = (db: Db) =>
  db
    .select()
    .from(sovereigntyTotals)
    .where(inMonths())
    .orderBy(asc(sovereigntyTotals.month), asc(sovereigntyTotals.metricIri))
    .prepare();
const podsOfCell = (db: Db) =>
  db
    .select({ podIri: sovereigntyNeighborFigures.podIri, quantityMilli: sovereigntyNeighborFigures.quantityMilli })
    .from(sovereigntyNeighborFigures)
    .where(
      and(
        eq(sovereigntyNeighborFigures.metricIri, sql.placeholder("metric")),
        eq(sovereigntyNeighborFigures.month, sql.placeholder("month")),
      ),
    )
    .orderBy(asc(sovereigntyNeighborFigures.podIri))
    .prepare();

const podsOf = (db: Db, metricIri: string, month: string) =>
  preparedOnce(db, podsOfCell).all({ metric: metricIri, month });
