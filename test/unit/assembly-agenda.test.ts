/**
 * The agenda draft from its sources: the sections in order, each pod's latest report, needs with or without a
 * matching offer, and text from other pods kept as text (a neighbor's offer name never becomes a link or markup).
 */
import { describe, expect, it } from "vitest";
import { withoutAgendaHeading } from "../../src/assemblies/app-pages.ts";
import { draftAgenda, type AgendaSources } from "../../src/assemblies/agenda.ts";
import type { Assembly } from "../../src/assemblies/model.ts";
import { latestReports } from "../../src/assemblies/reports.ts";
import type { AssemblyTable } from "../../src/assemblies/table.ts";
import type { ViewRow } from "../../src/confederation/view-query.ts";
import { renderMarkdown } from "../../src/practices/markdown.ts";
import { translator } from "../../src/webapp/i18n/index.ts";

const A = "https://a.example/users/pod";
const B = "https://b.example/users/pod";
const C = "https://c.example/users/pod";
const assembly = { id: "x", convenerIri: A } as Assembly;
const row = (fields: Partial<ViewRow>): ViewRow =>
  ({ unit: "kg", availableMilli: 30_000, quantityMilli: 30_000, endsAt: null, ...fields }) as ViewRow;
const t = translator("en");

function sources(table: Partial<AssemblyTable>): AgendaSources {
  return {
    takingPart: async () => new Set([A, B, C]),
    table: () => ({ matches: [], needs: [], unmet: [], wasting: [], uncovered: [], offers: [], ...table }),
    reports: (pods) =>
      latestReports(
        [
          { podIri: B, month: "2026-09", metricIri: "m/meals", unit: "meal", quantityMilli: 1000, fewerThan: null },
          { podIri: B, month: "2026-10", metricIri: "m/meals", unit: "meal", quantityMilli: 120_000, fewerThan: null },
          {
            podIri: B,
            month: "2026-10",
            metricIri: "m/evictions",
            unit: "household",
            quantityMilli: null,
            fewerThan: 3,
          },
          {
            podIri: "https://elsewhere.example/users/pod",
            month: "2026-11",
            metricIri: "m/meals",
            unit: "meal",
            quantityMilli: 5000,
            fewerThan: null,
          },
        ],
        new Map([["m/meals", "Meals prepared"]]),
        pods,
      ),
    openCrises: async () => [],
    proposals: async () => [],
    nameOf: (iri) => new URL(iri).host,
    words: (key, params) => t(`agendaDraft.${key}`, params),
  };
}

describe("the agenda draft", () => {
  it("lists each pod's latest report, the needs with their matches, surplus going to waste", async () => {
    const need = row({ iri: "n1", podIri: B, name: "Flour for the kitchen" });
    const lonely = row({ iri: "n2", podIri: C, name: "Diapers", unit: "packs", availableMilli: 4000 });
    const flour = row({ iri: "o1", podIri: C, name: "Flour", availableMilli: 50_000, endsAt: "2026-12-04T00:00:00Z" });
    const markdown = await draftAgenda(
      assembly,
      sources({
        needs: [need, lonely],
        matches: [{ need: { iri: "n1" }, offers: [{ offer: { name: "Flour", pod: { iri: C } } }] }] as never,
        wasting: [flour],
        uncovered: [{ iri: "cat/food", label: "Food" }],
      }),
    );
    expect(markdown.match(/^### .*/gm)).toEqual([
      "### Reports",
      "### Needs not met yet",
      "### Surplus going to waste",
      "### Services no one covers",
      "### Open crisis threads",
      "### Proposals",
    ]);
    expect(markdown).toContain("**b.example** (2026-10): evictions fewer than 3 household; Meals prepared 120 meal");
    expect(markdown).toContain("**a.example**: no monthly report yet");
    expect(markdown).not.toContain("elsewhere");
    expect(markdown).toContain("**b.example**: Flour for the kitchen 30 kg — could be met by Flour (c.example)");
    expect(markdown).toContain("**c.example**: Diapers 4 packs — no offer of the pods taking part matches yet");
    expect(markdown).toContain("**c.example**: Flour 50 kg — nothing claimed yet, ends 2026-12-04");
    expect(markdown).toContain("- Food");
  });

  it("keeps other pods' words as text: no hidden link, image or markup from an offer's name", async () => {
    const hostile = "[free food](https://evil.example) ![x](https://evil.example/p.png) <b>now</b> **bold**";
    const html = renderMarkdown(
      await draftAgenda(
        assembly,
        sources({ wasting: [row({ iri: "o", podIri: C, name: hostile, endsAt: "2026-12-04" })] }),
      ),
      { linkify: false },
    );
    // A bare URL stays text (the published agenda is not linkified); never a link under other words, never an image.
    expect(html).not.toContain("<a");
    expect(html).not.toContain(">free food</a>");
    expect(html).not.toContain("<img");
    expect(html).not.toContain("<b>now");
    expect(html).toContain("[free food](");
    expect(html).toContain("**bold**");
  });
});

describe("an agenda under its own heading", () => {
  it("shows under the page's Agenda heading alone, in either language; other headings stay", () => {
    expect(withoutAgendaHeading("<h1>Agenda</h1>\n<ul><li>Reports</li></ul>")).toBe("\n<ul><li>Reports</li></ul>");
    expect(withoutAgendaHeading('<h2 id="a">Orden del día</h2><p>Informes</p>')).toBe("<p>Informes</p>");
    expect(withoutAgendaHeading("<h2>Reports</h2><p>Hillside</p>")).toBe("<h2>Reports</h2><p>Hillside</p>");
    expect(withoutAgendaHeading("<p>Agenda</p><h1>Agenda</h1>")).toBe("<p>Agenda</p><h1>Agenda</h1>");
  });
});
