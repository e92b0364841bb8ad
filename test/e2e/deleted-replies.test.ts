import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPod, waitUntil, type PodProcess } from "../support/pod-process.ts";
import { postRaw, signMastodonStyle, startRemoteActor, type RemoteActor } from "../support/remote-actor.ts";

const AS = "https://www.w3.org/ns/activitystreams";
const PUBLIC = `${AS}#Public`;

/**
 * A Mastodon-style account replies to the pod's offer, then deletes the reply; its Create arrives again later (a
 * retry, a slow relay). The pod keeps the Delete: the reply does not come back. Each send is answered once the
 * delivery is stored, and a later reply that shows up proves the ones before it were read.
 */
describe("a reply its author deleted stays deleted", () => {
  let pod: PodProcess;
  let frank: RemoteActor;
  let offerId: string;

  beforeAll(async () => {
    [pod, frank] = await Promise.all([startPod("deleted-replies"), startRemoteActor("frank")]);
    const offer = await pod.admin("POST", "/offers", {
      name: "Plums",
      category: "food",
      quantity: 3,
      unit: "kg",
      area: { name: "Riverside" },
    });
    offerId = offer.body.id;
  });
  afterAll(async () => {
    await Promise.all([pod?.stop(), frank?.close()]);
  });

  const reply = (n: number) => ({
    id: `${frank.actorId}/statuses/${n}`,
    type: "Note",
    attributedTo: frank.actorId,
    inReplyTo: `${pod.url}/offers/${offerId}/note`,
    content: `<p>reply ${n}</p>`,
    to: [PUBLIC],
    cc: [pod.actorUrl],
    tag: [{ type: "Mention", href: pod.actorUrl, name: "@pod" }],
    published: new Date().toISOString(),
  });
  const send = async (activity: Record<string, unknown>) =>
    (await postRaw(await signMastodonStyle(frank, `${pod.actorUrl}/inbox`, { "@context": AS, ...activity }))).status;
  const create = (n: number) =>
    send({ id: `${reply(n).id}/activity`, type: "Create", actor: frank.actorId, to: [PUBLIC], object: reply(n) });
  const remove = (n: number) =>
    send({
      id: `${reply(n).id}#delete`,
      type: "Delete",
      actor: frank.actorId,
      to: [PUBLIC],
      object: { id: reply(n).id, type: "Tombstone" },
    });
  const responses = async () =>
    ((await pod.admin("GET", `/offers/${offerId}`)).body.responses as { url: string }[]).map((r) => r.url);

  it("a late Create after the Delete, or a Create after a Delete that came first, keeps nothing", async () => {
    expect(await create(1)).toBe(202);
    await waitUntil(async () => (await responses()).includes(reply(1).id));
    expect(await remove(1)).toBe(202);
    await waitUntil(async () => !(await responses()).includes(reply(1).id));
    expect(await create(1)).toBe(202);
    // The Delete of a reply the pod has not seen yet, then its Create.
    expect(await remove(2)).toBe(202);
    expect(await create(2)).toBe(202);
    expect(await create(3)).toBe(202);
    await waitUntil(async () => (await responses()).includes(reply(3).id));
    expect(await responses()).toEqual([reply(3).id]);
  });
});
