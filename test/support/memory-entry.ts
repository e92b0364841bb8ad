import type { PublicEntry } from "../../src/memory/to-as.ts";

/** A public memory entry as the store returns it, for converter tests. */
export function memoryEntry(overrides: Partial<PublicEntry> = {}): PublicEntry {
  return {
    id: "0190f3a2-7c1e-7000-8000-00000000e001",
    kind: "decision",
    title: "Close the pantry on Sundays",
    summary: "Volunteers rest one day a week.",
    body: "Three volunteers *burned out* in March.",
    decidedBy: "The assembly",
    alternatives: "Rotate Sundays between teams.",
    reviewOn: "2026-03-01",
    supersededBy: null,
    learned: "",
    changed: "",
    practiceId: null,
    adaptedFrom: null,
    revision: 1,
    visibility: "public",
    status: "active",
    publicationId: "0190f3a2-7c1e-7000-8000-00000000f001",
    language: "en",
    createdAt: "2025-09-01T08:00:00.000Z",
    updatedAt: "2025-09-01T08:00:00.000Z",
    supersededByPid: null,
    ...overrides,
  };
}
