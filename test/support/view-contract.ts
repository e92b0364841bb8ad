import { beforeAll, describe, expect, it } from "vitest";
import { SHARED_CATEGORY_BASE } from "../../src/categories/taxonomy.ts";
import { loadConfig } from "../../src/config/load.ts";
import type { ViewFilters } from "../../src/confederation/filters.ts";
import { barterTable, type NeedMatches, type OfferMatches } from "../../src/confederation/matching.ts";
import { neighborPods, viewObjects, viewOwnObjects, viewPaths, viewServices } from "../../src/confederation/schema.ts";
import { serviceMap } from "../../src/confederation/service-map.ts";
import { adoptionCounts, practiceSpread } from "../../src/confederation/spread.ts";
import { neighborPodChoices, podNames, viewPage } from "../../src/confederation/view-present.ts";
import {
  countRows,
  haversineKm,
  knownPlaces,
  listRows,
  type ViewDeps,
  type ViewSource,
} from "../../src/confederation/view-query.ts";
import type { RoomDb } from "../../src/db/room-db.ts";
import { actorIri } from "../../src/publishing/iris.ts";
import { type ViewObjectRow, viewObjectRow } from "./view-object-row.ts";

export interface ViewDatabases {
  /** The pod's RoomDb (migrated, empty view tables). */
  rooms: () => RoomDb;
}

const config = { ...loadConfig({ POD_URL: "http://127.0.0.1:9", DATA_DIR: "/nonexistent" }), name: "Our pod" };
const SELF = actorIri(config).href;
const NOW = new Date("2026-06-01T12:00:00.000Z");
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const at = (ms: number) => new Date(NOW.getTime() + ms).toISOString();
const cat = (slug: string) => `${SHARED_CATEGORY_BASE}${slug}`;
const WATER = "https://other.example/categories/water";

// Names and IRIs whose byte order differs from a linguistic collation's (PostgreSQL's default here is ICU en-US):
// "B" < "a" < "t" by bytes; a linguistic order puts "apple" before "Birch" and "tie" before "Tie".
const B = "https://b.example/users/pod";
const C = "https://c.example/users/pod";
const D = "https://d.example/users/pod";
const o = (name: string) => `https://x.example/o/${name}`;

type ObjectRow = ViewObjectRow;

function object(name: string, fields: Partial<ObjectRow>): ObjectRow {
  return viewObjectRow(o(name), B, {
    content: `<p>${name}</p>`,
    categoryIri: cat("food"),
    ...fields,
    published: fields.published ?? at(-DAY),
  });
}

const OFFERS: ObjectRow[] = [
  object("1", {
    name: "Fresh Apples",
    summary: "Crisp, from the orchard",
    published: at(-1 * HOUR),
    latitude: 51.5,
    longitude: -0.1,
  }),
  object("2", {
    podIri: C,
    name: "Bread loaves",
    availableMilli: 4_000,
    endsAt: at(2 * DAY),
    published: at(-2 * HOUR),
  }),
  object("3", { categoryIri: cat("tools"), name: "Drill", availableMilli: 0, published: at(-3 * HOUR) }),
  object("4", { podIri: C, name: "Old cheese", endsAt: at(-HOUR), published: at(-4 * HOUR) }),
  object("5", { name: "100% cotton_bags", endsAt: at(DAY), published: at(-5 * HOUR) }),
  object("Tie", { categoryIri: cat("tools"), name: "Spanner", published: at(-6 * HOUR) }),
  object("tie", { categoryIri: cat("tools"), name: "Spanner", endsAt: at(3 * DAY), published: at(-6 * HOUR) }),
  object("tie-2", { categoryIri: cat("tools"), name: "Spanner", published: at(-6 * HOUR) }),
  object("6", {
    podIri: C,
    name: "Pears",
    startsAt: at(2 * DAY),
    published: at(-7 * HOUR),
    latitude: 51.52,
    longitude: -0.08,
  }),
  object("7", {
    podIri: D,
    name: "Plums",
    published: at(-8 * HOUR),
    areaName: "Birchwood",
    latitude: 51.6,
    longitude: -0.1,
  }),
  object("8", {
    podIri: D,
    name: "Figs",
    published: at(-9 * HOUR),
    areaName: "apple yard",
    latitude: 48.85,
    longitude: 2.35,
  }),
];

