import type { MetricType } from "./model.ts";
import type { MonthTotal } from "./ledger.ts";

/** What a monthly report counts, as drafted from the ledger and the other rooms' reads. */
export interface ReportFigures {
  month: string;
  zone: string;
  /** The month's first instant and the next month's, with the zone's offset. */
  start: string;
  end: string;
  threshold: number;
  metrics: MetricFigure[];
  services: ServiceFigure[];
  next: {
    key: string;
    name: string;
    target: string;
    needs: { people: number; skills: string[]; materials: string[] };
  } | null;
  offers: { offersGiven: number; offersClaimed: number; needsMet: number; needsUnmet: number };
  /**
   * Seats that changed hands (handoffs), circles held, decisions and lessons recorded in the month, from the
   * rotation, care and memory rooms; null in reports drafted before those rooms counted. Counts only, never names.
   */
  practice: {
    rolesRotated: number | null;
    circlesHeld: number | null;
    decisions: number | null;
    lessons: number | null;
  };
}

export interface MetricFigure {
  slug: string;
  iri: string;
  unit: string;
  labels: { en: string; es: string };
  replaces: string;
  quantityMilli: number;
  previousMilli: number;
  effortMilli: number;
  weightMilli: number;
}

export interface ServiceFigure {
  /** The charter service's key; null for entries without one. */
  key: string | null;
  name: string | null;
  totals: { slug: string; quantityMilli: number; previousMilli: number }[];
}

export interface DraftInputs {
  month: string;
  zone: string;
  bounds: { start: string; end: string };
  threshold: number;
  types: MetricType[];
  totals: MonthTotal[];
  previous: MonthTotal[];
  services: { key: string; name: string }[];
  next: ReportFigures["next"];
  offers: ReportFigures["offers"];
  practice: ReportFigures["practice"];
}

const sumBy = (rows: MonthTotal[], keep: (row: MonthTotal) => boolean, pick: (row: MonthTotal) => number) =>
  rows.filter(keep).reduce((total, row) => total + pick(row), 0);

/** The report's figures: per metric type (with last month's), per charter service, the next service, offers. */
export function draftFigures(input: DraftInputs): ReportFigures {
  const used = new Set([...input.totals, ...input.previous].map((row) => row.metric));
  const metrics = input.types
    .filter((type) => used.has(type.slug))
    .map((type) => ({
      slug: type.slug,
      iri: type.iri,
      unit: type.unit,
      labels: type.labels,
      replaces: String(type.replaces),
      quantityMilli: sumBy(
        input.totals,
        (r) => r.metric === type.slug,
        (r) => r.quantityMilli,
      ),
      previousMilli: sumBy(
        input.previous,
        (r) => r.metric === type.slug,
        (r) => r.quantityMilli,
      ),
      effortMilli: sumBy(
        input.totals,
        (r) => r.metric === type.slug,
        (r) => r.effortMilli,
      ),
      weightMilli: type.weightMilli,
    }));
  const names = new Map(input.services.map((s) => [s.key, s.name]));
  const keys = [...new Set([...input.totals, ...input.previous].map((row) => row.service))];
  const services = keys.map((key) => ({
    key,
    name: key === null ? null : (names.get(key) ?? key),
    totals: metrics
      .map((m) => ({
        slug: m.slug,
        quantityMilli: sumBy(
          input.totals,
          (r) => r.service === key && r.metric === m.slug,
          (r) => r.quantityMilli,
        ),
        previousMilli: sumBy(
          input.previous,
          (r) => r.service === key && r.metric === m.slug,
          (r) => r.quantityMilli,
        ),
      }))
      .filter((t) => t.quantityMilli > 0 || t.previousMilli > 0),
  }));
  return {
    month: input.month,
    zone: input.zone,
    start: input.bounds.start,
    end: input.bounds.end,
    threshold: input.threshold,
    metrics,
    services,
    next: input.next,
    offers: input.offers,
    practice: input.practice,
  };
}

/** A count that could point at a household: above zero and below the threshold. */
export const isSmall = (milli: number, threshold: number) => milli > 0 && milli < threshold * 1000;

/** Hours of life liberated by one figure: quantity × the weight (hours per unit), in thousandths. */
export const liberatedMilli = (quantityMilli: number, weightMilli: number) =>
  Math.round((quantityMilli * weightMilli) / 1000);
