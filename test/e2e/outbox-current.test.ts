import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPod, waitUntil, type PodProcess } from "../support/pod-process.ts";
import { AS, iris, readOutbox, type ExpandedNode } from "../support/independent-reader.ts";
import { postRaw, signMastodonStyle, startRemoteActor, type RemoteActor } from "../support/remote-actor.ts";

/**
 * Independent servers read a pod's outbox when someone follows it or opens its profile, and copy its
 * Creates into timelines. What they read must be what the pod shows now: nothing withdrawn, nothing stale.
 */
describe("the outbox as an independent server reads it: current versions only, nothing withdrawn", () => {
  let pod: PodProcess;
  let alice: RemoteActor;

  beforeAll(async () => {
    [pod, alice] = await Promise.all([startPod("outbox"), startRemoteActor("alice")]);
  });
  afterAll(async () => {
    await Promise.all([pod?.stop(), alice?.close()]);
  });

  const outboxUrl = () => `${pod.actorUrl}/outbox`;
  const offer = async (name: string, description: string) => {
    const response = await pod.admin("POST", "/offers", {
      name,
      description,
      category: "food",
      quantity: 5,
      unit: "kg",
      area: { name: "Riverside" },
    });
    expect(response.status).toBe(201);
    return response.body.id as string;
  };
  /** The items of every page, expanded. */
  const items = (expanded: ExpandedNode[]) =>
    expanded.slice(1).flatMap((page) => {
      const list = page[`${AS}items`] ?? []; // orderedItems expands to as:items with an @list
      return list.flatMap((entry) => ((entry as { "@list"?: unknown[] })["@list"] ?? [entry]) as ExpandedNode[]);
    });
  const typeOf = (node: ExpandedNode) => node["@type"]?.[0];
  const objectOf = (node: ExpandedNode) => (node[`${AS}object`]?.[0] ?? {}) as ExpandedNode;
  const text = (node: ExpandedNode, property: string) =>
    (node[`${AS}${property}`] ?? []).map((value) => String((value as { "@value"?: unknown })["@value"] ?? ""));

  it("an empty outbox page carries an empty orderedItems", async () => {
    const { raw, expanded } = await readOutbox(outboxUrl());
    expect(raw[0]).toMatchObject({ type: "OrderedCollection", totalItems: 0 });
    expect(raw).toHaveLength(2);
    expect(raw[1].type).toBe("OrderedCollectionPage");
    expect(raw[1].orderedItems).toEqual([]);
    expect(expanded[1]![`${AS}items`]).toEqual([{ "@list": [] }]);
    expect(items(expanded)).toEqual([]);
  });

  const afterPublishUpdate =
    "after publish, update and withdraw, a new follower reads only current versions and no withdrawn content";
  it(afterPublishUpdate, async () => {
    const apples = await offer("Apples from the orchard", "Crisp ORCHARD-APPLES-TEXT");
    const pears = await offer("Pears", "First words OLD-PEARS-TEXT");
    expect(
      (await pod.admin("PATCH", `/offers/${pears}`, { name: "Pears, ripe", description: "Now NEW-PEARS-TEXT" })).status,
    ).toBe(200);
    expect((await pod.admin("POST", `/offers/${apples}/withdraw`)).status).toBe(200);

    // A remote server's user follows the pod, and the server reads the outbox (as they do on follow).
    const follow = {
      "@context": "https://www.w3.org/ns/activitystreams",
      id: `${alice.actorId}/follows/1`,
      type: "Follow",
      actor: alice.actorId,
      object: pod.actorUrl,
    };
    expect((await postRaw(await signMastodonStyle(alice, `${pod.actorUrl}/inbox`, follow))).status).toBeLessThan(300);
    await waitUntil(() => alice.inbox.some((r) => JSON.parse(r.body.toString("utf8")).type === "Accept"));
    const { raw, expanded } = await readOutbox(outboxUrl());

    const everything = JSON.stringify(raw);
    expect(everything).not.toContain("ORCHARD-APPLES-TEXT");
    expect(everything).not.toContain("Apples from the orchard");
    expect(everything).not.toContain("OLD-PEARS-TEXT");
    expect(everything).toContain("NEW-PEARS-TEXT");

    const listed = items(expanded);
    expect(listed.length).toBe(raw[0].totalItems);
    const applesIri = `${pod.url}/offers/${apples}`;
    const pearsIri = `${pod.url}/offers/${pears}`;
    // The outbox holds what people read, each once: Pears' note by its Create (now carrying the updated
    // note), Apples' note by its Delete (a Tombstone). The Proposals are for pods, which read /offers.
    const byObject = listed.map((item) => `${typeOf(item)?.replace(AS, "")} ${objectOf(item)["@id"]}`).sort();
    expect(byObject).toEqual([`Create ${pearsIri}/note`, `Delete ${applesIri}/note`].sort());
    for (const item of listed) {
      const object = objectOf(item);
      if (typeOf(item) === `${AS}Delete`) expect(typeOf(object)).toBe(`${AS}Tombstone`);
      if (object["@id"] === pearsIri) expect(text(object, "name")).toEqual(["Pears, ripe"]);
      if (object["@id"] === `${pearsIri}/note`) expect(text(object, "content").join(" ")).toContain("Pears, ripe");
    }
    expect(listed.every((item) => iris(item, `${AS}actor`)[0] === pod.actorUrl)).toBe(true);
  });
});