const NEEDS: ObjectRow[] = [
  object("n1", {
    kind: "need",
    podIri: C,
    name: "Need apples for school",
    quantityMilli: 5_000,
    availableMilli: 5_000,
    published: at(-HOUR),
    latitude: 51.5,
    longitude: -0.1,
  }),
  object("n2", { kind: "need", categoryIri: cat("tools"), name: "A ladder", published: at(-2 * HOUR) }),
  object("n3", { kind: "need", categoryIri: WATER, name: "Drinking water", published: at(-3 * HOUR) }),
];

const PRACTICES: ObjectRow[] = [
  object("p1", { kind: "practice", name: "Tool library", published: at(-DAY), categoryIri: null }),
  object("p2", {
    kind: "practice",
    podIri: C,
    name: "Our tool library",
    adaptedFrom: o("p1"),
    published: at(-12 * HOUR),
  }),
  object("p3", {
    kind: "practice",
    podIri: C,
    name: "Tool library, v2",
    adaptedFrom: o("p1"),
    published: at(-11 * HOUR),
  }),
];

const CHARTERS: ObjectRow[] = [
  object("charter-b", { kind: "charter", name: "Birch charter", published: at(-2 * DAY) }),
  object("charter-c", { kind: "charter", podIri: C, name: "Apple charter", published: at(-3 * DAY) }),
];

const { receivedAt: _unused, ...ownShape } = object("own", {});
const OWN = [
  {
    ...ownShape,
    iri: `${SELF}/offers/1`,
    podIri: SELF,
    name: "Own apples",
    published: at(-1.5 * HOUR),
    version: at(-1.5 * HOUR),
    latitude: 51.535,
    longitude: -0.075,
  },
  {
    ...ownShape,
    iri: `${SELF}/practices/1`,
    kind: "practice" as const,
    podIri: SELF,
    name: "Our own tool library",
    adaptedFrom: o("p1"),
    published: at(-6 * HOUR),
    version: at(-6 * HOUR),
  },
];

const LIVE_NEWEST = ["1", "2", "5", "tie-2", "tie", "Tie", "6", "7", "8"].map(o);

/**
 * The confederal view's reads on both databases: every filter, sort and cursor, counts, the presentation (pod
 * names, paths, charters' services), the service map, practice spread and adoption counts, the barter table and the
 * "near" places. Rows are seeded through the tables (the inbox that fills them is tested on its own).
 * test/integration/view-store.test.ts (SQLite) and test/postgres/view-store.test.ts; over HTTP:
 * test/integration/view-api.test.ts.
 */
