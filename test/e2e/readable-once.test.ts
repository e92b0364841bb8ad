import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPod, waitUntil, type PodProcess } from "../support/pod-process.ts";
import { postRaw, signMastodonStyle, startRemoteActor, type RemoteActor } from "../support/remote-actor.ts";

type Json = Record<string, any>;

/** Tags removed, the common entities decoded: what a reader sees. */
const visible = (html: string) =>
  html
    .replace(/<[^>]*>/g, " ")
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, "&")
    .replace(/\s+/g, " ");

/**
 * A person on a Mastodon-like server follows the pod. Independent servers showed the charter twice (its
 * Article and its Note) and could not read practices (an Article with name and summary). Each
 * publication must reach her once, as a Note she can read, with a link to the full object.
 */
describe("a Mastodon-like follower reads each publication once, as a Note", () => {
  let pod: PodProcess;
  let alice: RemoteActor;

  beforeAll(async () => {
    [pod, alice] = await Promise.all([startPod("readable"), startRemoteActor("alice")]);
    const follow = {
      "@context": "https://www.w3.org/ns/activitystreams",
      id: `${alice.actorId}/follows/1`,
      type: "Follow",
      actor: alice.actorId,
      object: pod.actorUrl,
    };
    expect((await postRaw(await signMastodonStyle(alice, `${pod.actorUrl}/inbox`, follow))).status).toBeLessThan(300);
    await waitUntil(() => received().some((a) => a.type === "Accept"));
  });
  afterAll(async () => {
    await Promise.all([pod?.stop(), alice?.close()]);
  });

  const received = (): Json[] => alice.inbox.map((r) => JSON.parse(r.body.toString("utf8")) as Json);
  /** Creates and Updates of objects (not of the pod's actor, whose profile changes with the charter). */
  const publications = () =>
    received().filter((a) => (a.type === "Create" || a.type === "Update") && a.object?.id !== pod.actorUrl);

  const offerCharterPractice =
    "offer, charter and practice: exactly one Create(Note) each, saying what it is and linking it; no Article or " +
    "Proposal";
  it(offerCharterPractice, async () => {
    const offer = await pod.admin("POST", "/offers", {
      name: "Apples",
      description: "From the orchard",
      category: "food",
      quantity: 20,
      unit: "kg",
      area: { name: "Riverside" },
    });
    expect(offer.status).toBe(201);
    const charter = await pod.admin("PUT", "/charter", {
      changeNote: "First charter",
      services: [{ key: "food-runs", name: "Food runs", category: "food", area: "Riverside" }],
      planned: [],
    });
    expect(charter.status).toBe(201);
    const practice = await pod.admin("POST", "/practices", {
      title: "A food route that takes an hour",
      summary: "Group pickups by street and drive one loop.",
      body: "1. Sort by street\n2. Drive the loop",
      tags: ["food"],
    });
    expect(practice.status).toBe(201);

    const expected = [
      { object: `${pod.url}/offers/${offer.body.id}`, said: ["Apples", "20 kg", "Riverside"] },
      { object: `${pod.url}/charter`, said: ["People's Service Charter", "Food runs"] },
      {
        object: `${pod.url}/practices/${practice.body.id}`,
        said: ["A food route that takes an hour", "Group pickups by street and drive one loop."],
      },
    ];
    // Each Note is queued after anything else of its object (one ordering key per object), so once the
    // three Notes are here, an Article or Proposal sent for the same object would be here too.
    await waitUntil(
      () => expected.every(({ object }) => publications().some((a) => a.object.id === `${object}/note`)),
      20_000,
    );

    const all = publications();
    expect(all.map((a) => `${a.type} ${a.object.type}`)).toEqual(["Create Note", "Create Note", "Create Note"]);
    for (const { object, said } of expected) {
      const notes = all.filter((a) => a.object.id === `${object}/note`);
      expect(notes, object).toHaveLength(1);
      const note = notes[0]!.object;
      expect(note.name).toBeUndefined();
      expect(note.summary).toBeUndefined();
      for (const words of said) expect(visible(note.content), object).toContain(words);
      expect(note.content).toContain(`href="${object}"`);
      expect(note.url).toBe(object);
    }
    expect(JSON.stringify(received())).not.toMatch(/"type":"(Article|Proposal)"/);
  });

  it("an edited practice arrives as one Update of its Note; a withdrawn one as one Delete of its Note", async () => {
    const practice = await pod.admin("POST", "/practices", {
      title: "Tool library",
      summary: "Lend drills by the week.",
      tags: [],
    });
    expect(practice.status).toBe(201);
    const iri = `${pod.url}/practices/${practice.body.id}`;
    expect(
      (await pod.admin("PATCH", `/practices/${practice.body.id}`, { summary: "Lend drills and ladders by the week." }))
        .status,
    ).toBe(200);
    expect((await pod.admin("POST", `/practices/${practice.body.id}/withdraw`)).status).toBe(200);
    const about = () =>
      received().filter(
        (a) => [a.object?.id, a.object].includes(iri) || [a.object?.id, a.object].includes(`${iri}/note`),
      );
    await waitUntil(() => about().some((a) => a.type === "Delete"), 20_000);
    expect(about().map((a) => `${a.type} ${a.object.type ?? ""} ${a.object.id ?? a.object}`)).toEqual([
      `Create Note ${iri}/note`,
      `Update Note ${iri}/note`,
      `Delete Tombstone ${iri}/note`,
    ]);
    expect(visible(about()[1]!.object.content)).toContain("Lend drills and ladders by the week.");
    // The Note's id answers 410 now, as the Article's does.
    expect((await fetch(`${iri}/note`, { headers: { accept: "application/activity+json" } })).status).toBe(410);
  });

  const outboxSuchServer =
    "the outbox such a server reads on follow or profile view holds the Notes, not the structured objects";
  it(outboxSuchServer, async () => {
    const first = await pod.getActivityPub(`${pod.actorUrl}/outbox?cursor=`);
    const types = (first.orderedItems as Json[]).map((a) => `${a.type} ${a.object.type}`);
    expect(types.length).toBeGreaterThan(0);
    for (const type of types) expect(["Create Note", "Delete Tombstone"]).toContain(type);
    expect(JSON.stringify(first)).not.toMatch(/"type":"(Article|Proposal)"/);
  });
});
