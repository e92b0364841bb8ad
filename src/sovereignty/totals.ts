import { liberatedMilli } from "./report.ts";
import type { StoredFigure } from "./totals-store.ts";

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
  /** Pods that reported a number, and pods that reported "fewer than N". */
  pods: string[];
  fewerThanPods: { podIri: string; fewerThan: number }[];
}

/**
 * Adds up stored figures per month and metric type. Each pod's row for a month is already its latest report
 * (totals-store.ts replaces); the month is the reporting pod's own calendar month, so pods in different time
 * zones add up by month label, not by instant.
 */
export function confederalTotals(rows: StoredFigure[], weights: ReadonlyMap<string, number>): TotalCell[] {
  const cells = new Map<string, TotalCell>();
  for (const row of rows) {
    const key = `${row.month} ${row.metricIri}`;
    let cell = cells.get(key);
    if (!cell) {
      const weightMilli = weights.get(row.metricIri) ?? null;
      cell = {
        month: row.month,
        metricIri: row.metricIri,
        unit: row.unit,
        quantityMilli: 0,
        liberatedMilli: weightMilli === null ? null : 0,
        weightMilli,
        pods: [],
        fewerThanPods: [],
      };
      cells.set(key, cell);
    }
    if (row.quantityMilli === null) {
      cell.fewerThanPods.push({ podIri: row.podIri, fewerThan: row.fewerThan ?? 0 });
      continue;
    }
    cell.quantityMilli += row.quantityMilli;
    cell.pods.push(row.podIri);
  }
  for (const cell of cells.values()) {
    if (cell.weightMilli !== null) cell.liberatedMilli = liberatedMilli(cell.quantityMilli, cell.weightMilli);
    cell.pods.sort();
  }
  return [...cells.values()].sort((a, b) => a.month.localeCompare(b.month) || a.metricIri.localeCompare(b.metricIri));
}
