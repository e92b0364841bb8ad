/**
 * The confederal view's read side over HTTP: the tables are seeded directly (the ingest that fills them
 * is tested elsewhere) and the public routes driven through a Fastify instance with the app's problem
 * handlers. Filters, cursor pagination, refusals naming the filter, expiry by the request's clock, the
 * service map, practice spread, and every feed format against the JSON API.
 */
import { startViewApp, type ViewApp } from "../support/view-app.ts";
import { parseFeed } from "@rowanmanning/feed-parser";
import { parse as parseCsv } from "csv-parse/sync";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { charterRevisions } from "../../src/charters/schema.ts";
import { neighborPods, viewObjects, viewPaths, viewServices } from "../../src/confederation/schema.ts";
import type { DatabaseHandle } from "../../src/db/client.ts";
import { practices } from "../../src/practices/schema.ts";
import { type ViewObjectRow, viewObjectRow } from "../support/view-object-row.ts";

const CAT = "https://w3id.org/pods/categories/";
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const START = new Date("2026-06-01T12:00:00.000Z");
const SELF = "http://127.0.0.1:1/users/pod";
const B = "https://b.example/users/pod";
const C = "https://c.example/users/pod";
const D = "https://d.example/users/pod";
const XSS_NAME = `<script>alert("x")</script> & co`;

const at = (ms: number) => new Date(START.getTime() + ms).toISOString();

type ObjectRow = ViewObjectRow;

function object(iri: string, overrides: Partial<ObjectRow>): ObjectRow {
  return viewObjectRow(iri, B, {
    url: iri,
    categoryIri: `${CAT}food`,
    ...overrides,
    published: overrides.published ?? at(-DAY),
  });
}

interface Item {
  iri: string;
  kind: string;
  pod: { iri: string; name: string | null };
  name: string;
  summary: string;
  category: { iri: string; slug?: string; label?: string } | null;
  quantity: string | null;
  available: string | null;
  unit: string | null;
  area: string | null;
  latitude: number | null;
  longitude: number | null;
  startsAt: string | null;
  endsAt: string | null;
  url: string | null;
  published: string;
  status?: string;
  paths: { via: string; receivedAt: string }[];
  distanceKm?: number;
}

