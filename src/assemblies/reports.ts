import type { PodReport } from "./agenda.ts";

/** A figure from a pod's monthly report, as the sovereignty room stores it (its totals-store reader). */
export interface ReportFigure {
  podIri: string;
  month: string;
  metricIri: string;
  unit: string;
  quantityMilli: number | null;
  fewerThan: number | null;
}

/** Each pod's latest month of figures, labelled in the pod's language where the metric type is known. */
export function latestReports(
  figures: ReportFigure[],
  labels: ReadonlyMap<string, string>,
  pods: readonly string[],
): PodReport[] {
  const wanted = new Set(pods);
  const latest = new Map<string, string>();
  for (const figure of figures) {
    if (!wanted.has(figure.podIri)) continue;
    const month = latest.get(figure.podIri);
    if (!month || figure.month > month) latest.set(figure.podIri, figure.month);
  }
  return [...latest].map(([podIri, month]) => ({
    podIri,
    month,
    figures: figures
      .filter((f) => f.podIri === podIri && f.month === month)
      .sort((a, b) => a.metricIri.localeCompare(b.metricIri))
      .map((f) => ({
        label: labels.get(f.metricIri) ?? f.metricIri.split("/").pop() ?? f.metricIri,
        unit: f.unit,
        quantityMilli: f.quantityMilli,
        fewerThan: f.fewerThan,
      })),
  }));
}
