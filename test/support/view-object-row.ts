import type { viewObjects } from "../../src/confederation/schema.ts";

export type ViewObjectRow = typeof viewObjects.$inferInsert;

/** A neighbor's offer as a row of the view's table ("Something", 10 kg in Riverside), for tests that seed it. */
export function viewObjectRow(iri: string, podIri: string, fields: Partial<ViewObjectRow> & { published: string }) {
  const { published } = fields;
  const row: ViewObjectRow = {
    iri,
    kind: "offer",
    podIri,
    name: "Something",
    summary: "",
    content: "",
    url: null,
    categoryIri: null,
    action: "transfer",
    unit: "kg",
    quantityMilli: 10_000,
    availableMilli: 10_000,
    startsAt: null,
    endsAt: null,
    areaName: "Riverside",
    latitude: null,
    longitude: null,
    extra: "{}",
    adaptedFrom: null,
    version: published,
    receivedAt: published,
    ...fields,
  };
  return row;
}