describe("the confederal view over HTTP", () => {
  let view: ViewApp;
  let app: FastifyInstance;
  let clock = START;

  beforeAll(async () => {
    view = await startViewApp({ origin: "http://127.0.0.1:1", now: () => clock, seed });
    app = view.app;
  });

  afterAll(async () => {
    await view?.close();
  });

  function seed({ db }: DatabaseHandle) {
    db.insert(neighborPods)
      .values([
        { actorIri: B, name: "Pod B", handle: "@pod@b.example", url: "https://b.example/", updatedAt: at(-DAY) },
        { actorIri: C, name: "Pod C", handle: "@pod@c.example", url: "https://c.example/", updatedAt: at(-DAY) },
        { actorIri: D, name: "Pod D", handle: "@pod@d.example", url: "https://d.example/", updatedAt: at(-DAY) },
      ])
      .run();
    const offers: ObjectRow[] = [
      object("https://b.example/offers/apples", {
        name: "Windfall apples",
        summary: "Apples from the community orchard",
        quantityMilli: 20_000,
        availableMilli: 20_000,
        endsAt: at(10 * DAY),
        latitude: 51.5,
        longitude: -0.1,
        published: at(-1 * DAY),
      }),
      object("https://c.example/offers/bread", {
        podIri: C,
        name: "Day-old bread",
        summary: "Sourdough loaves",
        unit: "loaves",
        quantityMilli: 10_000,
        availableMilli: 5_500,
        startsAt: at(-DAY),
        endsAt: at(2 * DAY),
        latitude: 51.52,
        longitude: -0.08,
        areaName: "Old Town",
        published: at(-2 * DAY),
      }),
      object("https://b.example/offers/drill", {
        name: "Cordless drill",
        summary: "Lend for a weekend",
        categoryIri: `${CAT}tools`,
        unit: "drills",
        quantityMilli: 1_000,
        availableMilli: 1_000,
        startsAt: at(5 * DAY),
        published: at(-3 * DAY),
      }),
      object("https://c.example/offers/soup", {
        podIri: C,
        name: "Leek soup",
        categoryIri: `${CAT}meals`,
        endsAt: at(-DAY),
        published: at(-4 * DAY),
      }),
      object("https://b.example/offers/coats", {
        name: "Winter coats",
        categoryIri: `${CAT}clothing`,
        availableMilli: 0,
        published: at(-5 * DAY),
      }),
      object("https://d.example/offers/xss", {
        podIri: D,
        name: XSS_NAME,
        summary: `<img src=x onerror=alert(1)> "quoted"`,
        published: at(-6 * DAY),
      }),
      object("https://c.example/offers/lentils", {
        podIri: C,
        name: "Lentils",
        summary: "Dry red lentils",
        endsAt: at(30 * DAY),
        latitude: 48.85,
        longitude: 2.35,
        areaName: "Paris",
        published: at(-7 * DAY),
      }),
      object("https://d.example/offers/milk", {
        podIri: D,
        name: "Milk",
        summary: "Fresh milk, ends within the hour",
        endsAt: at(HOUR),
        published: at(-8 * DAY),
      }),
    ];
    // A garden category with enough objects for several pages; some share a publication time, some an end.
    for (let i = 0; i < 47; i++) {
      offers.push(
        object(`https://d.example/offers/garden-${String(i).padStart(2, "0")}`, {
          podIri: D,
          name: `Seedlings tray ${i}`,
          categoryIri: `${CAT}garden`,
          published: at(-10 * DAY - Math.floor(i / 3) * HOUR),
          endsAt: i % 4 === 0 ? null : at(DAY + Math.floor(i / 5) * HOUR),
          latitude: 51.4 + (i % 7) * 0.01,
          longitude: -0.2 + (i % 5) * 0.01,
        }),
      );
    }
    const needs: ObjectRow[] = [
      object("https://c.example/needs/apples", {
        kind: "need",
        podIri: C,
        name: "Apples for the school breakfast",
        quantityMilli: 10_000,
        availableMilli: 10_000,
        published: at(-DAY),
      }),
    ];
    const charter = object("https://b.example/charter", {
      kind: "charter",
      name: "People's Service Charter of Pod B",
      categoryIri: null,
      unit: null,
      quantityMilli: null,
      availableMilli: null,
      extra: JSON.stringify({ revision: "3", reviewDue: at(20 * DAY) }),
    });
    const seedLibrary = object("https://b.example/practices/seed-library", {
      kind: "practice",
      name: "Seed library",
      summary: "Lend seeds, get seeds back",
      categoryIri: null,
      unit: null,
      quantityMilli: null,
      availableMilli: null,
      extra: JSON.stringify({ tags: ["seeds"] }),
      published: at(-20 * DAY),
    });
    const adapted = object("https://c.example/practices/seed-swap", {
      kind: "practice",
      podIri: C,
      name: "Seed swap at the market",
      categoryIri: null,
      unit: null,
      quantityMilli: null,
      availableMilli: null,
      adaptedFrom: seedLibrary.iri,
      published: at(-10 * DAY),
    });
    db.insert(viewObjects)
      .values([...offers, ...needs, charter, seedLibrary, adapted])
      .run();
    const direct = [...offers, ...needs, charter, seedLibrary, adapted].map((o) => ({
      objectIri: o.iri,
      viaIri: o.podIri,
      announceIri: null,
      receivedAt: o.receivedAt,
    }));
    db.insert(viewPaths)
      .values([
        ...direct,
        {
          objectIri: "https://b.example/offers/apples",
          viaIri: C,
          announceIri: "https://c.example/announce/1",
          receivedAt: at(-DAY + HOUR),
        },
        {
          objectIri: seedLibrary.iri,
          viaIri: C,
          announceIri: "https://c.example/announce/2",
          receivedAt: at(-19 * DAY),
        },
        {
          objectIri: seedLibrary.iri,
          viaIri: D,
          announceIri: "https://d.example/announce/9",
          receivedAt: at(-18 * DAY),
        },
      ])
      .run();
    db.insert(viewServices)
      .values([
        {
          iri: "https://b.example/charter/services/fridge",
          charterIri: charter.iri,
          podIri: B,
          name: "Community fridge",
          categoryIri: `${CAT}food`,
          status: "active",
          target: null,
        },
        {
          iri: "https://b.example/charter/services/tools",
          charterIri: charter.iri,
          podIri: B,
          name: "Tool library",
          categoryIri: `${CAT}tools`,
          status: "paused",
          target: null,
        },
        {
          iri: "https://b.example/charter/services/creche",
          charterIri: charter.iri,
          podIri: B,
          name: "Crèche",
          categoryIri: `${CAT}childcare`,
          status: "planned",
          target: "2027-Q1",
        },
        {
          iri: "https://b.example/charter/services/bees",
          charterIri: charter.iri,
          podIri: B,
          name: "Beekeeping",
          categoryIri: "https://b.example/categories/bees",
          status: "active",
          target: null,
        },
      ])
      .run();
    db.insert(charterRevisions)
      .values({
        number: 1,
        changeNote: "First charter",
        services: JSON.stringify([
          {
            key: "repair-cafe",
            name: "Repair café",
            description: "",
            category: "repair",
            schedule: "",
            area: "Riverside",
            languages: ["en"],
            status: "active",
          },
        ]),
        planned: JSON.stringify([
          {
            key: "heating",
            name: "Warm room",
            description: "",
            category: "energy",
            target: "2026-Q4",
            needs: { people: 2, skills: [], materials: [] },
          },
        ]),
        publishedAt: at(-30 * DAY),
        reviewedAt: at(-30 * DAY),
      })
      .run();
    db.insert(practices)
      .values({
        id: "01963c6e-7a4b-7c3d-8e9f-0123456789ab",
        title: "Our seed shelf",
        summary: "A shelf of seeds in the library",
        body: "",
        tags: ["seeds"],
        problem: "",
        outcomes: "",
        language: "en",
        adaptedFrom: seedLibrary.iri,
        status: "published",
        createdAt: at(-5 * DAY),
        updatedAt: at(-5 * DAY),
      })
      .run();
  }

  const get = (url: string) => app.inject({ method: "GET", url });
  async function list(url: string): Promise<{ items: Item[]; nextCursor: string | null }> {
    const response = await get(url);
    expect(response.statusCode, response.body).toBe(200);
    return response.json();
  }
  const names = (items: Item[]) => items.map((i) => i.name);

  /** Every page of a listing, following nextCursor. */
  async function allPages(url: string): Promise<{ items: Item[]; pages: number }> {
    const items: Item[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const sep = url.includes("?") ? "&" : "?";
      const page = await list(cursor ? `${url}${sep}cursor=${encodeURIComponent(cursor)}` : url);
      items.push(...page.items);
      cursor = page.nextCursor;
      pages++;
      expect(pages).toBeLessThan(100);
    } while (cursor);
    return { items, pages };
  }

  describe("surplus listing and filters", () => {
    it("lists open and partly claimed surplus, newest first, as the API shows it", async () => {
      const { items } = await list("/view/surplus?limit=200");
      expect(names(items).slice(0, 3)).toEqual(["Windfall apples", "Day-old bread", "Cordless drill"]);
      const bread = items.find((i) => i.name === "Day-old bread")!;
      expect(bread).toMatchObject({
        iri: "https://c.example/offers/bread",
        kind: "offer",
        pod: { iri: C, name: "Pod C" },
        category: { iri: `${CAT}food`, slug: "food", label: "Food" },
        quantity: "10",
        available: "5.5",
        unit: "loaves",
        area: "Old Town",
        latitude: 51.52,
        longitude: -0.08,
        startsAt: at(-DAY),
        endsAt: at(2 * DAY),
        url: "https://c.example/offers/bread",
        published: at(-2 * DAY),
        status: "partly_claimed",
        paths: [{ via: C, receivedAt: at(-2 * DAY) }],
      });
      expect(bread.distanceKm).toBeUndefined();
      const apples = items.find((i) => i.name === "Windfall apples")!;
      expect(apples.paths).toEqual([
        { via: B, receivedAt: at(-DAY) },
        { via: C, receivedAt: at(-DAY + HOUR) },
      ]);
    });

    it("leaves out expired and fully claimed offers by default, and shows them when asked", async () => {
      const all = names((await list("/view/surplus?limit=200")).items);
      expect(all).not.toContain("Leek soup");
      expect(all).not.toContain("Winter coats");
      expect(names((await list("/view/surplus?status=expired")).items)).toEqual(["Leek soup"]);
      expect(names((await list("/view/surplus?status=claimed")).items)).toEqual(["Winter coats"]);
      expect(names((await list("/view/surplus?status=partly_claimed")).items)).toEqual(["Day-old bread"]);
      const both = names((await list("/view/surplus?status=expired&status=claimed")).items);
      expect(both).toEqual(["Leek soup", "Winter coats"]);
    });

    it("expires by the clock of the request: an offer past its end leaves the default listing", async () => {
      expect(names((await list("/view/surplus?q=milk")).items)).toEqual(["Milk"]);
      clock = new Date(START.getTime() + 2 * HOUR);
      try {
        expect((await list("/view/surplus?q=milk")).items).toEqual([]);
        const expired = (await list("/view/surplus?q=milk&status=expired")).items;
        expect(expired.map((i) => [i.name, i.status])).toEqual([["Milk", "expired"]]);
      } finally {
        clock = START;
      }
    });

    it("filters by category, as a slug or as an IRI", async () => {
      const bySlug = (await list("/view/surplus?category=tools")).items;
      expect(names(bySlug)).toEqual(["Cordless drill"]);
      const byIri = (await list(`/view/surplus?category=${encodeURIComponent(`${CAT}tools`)}`)).items;
      expect(byIri).toEqual(bySlug);
      expect(
        (await list(`/view/surplus?category=${encodeURIComponent("https://elsewhere.example/categories/x")}`)).items,
      ).toEqual([]);
    });

    it("filters by pod", async () => {
      const items = (await list(`/view/surplus?pod=${encodeURIComponent(C)}`)).items;
      expect(names(items)).toEqual(["Day-old bread", "Lentils"]);
      expect(items.every((i) => i.pod.iri === C)).toBe(true);
    });

    it("searches name and summary, every word, case-insensitively", async () => {
      expect(names((await list("/view/surplus?q=APPLES")).items)).toEqual(["Windfall apples"]);
      expect(names((await list("/view/surplus?q=sourdough")).items)).toEqual(["Day-old bread"]);
      expect(names((await list("/view/surplus?q=red%20lentils")).items)).toEqual(["Lentils"]);
      expect((await list("/view/surplus?q=red%20apples")).items).toEqual([]);
      // LIKE wildcards are text, not patterns.
      expect((await list("/view/surplus?q=%25")).items).toEqual([]);
    });

    it("keeps what is available by a date: no start, or a start at or before it", async () => {
      const soon = names((await list("/view/surplus?availableBy=2026-06-03&limit=200")).items);
      expect(soon).toContain("Day-old bread");
      expect(soon).not.toContain("Cordless drill");
      const later = names((await list("/view/surplus?availableBy=2026-06-06T12:00:00Z&limit=200")).items);
      expect(later).toContain("Cordless drill");
    });

    it("keeps what lies within radiusKm of near, with its distance, and sorts nearest first", async () => {
      const near = (await list("/view/surplus?near=51.5,-0.1&radiusKm=5")).items;
      expect(names(near).sort()).toEqual(["Day-old bread", "Windfall apples"]);
      expect(near.find((i) => i.name === "Windfall apples")!.distanceKm).toBe(0);
      const bread = near.find((i) => i.name === "Day-old bread")!.distanceKm!;
      expect(bread).toBeGreaterThan(2);
      expect(bread).toBeLessThan(3);

      const wide = (await list("/view/surplus?near=51.5,-0.1&radiusKm=400&sort=nearest&limit=200")).items;
      expect(names(wide)).toContain("Lentils");
      const distances = wide.map((i) => i.distanceKm!);
      expect(distances).toEqual([...distances].sort((a, b) => a - b));
      expect(wide.at(-1)!.name).toBe("Lentils");
    });

    it("sorts by the end date, soonest first, those without an end last", async () => {
      const items = (await list("/view/surplus?sort=ending_soon&limit=200")).items;
      expect(items[0]!.name).toBe("Milk");
      const ends = items.map((i) => i.endsAt);
      const firstNull = ends.indexOf(null);
      expect(firstNull).toBeGreaterThan(0);
      expect(ends.slice(firstNull).every((e) => e === null)).toBe(true);
      const known = ends.slice(0, firstNull) as string[];
      expect(known).toEqual([...known].sort());
    });
  });

  describe("cursor pagination", () => {
    for (const [label, query] of [
      ["newest", "category=garden"],
      ["ending_soon", "category=garden&sort=ending_soon"],
      ["nearest", "category=garden&near=51.43,-0.18&radiusKm=50&sort=nearest"],
      ["everything, newest", "status=open,partly_claimed,claimed,expired"],
    ] as const) {
      it(`walks every ${label} page without duplicates or gaps`, async () => {
        const whole = (await list(`/view/surplus?${query}&limit=200`)).items;
        expect(whole.length).toBeGreaterThan(7);
        for (const size of [1, 7, 10]) {
          const { items, pages } = await allPages(`/view/surplus?${query}&limit=${size}`);
          expect(items.map((i) => i.iri)).toEqual(whole.map((i) => i.iri));
          expect(new Set(items.map((i) => i.iri)).size).toBe(items.length);
          expect(pages).toBe(Math.ceil(whole.length / size));
        }
      });
    }

    it("refuses a cursor from another sort order", async () => {
      const first = await list("/view/surplus?limit=1");
      const response = await get(`/view/surplus?sort=ending_soon&cursor=${encodeURIComponent(first.nextCursor!)}`);
      expect(response.statusCode).toBe(400);
      expect(response.json().field).toBe("querystring.cursor");
    });
  });

  describe("bad filters", () => {
    for (const [query, field] of [
      ["near=51.5,-0.1&radiusKm=-1", "querystring.radiusKm"],
      ["near=51.5,-0.1&radiusKm=501", "querystring.radiusKm"],
      ["near=51.5,-0.1&radiusKm=far", "querystring.radiusKm"],
      ["radiusKm=5", "querystring.radiusKm"],
      ["near=abc", "querystring.near"],
      ["near=91,0", "querystring.near"],
      ["category=nope", "querystring.category"],
      ["limit=0", "querystring.limit"],
      ["limit=201", "querystring.limit"],
      ["limit=2.5", "querystring.limit"],
      ["sort=nearest", "querystring.sort"],
      ["sort=random", "querystring.sort"],
      ["status=gone", "querystring.status"],
      ["availableBy=tomorrow", "querystring.availableBy"],
      ["availableBy=2026-02-30", "querystring.availableBy"],
      [`q=${"x".repeat(201)}`, "querystring.q"],
      ["pod=not-an-iri", "querystring.pod"],
      ["cursor=garbage!", "querystring.cursor"],
      ["kind=need", "querystring.kind"],
    ] as const) {
      it(`${query.slice(0, 40)} → 400 naming ${field}`, async () => {
        for (const path of ["/view/surplus", "/view/surplus.atom", "/view/surplus.csv"]) {
          const response = await get(`${path}?${query}`);
          expect(response.statusCode).toBe(400);
          expect(response.headers["content-type"]).toMatch(/^application\/problem\+json/);
          expect(response.json()).toMatchObject({ status: 400, field });
        }
      });
    }
  });

  describe("the other lists", () => {
    it("lists needs, charters with their services, and practices", async () => {
      expect(names((await list("/view/needs")).items)).toEqual(["Apples for the school breakfast"]);
      const charters = (await list("/view/charters")).items as (Item & {
        services: { name: string; status: string; category: { slug?: string } | null }[];
      })[];
      expect(charters.map((c) => c.name)).toEqual(["People's Service Charter of Pod B"]);
      expect(charters[0]!.services.map((s) => [s.name, s.status])).toEqual([
        ["Beekeeping", "active"],
        ["Community fridge", "active"],
        ["Crèche", "planned"],
        ["Tool library", "paused"],
      ]);
      const practiceItems = (await list("/view/practices")).items as (Item & {
        adaptedFrom: string | null;
        tags: string[];
      })[];
      expect(practiceItems.map((p) => [p.name, p.adaptedFrom])).toEqual([
        ["Seed swap at the market", "https://b.example/practices/seed-library"],
        ["Seed library", null],
      ]);
      expect(practiceItems[1]!.tags).toEqual(["seeds"]);
    });
  });

  describe("service map", () => {
    it("shows who provides, pauses and plans each category, and what nobody covers yet", async () => {
      const response = await get("/view/service-map");
      expect(response.statusCode).toBe(200);
      const map = response.json() as {
        categories: {
          category: { iri: string; slug?: string };
          providers: any[];
          paused: any[];
          planned: any[];
          covered: boolean;
        }[];
        uncovered: { iri: string; slug?: string }[];
      };
      const entry = (slug: string) => map.categories.find((c) => c.category.slug === slug)!;
      expect(entry("food").providers).toEqual([
        {
          pod: { iri: B, name: "Pod B" },
          services: [{ iri: "https://b.example/charter/services/fridge", name: "Community fridge" }],
        },
      ]);
      expect(entry("repair").providers).toEqual([
        {
          pod: { iri: SELF, name: "Neighborhood pod" },
          services: [{ iri: "http://127.0.0.1:1/charter/services/repair-cafe", name: "Repair café" }],
        },
      ]);
      expect(entry("tools")).toMatchObject({ covered: false, providers: [], paused: [{ pod: { iri: B } }] });
      expect(entry("childcare").planned).toEqual([
        {
          pod: { iri: B, name: "Pod B" },
          services: [{ iri: "https://b.example/charter/services/creche", name: "Crèche", target: "2027-Q1" }],
        },
      ]);
      expect(entry("energy").planned[0].pod.iri).toBe(SELF);
      // A category only seen in a neighbor's charter is on the map too.
      expect(map.categories.find((c) => c.category.iri === "https://b.example/categories/bees")!.covered).toBe(true);

      const uncovered = map.uncovered.map((c) => c.slug ?? c.iri);
      expect(uncovered).toContain("legal");
      expect(uncovered).toContain("childcare"); // planned is not covered yet
      expect(uncovered).toContain("tools"); // paused is not covered
      expect(uncovered).not.toContain("food");
      expect(uncovered).not.toContain("repair");
    });
  });

  describe("practice spread", () => {
    it("shows which pods adapted a practice and which re-shared it", async () => {
      const response = await get("/view/practice-spread?limit=200");
      expect(response.statusCode).toBe(200);
      const spread = response.json().items as {
        practice: { iri: string; name: string; pod: { iri: string } };
        adaptations: { iri: string; pod: { iri: string; name: string | null } }[];
        reshares: { via: { iri: string; name: string | null }; receivedAt: string }[];
      }[];
      expect(spread.map((s) => s.practice.name)).toEqual(["Our seed shelf", "Seed swap at the market", "Seed library"]);
      const library = spread.find((s) => s.practice.name === "Seed library")!;
      expect(library.adaptations.map((a) => [a.pod.name, a.iri])).toEqual([
        ["Pod C", "https://c.example/practices/seed-swap"],
        ["Neighborhood pod", "http://127.0.0.1:1/practices/01963c6e-7a4b-7c3d-8e9f-0123456789ab"],
      ]);
      expect(library.reshares).toEqual([
        { via: { iri: C, name: "Pod C" }, receivedAt: at(-19 * DAY) },
        { via: { iri: D, name: "Pod D" }, receivedAt: at(-18 * DAY) },
      ]);
      const swap = spread.find((s) => s.practice.name === "Seed swap at the market")!;
      expect(swap.adaptations).toEqual([]);
      expect(swap.reshares).toEqual([]);
    });
  });

  describe("feeds", () => {
    const QUERY = "category=food&limit=200";

    it("the Atom feed has the API's items: titles, links and ids, in order", async () => {
      const api = (await list(`/view/surplus?${QUERY}`)).items;
      const response = await get(`/view/surplus.atom?${QUERY}`);
      expect(response.statusCode).toBe(200);
      expect(response.headers["content-type"]).toBe("application/atom+xml; charset=utf-8");
      const feed = parseFeed(response.body);
      expect(feed.meta.type).toBe("atom");
      expect(feed.items.map((i) => i.title)).toEqual(api.map((i) => i.name));
      expect(feed.items.map((i) => i.url)).toEqual(api.map((i) => i.url ?? i.iri));
      expect(feed.items.map((i) => i.id)).toEqual(api.map((i) => i.iri));
      expect(feed.items.map((i) => i.authors[0]?.name)).toEqual(api.map((i) => i.pod.name));
      // The script-like name is text in the feed, never markup.
      expect(response.body).not.toContain("<script>");
      expect(feed.items.map((i) => i.title)).toContain(XSS_NAME);
    });

    it("pages the feeds with the same cursor as the API, announced in a Link header", async () => {
      const first = await list("/view/surplus?limit=2");
      const atom = await get("/view/surplus.atom?limit=2");
      const next = /<([^>]+)>; rel="next"/.exec(String(atom.headers.link))![1]!;
      expect(new URL(next).searchParams.get("cursor")).toBe(first.nextCursor);
      const second = await list(`/view/surplus?limit=2&cursor=${encodeURIComponent(first.nextCursor!)}`);
      const atom2 = parseFeed((await get(new URL(next).pathname + new URL(next).search)).body);
      expect(atom2.items.map((i) => i.title)).toEqual(names(second.items));
    });

    it("the JSON Feed is JSON Feed 1.1 with the API's items", async () => {
      const api = (await list(`/view/surplus?${QUERY}`)).items;
      const response = await get(`/view/surplus.json?${QUERY}`);
      expect(response.statusCode).toBe(200);
      expect(response.headers["content-type"]).toBe("application/feed+json; charset=utf-8");
      const feed = JSON_FEED_1_1.parse(response.json());
      expect(feed.items.map((i) => i.id)).toEqual(api.map((i) => i.iri));
      expect(feed.items.map((i) => i.title)).toEqual(api.map((i) => i.name));
      expect(feed.items.map((i) => i.url)).toEqual(api.map((i) => i.url ?? i.iri));
      expect(feed.items.every((i) => (i.content_text ?? "").length > 0)).toBe(true);
      const paged = JSON_FEED_1_1.parse((await get("/view/surplus.json?limit=1")).json());
      expect(paged.next_url).toMatch(/[?&]cursor=/);
    });

    it("the CSV has one row per API item with the stable columns", async () => {
      const api = (await list(`/view/surplus?${QUERY}`)).items;
      const response = await get(`/view/surplus.csv?${QUERY}`);
      expect(response.statusCode).toBe(200);
      expect(response.headers["content-type"]).toMatch(/^text\/csv; charset=utf-8/);
      const [header] = parseCsv(response.body, { to_line: 1 }) as string[][];
      expect(header).toEqual([
        "kind",
        "name",
        "pod",
        "category",
        "quantity",
        "available",
        "unit",
        "area",
        "latitude",
        "longitude",
        "starts_at",
        "ends_at",
        "url",
        "summary",
      ]);
      const rows = parseCsv(response.body, { columns: true }) as Record<string, string>[];
      expect(rows).toEqual(
        api.map((i) => ({
          kind: i.kind,
          name: i.name,
          pod: i.pod.name,
          category: i.category?.slug ?? "",
          quantity: i.quantity ?? "",
          available: i.available ?? "",
          unit: i.unit ?? "",
          area: i.area ?? "",
          latitude: i.latitude === null ? "" : String(i.latitude),
          longitude: i.longitude === null ? "" : String(i.longitude),
          starts_at: i.startsAt ?? "",
          ends_at: i.endsAt ?? "",
          url: i.url ?? i.iri,
          summary: i.summary,
        })),
      );
    });

    it("the old printable address sends people to the view's page with the same filters; feeds link that page", async () => {
      for (const [old, page] of [
        ["/view/surplus.html", "/confederation"],
        ["/view/needs.html", "/confederation/needs"],
      ]) {
        const response = await get(`${old}?${QUERY}&cursor=abc`);
        expect(response.statusCode, old).toBe(301);
        expect(response.headers.location, old).toBe(`${page}?${QUERY}`);
      }
      const feed = (await get(`/view/surplus.json?${QUERY}`)).json();
      expect(new URL(feed.home_page_url).pathname).toBe("/confederation");
      expect(new URL(feed.home_page_url).search).toBe(`?${QUERY}`);
    });

    it("the OrderedCollection lists the API's IRIs in order, with totalItems and next", async () => {
      const first = await list("/view/surplus?limit=3");
      const response = await get("/view/surplus/collection?limit=3");
      expect(response.statusCode).toBe(200);
      expect(response.headers["content-type"]).toBe("application/activity+json; charset=utf-8");
      const collection = response.json();
      expect(collection).toMatchObject({
        "@context": "https://www.w3.org/ns/activitystreams",
        type: "OrderedCollection",
        id: "http://127.0.0.1:1/view/surplus/collection?limit=3",
        orderedItems: first.items.map((i) => i.iri),
      });
      const everything = await allPages("/view/surplus?limit=200");
      expect(collection.totalItems).toBe(everything.items.length);
      expect(new URL(collection.next).searchParams.get("cursor")).toBe(first.nextCursor);
      const needs = (await get("/view/needs/collection")).json();
      expect(needs.orderedItems).toEqual(["https://c.example/needs/apples"]);
      expect(needs.next).toBeUndefined();
    });

    it("offers the same four formats for needs", async () => {
      for (const suffix of [".atom", ".json", ".csv", "/collection"]) {
        const response = await get(`/view/needs${suffix}`);
        expect(response.statusCode, suffix).toBe(200);
        expect(response.body, suffix).toContain(
          suffix === "/collection" ? "https://c.example/needs/apples" : "Apples for the school breakfast",
        );
        expect(response.body, suffix).not.toContain("Windfall apples");
      }
    });
  });
});

