/**
 * Matching needs and offers across the confederal view and this pod's own: the score, its reasons, the
 * rules (same category, something left), and the barter table over HTTP in both directions.
 */
import { startViewApp, type ViewApp } from "../support/view-app.ts";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MATCH_WEIGHTS, scoreMatch, wordsOf, type MatchInput } from "../../src/confederation/matching.ts";
import { neighborPods, viewObjects, viewPaths } from "../../src/confederation/schema.ts";
import type { DatabaseHandle } from "../../src/db/client.ts";
import { offers } from "../../src/offers/schema.ts";

const CAT = "https://w3id.org/pods/categories/";
const DAY = 86_400_000;
const NOW = new Date("2026-06-01T12:00:00.000Z");
const at = (ms: number) => new Date(NOW.getTime() + ms).toISOString();
const ORIGIN = "http://127.0.0.1:1";
const SELF = `${ORIGIN}/users/pod`;
const B = "https://b.example/users/pod";
const C = "https://c.example/users/pod";

const input = (overrides: Partial<MatchInput>): MatchInput => ({
  name: "",
  summary: "",
  categoryIri: `${CAT}food`,
  unit: "kg",
  availableMilli: 10_000,
  quantityMilli: 10_000,
  latitude: null,
  longitude: null,
  ...overrides,
});

describe("scoreMatch", () => {
  it("needs the same category", () => {
    expect(scoreMatch(input({ name: "apples" }), input({ name: "apples", categoryIri: `${CAT}tools` }))).toBeNull();
    expect(scoreMatch(input({ categoryIri: null }), input({ categoryIri: null }))).toBeNull();
  });

  it("needs something left on both sides", () => {
    expect(scoreMatch(input({}), input({ availableMilli: 0 }))).toBeNull();
    expect(scoreMatch(input({ availableMilli: 0 }), input({}))).toBeNull();
  });

  it("scores shared words, quantity coverage and distance, and says why", () => {
    const need = input({
      name: "Apples for juice",
      summary: "The school needs apples",
      availableMilli: 15_000,
      latitude: 51.5,
      longitude: -0.1,
    });
    const offer = input({
      name: "Windfall apples",
      summary: "From the orchard",
      availableMilli: 20_000,
      latitude: 51.5,
      longitude: -0.1,
    });
    const result = scoreMatch(need, offer, { categoryLabel: "Food" })!;
    expect(result.reasons).toEqual([
      "same category: Food",
      "shared words: apple",
      "covers the whole need: 20 kg available, 15 kg needed",
      "0 km apart",
    ]);
    expect(result.score).toBeCloseTo(
      MATCH_WEIGHTS.category + MATCH_WEIGHTS.words / 3 + MATCH_WEIGHTS.quantity + MATCH_WEIGHTS.distance,
      3,
    );
  });

  it("scores partial coverage by the share covered, and nothing for other units", () => {
    const half = scoreMatch(input({ availableMilli: 10_000 }), input({ availableMilli: 5_000 }))!;
    expect(half.reasons).toContain("covers 50% of the need: 5 of 10 kg");
    expect(half.score).toBeCloseTo(MATCH_WEIGHTS.category + MATCH_WEIGHTS.quantity / 2, 3);
    const units = scoreMatch(input({ unit: "kg" }), input({ unit: "boxes" }))!;
    expect(units.reasons).toContain("different units: needed in kg, offered in boxes");
    expect(units.score).toBe(MATCH_WEIGHTS.category);
  });

  it("scores closer offers higher", () => {
    const need = input({ latitude: 51.5, longitude: -0.1 });
    const near = scoreMatch(need, input({ latitude: 51.52, longitude: -0.1 }))!;
    const far = scoreMatch(need, input({ latitude: 51.8, longitude: -0.1 }))!;
    const abroad = scoreMatch(need, input({ latitude: 48.85, longitude: 2.35 }))!;
    expect(near.score).toBeGreaterThan(far.score);
    expect(far.score).toBeGreaterThan(abroad.score);
    expect(abroad.reasons.at(-1)).toMatch(/^3\d\d(\.\d)? km apart$/);
  });

  it("compares words without case, accents, plurals or filler", () => {
    expect([...wordsOf("Café CAFÉS and the Tomatoes, needed!")]).toEqual(["cafe", "tomatoe"]);
  });
});

