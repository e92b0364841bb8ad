import { liberatedMilli } from "./report.ts";
import type { TotalsStore } from "./totals-store.ts";

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
export async function confederalTotals(
  store: TotalsStore,
  query: { metricIri?: string; from: string; to: string },
  weights: ReadonlyMap<string, number>,
): Promise<TotalCell[]> {
  const rows = await store.totalsIn(query);
  const cells: TotalCell[] = [];
  for (const row of rows) {
    const listed =
      row.podCount + row.fewerThanCount <= POD_LIST_MAX ? await store.podsOf(row.metricIri, row.month) : null;
    const weightMilli = weights.get(row.metricIri) ?? null;
    cells.push({
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
    });
  }
  return cells;
}