// Speed at 100,000 offers is measured by `npm run bench` (bench/view.ts), not asserted in tests.

/** JSON Feed 1.1 as published at https://www.jsonfeed.org/version/1.1/ (extensions start with "_"). */
const url = z.url();
const date = z.iso.datetime({ offset: true });
const author = z
  .object({ name: z.string().optional(), url: url.optional(), avatar: url.optional() })
  .refine((a) => a.name || a.url || a.avatar, "an author has at least one of name, url, avatar");
const onlyKnown = (known: string[]) => (value: Record<string, unknown>, ctx: z.RefinementCtx) => {
  for (const key of Object.keys(value)) {
    if (!known.includes(key) && !key.startsWith("_"))
      ctx.addIssue({ code: "custom", message: `unknown key ${key}`, path: [key] });
  }
};
const ITEM_KEYS = [
  "id",
  "url",
  "external_url",
  "title",
  "content_html",
  "content_text",
  "summary",
  "image",
  "banner_image",
  "date_published",
  "date_modified",
  "authors",
  "tags",
  "language",
  "attachments",
];
const jsonFeedItem = z
  .looseObject({
    id: z.string().min(1),
    url: url.optional(),
    external_url: url.optional(),
    title: z.string().optional(),
    content_html: z.string().optional(),
    content_text: z.string().optional(),
    summary: z.string().optional(),
    image: url.optional(),
    banner_image: url.optional(),
    date_published: date.optional(),
    date_modified: date.optional(),
    authors: z.array(author).optional(),
    tags: z.array(z.string()).optional(),
    language: z.string().optional(),
    attachments: z.array(z.looseObject({ url, mime_type: z.string() })).optional(),
  })
  .superRefine(onlyKnown(ITEM_KEYS))
  .refine(
    (i) => i.content_html !== undefined || i.content_text !== undefined,
    "an item has content_html or content_text",
  );
const FEED_KEYS = [
  "version",
  "title",
  "home_page_url",
  "feed_url",
  "description",
  "user_comment",
  "next_url",
  "icon",
  "favicon",
  "authors",
  "language",
  "expired",
  "hubs",
  "items",
];
const JSON_FEED_1_1 = z
  .looseObject({
    version: z.literal("https://jsonfeed.org/version/1.1"),
    title: z.string().min(1),
    home_page_url: url.optional(),
    feed_url: url.optional(),
    description: z.string().optional(),
    user_comment: z.string().optional(),
    next_url: url.optional(),
    icon: url.optional(),
    favicon: url.optional(),
    authors: z.array(author).optional(),
    language: z.string().optional(),
    expired: z.boolean().optional(),
    hubs: z.array(z.looseObject({ type: z.string(), url })).optional(),
    items: z.array(jsonFeedItem),
  })
  .superRefine(onlyKnown(FEED_KEYS));