export function describeViewContract(name: string, databases: ViewDatabases): void {
  describe(`${name} (the confederal view's reads)`, () => {
    let v: ViewDeps;
    const categories = ["food", "tools", "childcare", "housing"].map((slug) => ({
      slug,
      label: slug[0]!.toUpperCase() + slug.slice(1),
      iri: cat(slug),
      shared: true,
    }));
    const filters = (extra: Partial<ViewFilters> = {}): ViewFilters => ({
      kind: "offer",
      sort: "newest",
      limit: 50,
      ...extra,
    });
    const iris = async (f: Partial<ViewFilters>, source: ViewSource = "view") =>
      (await listRows(v, filters(f), source)).rows.map((r) => r.iri);

    beforeAll(async () => {
      const rooms = databases.rooms();
      v = {
        rooms,
        config,
        now: () => NOW,
        categories: () => categories,
        ownServices: () => [
          {
            iri: `${SELF}/charter#pantry`,
            podIri: SELF,
            name: "Pantry",
            categoryIri: cat("food"),
            status: "active",
            target: null,
          },
        ],
      };
      await rooms.write(async (db) => {
        await db.insert(rooms.table(viewObjects)).values([...OFFERS, ...NEEDS, ...PRACTICES, ...CHARTERS]);
        await db.insert(rooms.table(viewOwnObjects)).values(OWN);
        await db.insert(rooms.table(neighborPods)).values([
          { actorIri: B, name: "Birch", updatedAt: at(0) },
          { actorIri: C, name: "apple", updatedAt: at(0) },
        ]);
        await db.insert(rooms.table(viewPaths)).values([
          { objectIri: o("1"), viaIri: C, receivedAt: at(-0.5 * HOUR) },
          { objectIri: o("1"), viaIri: B, receivedAt: at(-HOUR) },
          { objectIri: o("p1"), viaIri: B, receivedAt: at(-DAY) },
          { objectIri: o("p1"), viaIri: D, announceIri: `${D}/a/1`, receivedAt: at(-20 * HOUR) },
          { objectIri: o("p1"), viaIri: C, announceIri: `${C}/a/1`, receivedAt: at(-20 * HOUR) },
        ]);
        const service = (
          iri: string,
          charter: string,
          pod: string,
          fields: { name: string; categoryIri: string; status: string; target?: string },
        ) => ({
          iri,
          charterIri: o(charter),
          podIri: pod,
          target: null,
          ...fields,
        });
        await db.insert(rooms.table(viewServices)).values([
          service(`${B}#kitchen`, "charter-b", B, {
            name: "Community kitchen",
            categoryIri: cat("food"),
            status: "active",
          }),
          service(`${B}#repair`, "charter-b", B, { name: "Repair cafe", categoryIri: cat("tools"), status: "paused" }),
          service(`${C}#bakery`, "charter-c", C, { name: "bakery", categoryIri: cat("food"), status: "active" }),
          service(`${C}#childcare`, "charter-c", C, {
            name: "Childcare",
            categoryIri: cat("childcare"),
            status: "planned",
            target: "2027-01",
          }),
        ]);
      });
    });

    describe("filters", () => {
      it("lists one kind's live objects, newest first, ties by IRI in byte order", async () => {
        expect(await iris({})).toEqual(LIVE_NEWEST);
        expect(await iris({ kind: "need" })).toEqual([o("n1"), o("n2"), o("n3")]);
        expect(await iris({ kind: "practice" })).toEqual([o("p3"), o("p2"), o("p1")]);
      });

      it("filters by category and by pod", async () => {
        expect(await iris({ categoryIri: cat("tools") })).toEqual([o("tie-2"), o("tie"), o("Tie")]);
        expect(await iris({ pod: C })).toEqual([o("2"), o("6")]);
        expect(await iris({ pod: C, categoryIri: cat("tools") })).toEqual([]);
      });

      it("finds words in the name or summary, ignoring ASCII case; % and _ are plain characters", async () => {
        expect(await iris({ terms: ["apples"] })).toEqual([o("1")]);
        expect(await iris({ terms: ["APPLES"] })).toEqual([o("1")]);
        expect(await iris({ terms: ["ORCHARD"] })).toEqual([o("1")]);
        expect(await iris({ terms: ["fresh", "apples"] })).toEqual([o("1")]);
        expect(await iris({ terms: ["fresh", "pears"] })).toEqual([]);
        expect(await iris({ terms: ["_"] })).toEqual([o("5")]);
        expect(await iris({ terms: ["%"] })).toEqual([o("5")]);
        expect(await iris({ terms: ["\\"] })).toEqual([]);
      });

      it("filters by status, derived from quantities and the end date at `now`", async () => {
        expect(await iris({ status: ["claimed"] })).toEqual([o("3")]);
        expect(await iris({ status: ["expired"] })).toEqual([o("4")]);
        expect(await iris({ status: ["partly_claimed"] })).toEqual([o("2")]);
        expect(await iris({ status: ["open"] })).toEqual(LIVE_NEWEST.filter((iri) => iri !== o("2")));
        expect(await iris({ status: ["open", "partly_claimed", "claimed", "expired"] })).toHaveLength(11);
        expect(await iris({ status: ["claimed", "expired"] })).toEqual([o("3"), o("4")]);
      });

      it("filters by availability start", async () => {
        expect(await iris({ availableBy: at(DAY) })).toEqual(LIVE_NEWEST.filter((iri) => iri !== o("6")));
      });

      it("filters by distance: a small circle, a large one, and across the antimeridian nothing spurious", async () => {
        const near = (radiusKm: number) => ({ lat: 51.5, lon: -0.1, radiusKm });
        expect(await iris({ near: near(5) })).toEqual([o("1"), o("6")]);
        expect(await iris({ near: near(25), sort: "nearest" })).toEqual([o("1"), o("6"), o("7")]);
        expect(await iris({ near: near(500), sort: "nearest" })).toEqual([o("1"), o("6"), o("7"), o("8")]);
        expect(await iris({ near: { lat: 0, lon: 179.9, radiusKm: 50 } })).toEqual([]);
      });

      it("gives each row its exact distance, the same as the JavaScript formula", async () => {
        const { rows } = await listRows(v, filters({ near: { lat: 51.5, lon: -0.1, radiusKm: 500 }, sort: "nearest" }));
        for (const row of rows) {
          expect(row.distanceKm).toBeCloseTo(haversineKm(51.5, -0.1, row.latitude!, row.longitude!), 6);
        }
        expect(rows.map((r) => Math.round(r.distanceKm!))).toEqual([0, 3, 11, 342]);
        expect((await listRows(v, filters())).rows.every((r) => r.distanceKm === null)).toBe(true);
      });
    });

    describe("sorts and cursors", () => {
      it("ending soon: known ends first in order, then the rest by IRI", async () => {
        expect(await iris({ sort: "ending_soon" })).toEqual(
          ["5", "2", "tie", "1", "6", "7", "8", "Tie", "tie-2"].map(o),
        );
      });

      /** Every page of `limit` rows, walked by cursor. */
      async function walk(f: Partial<ViewFilters>, limit: number, source: ViewSource = "view") {
        const out: string[] = [];
        let cursor: ViewFilters["cursor"];
        for (let page = 0; page < 50; page++) {
          const { rows, next } = await listRows(v, filters({ ...f, cursor, limit }), source);
          out.push(...rows.map((r) => r.iri));
          if (!next) return out;
          cursor = next;
        }
        throw new Error("the pages did not end");
      }

      for (const [label, f] of [
        ["newest (ties on published)", {}],
        ["ending soon (across the two phases)", { sort: "ending_soon" }],
        ["nearest", { sort: "nearest", near: { lat: 51.5, lon: -0.1, radiusKm: 500 } }],
        ["newest, tools only", { categoryIri: cat("tools") }],
      ] as [string, Partial<ViewFilters>][]) {
        it(`pages neither repeat nor skip: ${label}`, async () => {
          const all = await iris(f);
          for (const limit of [1, 2, 4]) expect(await walk(f, limit)).toEqual(all);
          const withOwn = await iris(f, "view+own");
          for (const limit of [1, 3]) expect(await walk(f, limit, "view+own")).toEqual(withOwn);
        });
      }

      it("merges this pod's own objects into the neighbors' order", async () => {
        const { rows } = await listRows(v, filters({ limit: 3 }), "view+own");
        expect(rows.map((r) => [r.iri, r.own])).toEqual([
          [o("1"), false],
          [`${SELF}/offers/1`, true],
          [o("2"), false],
        ]);
      });

      it("leaves content out when asked", async () => {
        const [full] = (await listRows(v, filters({ limit: 1 }))).rows;
        const [bare] = (await listRows(v, filters({ limit: 1 }), "view", { content: false })).rows;
        expect(full!.content).toBe("<p>1</p>");
        expect(bare!.content).toBe("");
        expect({ ...bare, content: full!.content }).toEqual(full);
      });

      it("reads every column back as written (numbers as numbers)", async () => {
        const [row] = (await listRows(v, filters({ pod: C, status: ["partly_claimed"] }))).rows;
        const { receivedAt: _r, ...written } = OFFERS[1]!;
        expect(row).toEqual({ ...written, distanceKm: null, own: false });
        expect(typeof row!.quantityMilli).toBe("number");
      });
    });

    it("counts what the filters select, cursor and limit aside", async () => {
      expect(await countRows(v, filters())).toBe(9);
      expect(await countRows(v, filters({ limit: 1 }), "view+own")).toBe(10);
      expect(await countRows(v, filters({ pod: C }))).toBe(2);
      expect(await countRows(v, filters({ terms: ["apples"] }))).toBe(1);
      expect(await countRows(v, filters({ near: { lat: 51.5, lon: -0.1, radiusKm: 5 } }))).toBe(2);
      expect(typeof (await countRows(v, filters()))).toBe("number");
    });

    describe("presentation", () => {
      it("names pods (neighbors from neighbor_pods, this pod from its config, unknown ones absent)", async () => {
        const names = await podNames(v, [B, C, D, SELF]);
        expect(Object.fromEntries(names)).toEqual({ [B]: "Birch", [C]: "apple", [SELF]: "Our pod" });
        const page = await viewPage(v, filters({ limit: 50 }), "view+own");
        const pods = Object.fromEntries(page.items.map((item) => [item.iri, item.pod.name]));
        expect([pods[o("1")], pods[o("2")], pods[o("7")], pods[`${SELF}/offers/1`]]).toEqual([
          "Birch",
          "apple",
          null,
          "Our pod",
        ]);
      });

      it("lists the paths oldest first, the status and the category", async () => {
        const { items } = await viewPage(v, filters({ limit: 2 }));
        expect(items[0]!.paths).toEqual([
          { via: B, receivedAt: at(-HOUR) },
          { via: C, receivedAt: at(-0.5 * HOUR) },
        ]);
        expect(items[0]!.category).toEqual({ iri: cat("food"), slug: "food", label: "Food" });
        expect(items.map((i) => i.status)).toEqual(["open", "partly_claimed"]);
        expect(items[1]!.available).toBe("4");
      });

      it("gives charters their services, by name in byte order", async () => {
        const { items } = await viewPage(v, filters({ kind: "charter" }));
        expect(items.map((i) => [i.iri, i.services?.map((s) => s.name)])).toEqual([
          [o("charter-b"), ["Community kitchen", "Repair cafe"]],
          [o("charter-c"), ["Childcare", "bakery"]],
        ]);
      });

      it("lists the neighbor pods by name in byte order, and the named places with their mean position", async () => {
        expect(await neighborPodChoices(v)).toEqual([
          { iri: B, name: "Birch" },
          { iri: C, name: "apple" },
        ]);
        const mean = (xs: number[]) => Math.round((xs.reduce((a, b) => a + b, 0) / xs.length) * 1000) / 1000;
        expect(await knownPlaces(v)).toEqual([
          { name: "Birchwood", lat: 51.6, lon: -0.1 },
          { name: "Riverside", lat: mean([51.5, 51.52, 51.5, 51.535]), lon: mean([-0.1, -0.08, -0.1, -0.075]) },
          { name: "apple yard", lat: 48.85, lon: 2.35 },
        ]);
      });
    });

    it("maps services: providers, paused, planned, and the categories nobody covers", async () => {
      const map = await serviceMap(v);
      const entry = (slug: string) => map.categories.find((c) => c.category.iri === cat(slug))!;
      expect(map.categories.map((c) => c.category.iri)).toEqual([...categories.map((c) => c.iri), WATER]);
      expect(entry("food").providers.map((p) => [p.pod.name, p.services.map((s) => s.name)])).toEqual([
        ["apple", ["bakery"]],
        ["Birch", ["Community kitchen"]],
        ["Our pod", ["Pantry"]],
      ]);
      expect(entry("tools").paused.map((p) => p.pod.iri)).toEqual([B]);
      expect(entry("childcare").planned).toEqual([
        { pod: { iri: C, name: "apple" }, services: [{ iri: `${C}#childcare`, name: "Childcare", target: "2027-01" }] },
      ]);
      expect(map.uncovered.map((c) => c.iri)).toEqual([cat("tools"), cat("childcare"), cat("housing"), WATER]);
    });

    it("spreads practices: adaptations (neighbors' and own) oldest first, re-shares by other pods", async () => {
      const spread = await practiceSpread(v, { ...filters(), kind: "practice" });
      expect(spread.items.map((s) => s.practice.iri)).toEqual([`${SELF}/practices/1`, o("p3"), o("p2"), o("p1")]);
      const p1 = spread.items.find((s) => s.practice.iri === o("p1"))!;
      expect(p1.adaptations.map((a) => [a.iri, a.pod.name])).toEqual([
        [o("p2"), "apple"],
        [o("p3"), "apple"],
        [`${SELF}/practices/1`, "Our pod"],
      ]);
      expect(p1.reshares).toEqual([
        { via: { iri: C, name: "apple" }, receivedAt: at(-20 * HOUR) },
        { via: { iri: D, name: null }, receivedAt: at(-20 * HOUR) },
      ]);
      const counts = await adoptionCounts(v, [o("p1"), o("p2")]);
      expect(Object.fromEntries(counts)).toEqual({ [o("p1")]: 2 });
    });

    it("matches needs with offers across the view and this pod's own, best first", async () => {
      const table = await barterTable(v, { ...filters(), kind: "need" });
      const items = table.items as NeedMatches[];
      expect(items.map((i) => i.need.iri)).toEqual([o("n1"), o("n2")]);
      const n1 = items[0]!.offers;
      expect(n1[0]!.offer.iri).toBe(o("1"));
      expect(n1[0]!.score).toBe(0.825);
      expect(n1.map((m) => m.offer.iri)).toContain(`${SELF}/offers/1`);
      expect(n1.map((m) => m.offer.iri).sort()).toEqual(
        [`${SELF}/offers/1`, ...["1", "2", "5", "6", "7", "8"].map(o)].sort(),
      );
      // Equal scores and dates: by IRI (code units, "T" before "t").
      expect(items[1]!.offers.map((m) => m.offer.iri)).toEqual([o("Tie"), o("tie"), o("tie-2")]);

      const mirror = (await barterTable(v, { ...filters({ limit: 1 }), kind: "offer" })) as {
        items: OfferMatches[];
        nextCursor: string | null;
      };
      expect(mirror.items.map((i) => [i.offer.iri, i.needs.map((n) => n.need.iri)])).toEqual([[o("1"), [o("n1")]]]);
      expect(mirror.nextCursor).not.toBeNull();
    });
  });
}
