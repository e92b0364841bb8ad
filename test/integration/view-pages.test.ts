/**
 * The confederal view's pages for people (src/confederation/view-page-routes.ts) over a real SQLite file: each page
 * answers from the view's RoomDb reads (lists with totals, barter table, service map, charters, practices, memory).
 * The browser-level checks are test/e2e/confederal-view-pages.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { neighborPods, viewObjects, viewServices } from "../../src/confederation/schema.ts";
import { viewPageRoutes } from "../../src/confederation/view-page-routes.ts";
import type { DatabaseHandle } from "../../src/db/client.ts";
import { startViewApp, type ViewApp } from "../support/view-app.ts";

const NOW = new Date("2026-06-01T12:00:00.000Z");
const CAT = "https://w3id.org/pods/categories/";
const B = "https://b.example/users/pod";
const at = (ms: number) => new Date(NOW.getTime() + ms).toISOString();

function row(iri: string, fields: Partial<typeof viewObjects.$inferInsert>): typeof viewObjects.$inferInsert {
  return {
    iri,
    kind: "offer",
    podIri: B,
    name: "Something",
    summary: "",
    content: "",
    categoryIri: `${CAT}food`,
    quantityMilli: 2_000,
    availableMilli: 2_000,
    unit: "kg",
    extra: "{}",
    published: at(-3_600_000),
    version: at(-3_600_000),
    receivedAt: at(-3_600_000),
    ...fields,
  };
}

function seed({ db }: DatabaseHandle) {
  db.insert(neighborPods)
    .values({ actorIri: B, name: "Birch pod", updatedAt: at(0) })
    .run();
  db.insert(viewObjects)
    .values([
      row("https://b.example/o/flour", { name: "Flour", areaName: "Hillside", latitude: 19.43, longitude: -99.13 }),
      row("https://b.example/n/bread", { kind: "need", name: "Bread for the shelter" }),
      row("https://b.example/charter", { kind: "charter", name: "Birch charter", categoryIri: null }),
      row("https://b.example/p/1", { kind: "practice", name: "Tool library", categoryIri: null }),
      row("https://b.example/m/1", { kind: "memory", name: "Rota decision", extra: '{"entry":"decision"}' }),
    ])
    .run();
  db.insert(viewServices)
    .values({
      iri: "https://b.example/charter#kitchen",
      charterIri: "https://b.example/charter",
      podIri: B,
      name: "Community kitchen",
      categoryIri: `${CAT}food`,
      status: "active",
    })
    .run();
}

describe("the confederal view's pages", () => {
  let view: ViewApp;
  beforeAll(async () => {
    view = await startViewApp({
      origin: "http://127.0.0.1:1",
      now: () => NOW,
      seed,
      extraRoutes: (app, deps) => void app.register(viewPageRoutes, { deps }),
    });
  });
  afterAll(async () => {
    await view?.close();
  });

  for (const [url, shown] of [
    ["/confederation", ["Flour", "Birch pod", "Hillside"]],
    ["/confederation?own=1&q=flour&pod=https%3A%2F%2Fb.example%2Fusers%2Fpod", ["Flour"]],
    ["/confederation/needs", ["Bread for the shelter"]],
    ["/confederation/matches", ["Bread for the shelter", "Flour"]],
    ["/confederation/services", ["Birch pod", "Nobody covers yet"]],
    ["/confederation/charters", ["Birch charter", "Community kitchen"]],
    ["/confederation/practices", ["Tool library"]],
    ["/confederation/memory", ["Rota decision"]],
  ] as const) {
    it(`GET ${url}`, async () => {
      const response = await view.app.inject({ method: "GET", url });
      expect(response.statusCode, response.body.slice(0, 500)).toBe(200);
      for (const text of shown) expect(response.body).toContain(text);
    });
  }

  it("keeps a chosen place the form's list does not have yet (the list is read at most once a minute)", async () => {
    expect((await view.app.inject({ method: "GET", url: "/confederation" })).body).toContain("Hillside");
    view.handle.db
      .insert(viewObjects)
      .values(row("https://b.example/o/apples", { name: "Apples", areaName: "Riverside", latitude: 10, longitude: 10 }))
      .run();
    const body = (await view.app.inject({ method: "GET", url: "/confederation?near=10%2C10" })).body;
    const near = body.slice(body.indexOf('id="v-near"'), body.indexOf("</select>", body.indexOf('id="v-near"')));
    expect(near).not.toContain("Riverside");
    expect(near).toMatch(/<option value="10,10" selected(="")?>10,10<\/option>/);
    expect(body).toContain("Apples");
  });

  it("names a bad filter on the page", async () => {
    const response = await view.app.inject({ method: "GET", url: "/confederation?radiusKm=9999" });
    expect(response.statusCode).toBe(400);
    expect(response.headers["content-type"]).toContain("text/html");
    expect(response.body).toContain("radiusKm");
  });
});

describe("the view's totals", () => {
  const many = (n: number, from = 0) =>
    Array.from({ length: n }, (_, i) =>
      row(`https://b.example/o/${from + i}`, { name: `Lentils ${from + i}`, published: at(-3_600_000 + from + i) }),
    );
  let view: ViewApp;
  beforeAll(async () => {
    view = await startViewApp({
      origin: "http://127.0.0.1:1",
      now: () => NOW,
      seed: ({ db }) => {
        db.insert(neighborPods)
          .values({ actorIri: B, name: "Birch pod", updatedAt: at(0) })
          .run();
        db.insert(viewObjects).values(many(200)).run();
      },
      extraRoutes: (app, deps) => void app.register(viewPageRoutes, { deps }),
    });
  });
  afterAll(async () => {
    await view?.close();
  });
  const totals = async () => {
    const body = (await view.app.inject({ method: "GET", url: "/confederation" })).body;
    return body.slice(body.indexOf('id="totals"'), body.indexOf('id="list"'));
  };

  it("add up every object the filters select up to the bound, and say so only when some were left out", async () => {
    expect(await totals()).toContain("(200 posted)");
    expect(await totals()).not.toContain("Of the first");
    view.handle.db.insert(viewObjects).values(many(1, 200)).run();
    expect(await totals()).toContain("(200 posted)");
    expect(await totals()).toContain("Of the first 200, in this order.");
  });
});