describe("the barter table over HTTP", () => {
  let view: ViewApp;
  let app: FastifyInstance;

  beforeAll(async () => {
    view = await startViewApp({ origin: ORIGIN, now: () => NOW, seed });
    app = view.app;
  });

  afterAll(async () => {
    await view?.close();
  });

  function seed({ db }: DatabaseHandle) {
    db.insert(neighborPods)
      .values([
        { actorIri: B, name: "Pod B", handle: null, url: null, updatedAt: at(-DAY) },
        { actorIri: C, name: "Pod C", handle: null, url: null, updatedAt: at(-DAY) },
      ])
      .run();
    const view = (iri: string, o: Partial<typeof viewObjects.$inferInsert>): typeof viewObjects.$inferInsert => ({
      iri,
      kind: "offer",
      podIri: B,
      name: "",
      summary: "",
      content: "",
      url: iri,
      categoryIri: `${CAT}food`,
      unit: "kg",
      quantityMilli: 10_000,
      availableMilli: 10_000,
      published: at(-DAY),
      version: at(-DAY),
      receivedAt: at(-DAY),
      extra: "{}",
      ...o,
    });
    const rows = [
      view("https://b.example/offers/apples", {
        name: "Windfall apples",
        summary: "From the orchard",
        quantityMilli: 20_000,
        availableMilli: 20_000,
        latitude: 51.5,
        longitude: -0.1,
      }),
      view("https://c.example/offers/rice", {
        podIri: C,
        name: "Rice",
        summary: "Brown rice sacks",
        published: at(-2 * DAY),
      }),
      view("https://b.example/offers/old-apples", { name: "Old apples", endsAt: at(-DAY), published: at(-3 * DAY) }),
      view("https://b.example/offers/gone-apples", {
        name: "Apples, all taken",
        availableMilli: 0,
        published: at(-3 * DAY),
      }),
      view("https://b.example/offers/coats", { name: "Coats", categoryIri: `${CAT}clothing`, unit: "coats" }),
      view("https://c.example/needs/blankets", {
        kind: "need",
        podIri: C,
        name: "Warm blankets",
        summary: "For the night shelter",
        categoryIri: `${CAT}clothing`,
        unit: "blankets",
        quantityMilli: 20_000,
        availableMilli: 20_000,
      }),
      view("https://c.example/needs/apples", {
        kind: "need",
        podIri: C,
        name: "Apples for the school",
        quantityMilli: 5_000,
        availableMilli: 5_000,
        published: at(-2 * DAY),
      }),
    ];
    db.insert(viewObjects).values(rows).run();
    db.insert(viewPaths)
      .values(rows.map((r) => ({ objectIri: r.iri, viaIri: r.podIri, announceIri: null, receivedAt: r.receivedAt })))
      .run();
    const own = (id: string, o: Partial<typeof offers.$inferInsert>): typeof offers.$inferInsert => ({
      id,
      kind: "need",
      name: "",
      description: "",
      category: "food",
      unit: "kg",
      quantityMilli: 15_000,
      availableMilli: 15_000,
      availableFrom: null,
      availableUntil: null,
      areaName: "Riverside",
      latitude: 51.51,
      longitude: -0.1,
      conditions: "",
      language: "en",
      status: "open",
      createdAt: at(-DAY / 2),
      updatedAt: at(-DAY / 2),
      ...o,
    });
    db.insert(offers)
      .values([
        own("01963c6e-0000-7000-8000-000000000001", {
          name: "Apples for juice",
          description: "Our juice day needs apples",
        }),
        own("01963c6e-0000-7000-8000-000000000002", {
          name: "Childminder on Saturdays",
          category: "childcare",
          unit: "hours",
        }),
        own("01963c6e-0000-7000-8000-000000000003", {
          kind: "offer",
          name: "Spare blankets",
          description: "Wool blankets",
          category: "clothing",
          unit: "blankets",
          quantityMilli: 8_000,
          availableMilli: 8_000,
        }),
        own("01963c6e-0000-7000-8000-000000000004", {
          kind: "offer",
          name: "Withdrawn blankets",
          category: "clothing",
          unit: "blankets",
          status: "withdrawn",
        }),
      ])
      .run();
  }

  const get = async (url: string) => {
    const response = await app.inject({ method: "GET", url });
    return { status: response.statusCode, body: response.json() };
  };

  interface Row {
    need?: { iri: string; name: string; pod: { iri: string; name: string | null } };
    offer?: { iri: string; name: string; pod: { iri: string; name: string | null } };
    offers?: { offer: { iri: string; name: string; pod: { iri: string } }; score: number; reasons: string[] }[];
    needs?: { need: { iri: string; name: string; pod: { iri: string } }; score: number; reasons: string[] }[];
  }

  it("matches this pod's need to a neighbor's offer of the same category, best first, with reasons", async () => {
    const { status, body } = await get(`/view/matches?pod=${encodeURIComponent(SELF)}`);
    expect(status).toBe(200);
    const items = body.items as Row[];
    expect(items.map((i) => i.need!.name)).toEqual(["Apples for juice"]);
    const [row] = items;
    expect(row!.need!.pod).toEqual({ iri: SELF, name: "Neighborhood pod" });
    expect(row!.need!.iri).toBe(`${ORIGIN}/needs/01963c6e-0000-7000-8000-000000000001`);
    expect(row!.offers!.map((o) => o.offer.name)).toEqual(["Windfall apples", "Rice"]);
    const apples = row!.offers![0]!;
    expect(apples.offer.pod.iri).toBe(B);
    expect(apples.reasons).toEqual([
      "same category: Food",
      "shared words: apple",
      "covers the whole need: 20 kg available, 15 kg needed",
      "1.1 km apart",
    ]);
    expect(apples.score).toBeGreaterThan(row!.offers![1]!.score);
    // A different category (coats), an expired offer and a fully claimed one are not candidates.
    const offered = row!.offers!.map((o) => o.offer.name);
    expect(offered).not.toContain("Coats");
    expect(offered).not.toContain("Old apples");
    expect(offered).not.toContain("Apples, all taken");
  });

  it("leaves out needs nothing in their category could meet", async () => {
    const items = (await get("/view/matches?limit=200")).body.items as Row[];
    expect(items.map((i) => i.need!.name)).not.toContain("Childminder on Saturdays");
    expect(items.map((i) => i.need!.name)).toEqual(["Apples for juice", "Warm blankets", "Apples for the school"]);
  });

  it("matches a neighbor's need to this pod's own offer", async () => {
    const items = (await get(`/view/matches?pod=${encodeURIComponent(C)}&category=clothing`)).body.items as Row[];
    expect(items).toHaveLength(1);
    // Coats share the category but not the words or the unit: listed, below the blankets.
    expect(items[0]!.offers!.map((o) => [o.offer.name, o.offer.pod.iri])).toEqual([
      ["Spare blankets", SELF],
      ["Coats", B],
    ]);
    expect(items[0]!.offers![0]!.reasons).toContain("shared words: blanket");
    expect(items[0]!.offers![0]!.reasons).toContain("covers 40% of the need: 8 of 20 blankets");
    expect(items[0]!.offers![1]!.reasons).toContain("different units: needed in blankets, offered in coats");
  });

  it("gives the mirror: for each offer, the needs it could meet", async () => {
    const { status, body } = await get("/view/matches?kind=offer&category=food");
    expect(status).toBe(200);
    const items = body.items as Row[];
    const apples = items.find((i) => i.offer!.name === "Windfall apples")!;
    expect(apples.needs!.map((n) => [n.need.name, n.need.pod.iri])).toEqual([
      ["Apples for juice", SELF],
      ["Apples for the school", C],
    ]);
    expect(apples.needs![0]!.reasons[0]).toBe("same category: Food");
  });

  it("pages the barter table by cursor without repeats", async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { items: Row[]; nextCursor: string | null } } = await get(
        `/view/matches?limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
      );
      seen.push(...page.body.items.map((i) => i.need!.iri));
      cursor = page.body.nextCursor;
    } while (cursor);
    const whole = ((await get("/view/matches?limit=200")).body.items as Row[]).map((i) => i.need!.iri);
    expect(seen).toEqual(whole);
  });

  it("refuses a side that is not need or offer, naming kind", async () => {
    const { status, body } = await get("/view/matches?kind=charter");
    expect(status).toBe(400);
    expect(body.field).toBe("querystring.kind");
  });
});
