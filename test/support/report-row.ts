/** A published monthly sovereignty report for converter tests: a count above and one below the threshold. */
import type { Report } from "../../src/sovereignty/model-report.ts";
import { monthBounds } from "../../src/sovereignty/months.ts";

const metric = (slug: string, unit: string, quantityMilli: number, effortMilli = 0) => ({
  slug,
  iri: `https://w3id.org/pods/metrics/${slug}`,
  unit,
  labels: { en: slug, es: slug },
  replaces: "market",
  quantityMilli,
  previousMilli: 0,
  effortMilli,
  weightMilli: 1000,
});

export const reportRow = (overrides: Partial<Report> = {}): Report => ({
  id: "0190f3a2-7c1e-7000-8000-00000000aaaa",
  month: "2026-10",
  status: "published",
  figures: {
    month: "2026-10",
    zone: "America/Mexico_City",
    ...monthBounds("2026-10", "America/Mexico_City"),
    threshold: 3,
    metrics: [metric("meals-prepared", "meal", 120_000, 40_000), metric("evictions-prevented", "household", 2000)],
    services: [],
    next: {
      key: "clinic",
      name: "Street clinic",
      target: "2027-Q1",
      needs: { people: 2, skills: ["nurse"], materials: [] },
    },
    offers: { offersGiven: 5, offersClaimed: 4, needsMet: 1, needsUnmet: 0 },
    practice: { rolesRotated: null, circlesHeld: null, decisions: null, lessons: null },
  },
  intro: "A good month for the kitchen.",
  progress: "A nurse joined.",
  language: "en",
  revision: 1,
  createdAt: "2026-11-01T06:00:00.000Z",
  updatedAt: "2026-11-02T10:00:00.000Z",
  publishedAt: "2026-11-02T10:00:00.000Z",
  ...overrides,
});
