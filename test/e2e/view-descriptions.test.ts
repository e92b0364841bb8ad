import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { followAndWait, startPod, waitUntil, type PodProcess } from "../support/pod-process.ts";

interface ViewItem {
  iri: string;
  name: string;
  summary: string;
}

interface NeedRow {
  need: { iri: string };
  offers: { offer: ViewItem; reasons: string[] }[];
}

/**
 * A neighbor's offer and a local one are the same view item: the description a pod writes is what text
 * search (`q`) and matching read, whether the offer came from the pod itself or from a neighbor.
 */
describe("a neighbor's offer description in the view (two pods as processes)", () => {
  let a: PodProcess;
  let b: PodProcess;
  let bOffer: string;
  const description = "Ripe quinces from the orchard behind the school; bring a bag.";

  beforeAll(async () => {
    [a, b] = await Promise.all([startPod("a"), startPod("b")]);
    await followAndWait(a, b);
    const created = await b.admin("POST", "/offers", {
      name: "Orchard fruit",
      description,
      category: "food",
      quantity: 20,
      unit: "kg",
      area: { name: "Riverside" },
    });
    expect(created.status).toBe(201);
    bOffer = `${b.url}/offers/${created.body.id}`;
    await waitUntil(async () => {
      const items: ViewItem[] = (await (await fetch(`${a.url}/view/surplus?limit=200`)).json()).items;
      return items.some((i) => i.iri === bOffer);
    });
  }, 120_000);
  afterAll(async () => {
    await Promise.all([a, b].map((p) => p?.stop()));
  });

  it("is found by q with a word only its description holds, and shown as its summary", async () => {
    const response = await fetch(`${a.url}/view/surplus?q=quinces`);
    expect(response.status).toBe(200);
    const items: ViewItem[] = (await response.json()).items;
    expect(items.map((i) => i.iri)).toEqual([bOffer]);
    expect(items[0]!.summary).toContain(description);
  });

  it("gives matching its words: a local need for quinces shares a word with the neighbor's offer", async () => {
    const need = await a.admin("POST", "/needs", {
      name: "Quinces for jam",
      category: "food",
      quantity: 5,
      unit: "kg",
      area: { name: "Riverside" },
    });
    expect(need.status).toBe(201);
    const table = await (await fetch(`${a.url}/view/matches`)).json();
    const row = (table.items as NeedRow[]).find((r) => r.need.iri === `${a.url}/needs/${need.body.id}`);
    expect(row?.offers[0]?.offer.iri).toBe(bOffer);
    expect(row?.offers[0]?.reasons).toContain("shared words: quince");
  });
});
