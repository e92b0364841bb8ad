import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collectionItems, followAndWait, startPod, waitUntil, type PodProcess } from "../support/pod-process.ts";

interface Received {
  type: string;
  objectType: string | null;
  objectIri: string | null;
  actorIri: string;
  fromFollowed: boolean;
}

describe("a pod publishes its charter, offers, needs and practices; a following pod receives each change", () => {
  let a: PodProcess;
  let b: PodProcess;

  beforeAll(async () => {
    [a, b] = await Promise.all([startPod("a"), startPod("b")]);
    await followAndWait(b, a);
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
  });

  const receivedAtB = async (): Promise<Received[]> =>
    (await b.admin("GET", "/received?limit=500")).body.items.reverse();
  /** Deliveries run in parallel across objects and in order per object (the queue's ordering key). */
  const expectReceived = async (expected: [type: string, objectType: string, objectIri: string][]) => {
    await waitUntil(async () => (await receivedAtB()).length >= expected.length, 20_000);
    const got = (await receivedAtB()).map((r) => [r.type, r.objectType, r.objectIri] as const);
    const perObject = (list: readonly (readonly [string, string | null, string | null])[]) => {
      const byObject = new Map<string, string[]>();
      for (const [type, objectType, iri] of list)
        byObject.set(iri!, [...(byObject.get(iri!) ?? []), `${type} ${objectType}`]);
      return Object.fromEntries([...byObject].sort(([x], [y]) => x.localeCompare(y)));
    };
    expect(got).toHaveLength(expected.length);
    expect(perObject(got)).toEqual(perObject(expected));
  };

  const createUpdateDelete =
    "Create, Update and Delete of every kind arrive at the follower, in order per object, verified and from a " +
    "followed pod";
  it(createUpdateDelete, async () => {
    const charter = await a.admin("PUT", "/charter", {
      changeNote: "First charter",
      services: [{ key: "food-runs", name: "Food runs", category: "food", area: "Riverside" }],
      planned: [
        { key: "childcare", name: "Childcare swap", category: "childcare", target: "2027-Q1", needs: { people: 2 } },
      ],
    });
    expect(charter.status).toBe(201);
    const offer = await a.admin("POST", "/offers", {
      name: "Apples",
      category: "food",
      quantity: 20,
      unit: "kg",
      availableUntil: "2099-01-01T00:00:00Z",
      area: { name: "Riverside", latitude: 51.501234, longitude: -0.141234 },
    });
    expect(offer.status).toBe(201);
    const need = await a.admin("POST", "/needs", {
      name: "Ladders",
      category: "tools",
      quantity: 2,
      unit: "ladders",
      area: { name: "Riverside" },
    });
    expect(need.status).toBe(201);
    const practice = await a.admin("POST", "/practices", {
      title: "A food route that takes an hour",
      summary: "Group pickups by street and drive one loop.",
      body: "1. Sort by street\n2. Drive the loop",
      tags: ["food"],
    });
    expect(practice.status).toBe(201);
    const offerIri = `${a.url}/offers/${offer.body.id}`;
    expect((await a.admin("PATCH", `/offers/${offer.body.id}`, { quantity: "25" })).status).toBe(200);
    const claim = await a.admin("POST", `/offers/${offer.body.id}/claims`, {
      neighbor: "Flat 3, Elm St",
      quantity: 10,
    });
    expect(claim.status).toBe(201);
    expect(claim.body.offer).toMatchObject({ status: "partly_claimed", available: "15" });
    expect((await a.admin("POST", `/offers/${offer.body.id}/withdraw`)).status).toBe(200);

    const charterIri = `${a.url}/charter`;
    const needIri = `${a.url}/needs/${need.body.id}`;
    const practiceIri = `${a.url}/practices/${practice.body.id}`;
    // A pod gets the structured objects it ingests and none of the companion Notes people read: every
    // Note was queued before the last activity of its object (same ordering key), so it would be here.
    await expectReceived([
      ["Create", "Article", charterIri],
      // The charter changed the actor's profile fields (services): followers get the new actor.
      ["Update", "Group", a.actorUrl],
      ["Create", "Proposal", offerIri],
      ["Create", "Proposal", needIri],
      ["Create", "Article", practiceIri],
      ["Update", "Proposal", offerIri],
      ["Update", "Proposal", offerIri],
      ["Delete", "Tombstone", offerIri],
    ]);
    expect((await receivedAtB()).filter((r) => r.objectType === "Note")).toEqual([]);
    // And the following pod's view fills from them.
    const view = async (path: string) =>
      (await (await fetch(`${b.url}/view/${path}?limit=50`)).json()).items as { iri: string }[];
    await waitUntil(async () => (await view("needs")).some((item) => item.iri === needIri));
    expect((await view("practices")).map((item) => item.iri)).toEqual([practiceIri]);
    expect((await view("charters")).map((item) => item.iri)).toEqual([charterIri]);
    expect((await view("surplus")).map((item) => item.iri)).not.toContain(offerIri);
    for (const r of await receivedAtB()) {
      expect(r.actorIri).toBe(a.actorUrl);
      expect(r.fromFollowed).toBe(true);
    }
  });

  const whatWasPublished =
    "what was published is dereferenceable at its id, withdrawn ids answer 410, and collections let a new follower " +
    "backfill";
  it(whatWasPublished, async () => {
    const offers = await collectionItems(a, `${a.actorUrl}/offers`);
    expect(offers).toEqual([]);
    const needs = await collectionItems(a, `${a.actorUrl}/needs`);
    expect(needs).toHaveLength(1);
    const need = await a.getActivityPub(needs[0]!);
    expect(need).toMatchObject({ type: "Proposal", purpose: "request", name: "Ladders", attributedTo: a.actorUrl });

    const received = await receivedAtB();
    const withdrawn = received.find((r) => r.type === "Delete")!.objectIri!;
    const gone = await fetch(withdrawn, { headers: { accept: "application/activity+json" } });
    expect(gone.status).toBe(410);
    expect((await gone.json()).type).toBe("Tombstone");
    expect((await fetch(withdrawn)).status).toBe(410);

    const profile = await (await fetch(`${a.url}/@pod`)).text();
    expect(profile).toContain("Ladders");
    expect(profile).toContain("A food route that takes an hour");
    expect(profile).toContain('href="/charter"');
    expect(profile).not.toContain("Apples"); // withdrawn

    const page = await fetch(`${a.url}/charter`, { headers: { accept: "text/html" } });
    expect(page.headers.get("content-type")).toContain("text/html");
    expect(await page.text()).toContain("Food runs");

    const actor = await a.getActivityPub(a.actorUrl);
    expect(actor.streams).toEqual(
      expect.arrayContaining([
        `${a.actorUrl}/charter`,
        `${a.actorUrl}/offers`,
        `${a.actorUrl}/needs`,
        `${a.actorUrl}/practices`,
      ]),
    );
    expect(await collectionItems(a, `${a.actorUrl}/charter`)).toEqual([`${a.url}/charter`]);
    expect(await collectionItems(a, `${a.actorUrl}/practices`)).toHaveLength(1);
    expect(await collectionItems(a, `${a.actorUrl}/featured`)).toEqual([`${a.url}/charter/note`]);
    // The outbox lists what people read, each once as it stands: the withdrawn offer's note by its Delete,
    // the charter's, the need's and the practice's notes by their Creates (the offer's Updates are not listed).
    const outbox = await a.getActivityPub(`${a.actorUrl}/outbox`);
    expect(outbox.totalItems).toBe(4);
  });

  it("claims stay on the pod: who claimed is never published", async () => {
    const outbox = await collectionItems(a, `${a.actorUrl}/outbox`);
    expect(outbox).toHaveLength(4);
    const everything = JSON.stringify(await a.getActivityPub(`${a.actorUrl}/outbox?cursor=`));
    expect(everything).not.toContain("Elm St");
  });
});
