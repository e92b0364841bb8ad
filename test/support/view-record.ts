import type { ViewRecord } from "../../src/confederation/from-as.ts";

/** A neighbor's offer as the confederal view records it ("Bread", 3 kg, published 2026-11-01), for store tests. */
export function viewOfferRecord(iri: string, podIri: string, extra: Partial<ViewRecord> = {}): ViewRecord {
  return {
    iri,
    kind: "offer",
    podIri,
    name: "Bread",
    summary: "Loaves",
    content: "<p>Loaves</p>",
    url: null,
    categoryIri: null,
    action: "transfer",
    unit: "kg",
    quantityMilli: 3000,
    availableMilli: 3000,
    startsAt: null,
    endsAt: null,
    areaName: null,
    latitude: null,
    longitude: null,
    extra: {},
    adaptedFrom: null,
    published: "2026-11-01T00:00:00.000Z",
    version: "2026-11-01T00:00:00.000Z",
    services: [],
    ...extra,
  };
}
