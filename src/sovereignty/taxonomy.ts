/**
 * The shared taxonomy of sovereignty metrics: what a pod does that an outside institution did before. Every
 * pod knows these, so a metric IRI means the same thing across the federation (like the shared categories);
 * a pod adds its own under its own URL. Default weights (hours of life liberated per unit) are explained in
 * docs/sovereignty.md.
 */
export const SHARED_METRIC_BASE = "https://w3id.org/pods/metrics/";

export const INSTITUTIONS = ["state", "police", "market", "landlord", "clinic", "charity", "utility"] as const;
export type Institution = (typeof INSTITUTIONS)[number];

export interface MetricTypeDefinition {
  slug: string;
  en: string;
  es: string;
  /** The unit quantities are counted in (also om2:hasUnit on the wire). */
  unit: string;
  /** The shared category (categories/taxonomy.ts) of the charter service it belongs to. */
  category: string;
  /** The outside institution whose role the pod takes. */
  replaces: Institution;
  /** Hours of life liberated per unit, by default. */
  weight: number;
}

export const SHARED_METRIC_TYPES: readonly MetricTypeDefinition[] = [
  {
    slug: "meals-prepared",
    en: "Meals prepared",
    es: "Comidas preparadas",
    unit: "meal",
    category: "meals",
    replaces: "market",
    weight: 1,
  },
  {
    slug: "deliveries",
    en: "Deliveries",
    es: "Entregas",
    unit: "delivery",
    category: "transport",
    replaces: "market",
    weight: 0.5,
  },
  {
    slug: "disputes-mediated",
    en: "Disputes mediated without police",
    es: "Conflictos mediados sin policía",
    unit: "dispute",
    category: "mediation",
    replaces: "police",
    weight: 6,
  },
  {
    slug: "evictions-prevented",
    en: "Evictions prevented",
    es: "Desalojos evitados",
    unit: "household",
    category: "housing",
    replaces: "landlord",
    weight: 40,
  },
  {
    slug: "care-accompaniments",
    en: "Accompaniments to care",
    es: "Acompañamientos a atención médica",
    unit: "accompaniment",
    category: "health",
    replaces: "clinic",
    weight: 3,
  },
  {
    slug: "care-hours",
    en: "Care hours",
    es: "Horas de cuidado",
    unit: "hour",
    category: "eldercare",
    replaces: "state",
    weight: 1,
  },
  {
    slug: "repairs",
    en: "Repairs",
    es: "Reparaciones",
    unit: "repair",
    category: "repair",
    replaces: "market",
    weight: 2,
  },
  {
    slug: "community-energy",
    en: "Community energy",
    es: "Energía comunitaria",
    unit: "kWh",
    category: "energy",
    replaces: "utility",
    weight: 0.1,
  },
  {
    slug: "households-served",
    en: "Households served",
    es: "Hogares atendidos",
    unit: "household",
    category: "food",
    replaces: "charity",
    weight: 0,
  },
];

export const METRIC_SLUG = /^[a-z0-9][a-z0-9-]{0,39}$/;

/** A unit is a word or two ("meal", "kWh", "h"): never markup or a spreadsheet formula (pods refuse others). */
export const METRIC_UNIT = /^[\p{L}\p{N}][\p{L}\p{N} ._/-]{0,39}$/u;
