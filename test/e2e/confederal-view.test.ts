import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { followAndWait, startPod, waitUntil, type PodProcess } from "../support/pod-process.ts";

interface ViewItem {
  iri: string;
  name: string;
  available: string | null;
  pod: { iri: string };
  paths: { via: string }[];
}

describe("the confederal view across four pods as processes", () => {
  let a: PodProcess;
  let b: PodProcess;
  let c: PodProcess;
  let d: PodProcess;
  let bOffer: string;
  let dOffer: string;

  const surplus = async (pod: PodProcess): Promise<ViewItem[]> => {
    const response = await fetch(`${pod.url}/view/surplus?limit=200`);
    expect(response.status).toBe(200);
    return (await response.json()).items;
  };
  const offer = async (pod: PodProcess, name: string, quantity = 10) => {
    const response = await pod.admin("POST", "/offers", {
      name,
      category: "food",
      quantity,
      unit: "kg",
      area: { name: "Riverside" },
    });
    expect(response.status).toBe(201);
    return `${pod.url}/offers/${response.body.id}`;
  };

  beforeAll(async () => {
    [a, b, c, d] = await Promise.all([startPod("a"), startPod("b"), startPod("c"), startPod("d")]);
  }, 120_000); // four pods starting at once on a loaded 2-core machine
  afterAll(async () => {
    await Promise.all([a, b, c, d].map((p) => p?.stop()));
  });

  it("A follows B and C, C follows D: B's earlier offer arrives by backfill, later ones by delivery", async () => {
    bOffer = await offer(b, "Apples from B");
    await followAndWait(a, b);
    await followAndWait(a, c);
    await followAndWait(c, d);
    await waitUntil(async () => (await surplus(a)).some((i) => i.iri === bOffer));
    await offer(c, "Bread from C");
    dOffer = await offer(d, "Pumpkins from D", 30);
    await waitUntil(async () => (await surplus(a)).length === 2);
    const names = (await surplus(a)).map((i) => i.name).sort();
    expect(names).toEqual(["Apples from B", "Bread from C"]);
    // D is not followed by A: D's offer is in C's view, not A's.
    await waitUntil(async () => (await surplus(c)).some((i) => i.iri === dOffer));
    expect((await surplus(a)).map((i) => i.iri)).not.toContain(dOffer);
  });

  it("a need at A is matched to B's offer in A's barter table; the service map shows what no pod covers", async () => {
    const need = await a.admin("POST", "/needs", {
      name: "Apples for the soup kitchen",
      category: "food",
      quantity: 5,
      unit: "kg",
      area: { name: "Riverside" },
    });
    expect(need.status).toBe(201);
    const table = await (await fetch(`${a.url}/view/matches`)).json();
    const row = table.items.find((r: { need: { iri: string } }) => r.need.iri === `${a.url}/needs/${need.body.id}`);
    expect(row.offers[0].offer.iri).toBe(bOffer);
    expect(row.offers[0].reasons.length).toBeGreaterThan(0);
    // Nobody's charter covers mediation yet.
    expect(
      (
        await b.admin("PUT", "/charter", {
          changeNote: "First",
          services: [{ key: "food", name: "Food runs", category: "food", area: "Riverside" }],
        })
      ).status,
    ).toBe(201);
    await waitUntil(async () => {
      const map = await (await fetch(`${a.url}/view/service-map`)).json();
      const food = map.categories?.find((c: { category: { slug?: string } }) => c.category.slug === "food");
      return food?.providers?.some((p: { pod: { iri: string } }) => p.pod.iri === b.actorUrl) === true;
    });
    const map = await (await fetch(`${a.url}/view/service-map`)).json();
    expect(JSON.stringify(map.uncovered)).toContain("mediation");
  });

  it("C relays D's offer; A holds it exactly once, with the path it came by", async () => {
    expect((await c.admin("POST", "/view/reshare", { object: dOffer })).status).toBe(202);
    await waitUntil(async () => (await surplus(a)).some((i) => i.iri === dOffer));
    const relayed = (await surplus(a)).filter((i) => i.iri === dOffer);
    expect(relayed).toHaveLength(1);
    expect(relayed[0]!.pod.iri).toBe(d.actorUrl);
    expect(relayed[0]!.paths.map((p) => p.via)).toEqual([c.actorUrl]);
    // Re-sharing again does not duplicate it, nor its path: checked once A has handled the second Announce.
    const announcesAtA = async () =>
      (await a.admin("GET", "/received?limit=500")).body.items.filter(
        (r: { type: string; objectIri: string; actorIri: string }) =>
          r.type === "Announce" && r.objectIri === dOffer && r.actorIri === c.actorUrl,
      ).length;
    expect(await announcesAtA()).toBe(1);
    expect((await c.admin("POST", "/view/reshare", { object: dOffer })).status).toBe(202);
    await waitUntil(async () => (await announcesAtA()) === 2);
    const again = (await surplus(a)).filter((i) => i.iri === dOffer);
    expect(again).toHaveLength(1);
    expect(again[0]!.paths.map((p) => p.via)).toEqual([c.actorUrl]);
  });

  it("B withdraws its offer and it leaves A's view", async () => {
    const id = bOffer.split("/").pop();
    expect((await b.admin("POST", `/offers/${id}/withdraw`)).status).toBe(200);
    await waitUntil(async () => !(await surplus(a)).some((i) => i.iri === bOffer));
  });

  it("D updates the relayed offer and A sees the update", async () => {
    const id = dOffer.split("/").pop();
    expect((await d.admin("POST", `/offers/${id}/claims`, { neighbor: "someone", quantity: 12 })).status).toBe(201);
    await waitUntil(async () => (await surplus(a)).find((i) => i.iri === dOffer)?.available === "18");
  });

  it("A unfollows C: C's objects and the relay through C leave A's view", async () => {
    expect((await a.admin("DELETE", `/following?target=${encodeURIComponent(c.actorUrl)}`)).status).toBe(200);
    const left = await surplus(a);
    expect(left.map((i) => i.iri)).toEqual([]);
  });
});
