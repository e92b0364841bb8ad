import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mastodonGet, operatorAppToken } from "../support/oauth-consent.ts";
import { collectionItems, startPod, waitUntil, type PodProcess } from "../support/pod-process.ts";
import { deliveriesSettled } from "../support/pod-queue.ts";
import { postRaw, signMastodonStyle, startRemoteActor, type RemoteActor } from "../support/remote-actor.ts";

const AS = "https://www.w3.org/ns/activitystreams";
const PUBLIC = `${AS}#Public`;

describe("Mastodon-shaped activities, signed by an independent implementation, and what the pod does with them", () => {
  let pod: PodProcess;
  /** Follows the pod, replies to its offer, likes and boosts it, then deletes herself. */
  let carol: RemoteActor;
  /** Not a follower: mentions the pod once, and posts something unrelated. */
  let dave: RemoteActor;
  let token: string;
  let offerId: string;
  let noteIri: string;

  beforeAll(async () => {
    [pod, carol, dave] = await Promise.all([
      startPod("s2s"),
      startRemoteActor("carol", {
        name: "Carol",
        actorFields: () => ({
          // Mastodon's own context for profile fields.
          "@context": [
            AS,
            "https://w3id.org/security/v1",
            { schema: "http://schema.org#", PropertyValue: "schema:PropertyValue", value: "schema:value" },
          ],
          summary: '<p>Gardener<script>alert("x")</script></p>',
          attachment: [
            { type: "PropertyValue", name: "Street", value: "Elm" },
            { type: "PropertyValue", name: "Site", value: '<a href="javascript:alert(1)">me</a>' },
          ],
        }),
      }),
      startRemoteActor("dave", {
        serve: (url) =>
          url.pathname === "/users/dave/statuses/2" ? { "@context": AS, ...daveUnrelated() } : undefined,
      }),
    ]);
    token = await operatorAppToken(pod.url);
    const offer = await pod.admin("POST", "/offers", {
      name: "Pears",
      category: "food",
      quantity: 10,
      unit: "kg",
      area: { name: "Riverside" },
    });
    offerId = offer.body.id;
    noteIri = `${pod.url}/offers/${offerId}/note`;
  });
  afterAll(async () => {
    await Promise.all([pod?.stop(), carol?.close(), dave?.close()]);
  });

  const inbox = () => `${pod.actorUrl}/inbox`;
  const daveUnrelated = () => ({
    id: `${dave.actorId}/statuses/2`,
    type: "Note",
    attributedTo: dave.actorId,
    content: "<p>Nice weather</p>",
    to: [PUBLIC],
  });
  const post = async (body: Record<string, unknown>) =>
    (
      await fetch(`${pod.url}/api/v1/statuses`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      })
    ).json();
  const deliveredTo = (actor: RemoteActor) => actor.inbox.map((r) => JSON.parse(r.body.toString("utf8")));
  async function send(actor: RemoteActor, activity: Record<string, unknown>): Promise<number> {
    const response = await postRaw(await signMastodonStyle(actor, inbox(), { "@context": AS, ...activity }));
    return response.status;
  }
  const api = (path: string) => mastodonGet(pod.url, token, path);
  const ownOfferStatus = async () =>
    (await api("/api/v1/timelines/home?limit=40")).body.find((s: { uri: string }) => s.uri === noteIri);
  const notifications = async () =>
    (await api("/api/v1/notifications")).body as {
      type: string;
      account: { acct: string };
      status: { uri: string } | null;
    }[];
  const carolAcct = () => `carol@${new URL(carol.actorId).host}`;
  const reply = (id: string, content: string, extra: Record<string, unknown> = {}) => ({
    id: `${carol.actorId}/statuses/${id}`,
    type: "Note",
    attributedTo: carol.actorId,
    inReplyTo: noteIri,
    content,
    to: [PUBLIC],
    cc: [`${carol.actorId}/followers`, pod.actorUrl],
    tag: [{ type: "Mention", href: pod.actorUrl, name: "@pod" }],
    published: new Date().toISOString(),
    ...extra,
  });

  it("the pod's own offer is a status in its home timeline (the readable Note, public)", async () => {
    const status = await ownOfferStatus();
    expect(status).toBeDefined();
    expect(status.account.acct).toBe("pod");
    expect(status.content).toContain("Pears");
    expect(status.replies_count).toBe(0);
  });

  it("Follow: accepted, and the operator is notified with the follower's sanitised profile", async () => {
    expect(
      await send(carol, {
        id: `${carol.actorId}#follow-1`,
        type: "Follow",
        actor: carol.actorId,
        object: pod.actorUrl,
      }),
    ).toBe(202);
    await waitUntil(async () => (await notifications()).some((n) => n.type === "follow"));
    const follow = (await notifications()).find((n) => n.type === "follow")!;
    expect(follow.account.acct).toBe(carolAcct());
    const account = (await api(`/api/v1/accounts/lookup?acct=${carolAcct()}`)).body;
    expect(account.display_name).toBe("Carol");
    expect(account.note).toBe("<p>Gardener</p>");
    expect(account.fields.map((f: { name: string }) => f.name)).toEqual(["Street", "Site"]);
    expect(account.fields[1].value).not.toContain("javascript:");
    expect(await collectionItems(pod, `${pod.actorUrl}/followers`)).toContain(carol.actorId);
  });

  const createnoteReplyingOffer =
    "Create(Note) replying to the offer: kept as a response (sanitised), counted, on its page, and the operator is " +
    "notified";
  it(createnoteReplyingOffer, async () => {
    const note = reply(
      "1",
      '<p>I can take <b>5 kg</b> for the school<script>steal()</script> <a href="javascript:x()">here</a></p>',
      { url: "javascript:alert(document.domain)" },
    );
    expect(
      await send(carol, {
        id: `${note.id}/activity`,
        type: "Create",
        actor: carol.actorId,
        to: note.to,
        cc: note.cc,
        object: note,
      }),
    ).toBe(202);
    await waitUntil(async () => (await pod.admin("GET", `/offers/${offerId}`)).body.responses.length === 1);
    const [response] = (await pod.admin("GET", `/offers/${offerId}`)).body.responses;
    expect(response.author).toBe(`@${carolAcct()}`);
    expect(response.content).toContain("5 kg");
    expect(response.content).not.toMatch(/script|javascript:|steal/);
    expect(
      (await pod.admin("GET", "/offers")).body.items.find((o: { id: string }) => o.id === offerId).responseCount,
    ).toBe(1);
    expect(response.url).toBe(note.id);
    const pageResponse = await fetch(`${pod.url}/offers/${offerId}`);
    expect(pageResponse.headers.get("content-security-policy")).toContain("default-src 'none'");
    const page = await pageResponse.text();
    expect(page).not.toContain("javascript:");
    expect(page).toContain("Responses (1)");
    expect(page).toContain("for the school");
    expect(page).not.toContain("steal()");
    expect((await ownOfferStatus()).replies_count).toBe(1);
    const mention = (await notifications()).find((n) => n.type === "mention")!;
    expect(mention.status!.uri).toBe(note.id);
    const context = (await api(`/api/v1/statuses/${(await ownOfferStatus()).id}/context`)).body;
    expect(context.descendants.map((s: { uri: string }) => s.uri)).toEqual([note.id]);
  });

  const sameCreateTwice =
    "the same Create twice changes nothing; a followers-only reply is shown to the operator but not on the page";
  it(sameCreateTwice, async () => {
    const note = reply("1", "<p>again</p>");
    await send(carol, {
      id: `${note.id}/activity`,
      type: "Create",
      actor: carol.actorId,
      to: note.to,
      cc: note.cc,
      object: reply("1", "<p>I can take <b>5 kg</b></p>"),
    });
    const quiet = reply("2", "<p>My address is 12 Elm</p>", {
      to: [`${carol.actorId}/followers`, pod.actorUrl],
      cc: [],
    });
    expect(
      await send(carol, {
        id: `${quiet.id}/activity`,
        type: "Create",
        actor: carol.actorId,
        to: quiet.to,
        object: quiet,
      }),
    ).toBe(202);
    await waitUntil(async () => (await pod.admin("GET", `/offers/${offerId}`)).body.responses.length === 2);
    const responses = (await pod.admin("GET", `/offers/${offerId}`)).body.responses;
    expect(responses.map((r: { visibility: string }) => r.visibility)).toEqual(["public", "private"]);
    expect(await (await fetch(`${pod.url}/offers/${offerId}`)).text()).not.toContain("12 Elm");
    expect((await notifications()).filter((n) => n.type === "mention")).toHaveLength(2);
  });

  it("Like and Announce of the offer count on it and notify; Undo takes them back", async () => {
    const likeId = `${carol.actorId}#likes/1`;
    expect(await send(carol, { id: likeId, type: "Like", actor: carol.actorId, object: noteIri })).toBe(202);
    expect(
      await send(carol, {
        id: `${carol.actorId}/statuses/3/activity`,
        type: "Announce",
        actor: carol.actorId,
        object: noteIri,
        to: [PUBLIC],
        cc: [pod.actorUrl],
      }),
    ).toBe(202);
    await waitUntil(
      async () => (await ownOfferStatus()).reblogs_count === 1 && (await ownOfferStatus()).favourites_count === 1,
    );
    const types = (await notifications()).map((n) => n.type);
    expect(types).toContain("favourite");
    expect(types).toContain("reblog");
    expect(
      await send(carol, {
        id: `${likeId}/undo`,
        type: "Undo",
        actor: carol.actorId,
        object: { id: likeId, type: "Like", actor: carol.actorId, object: noteIri },
      }),
    ).toBe(202);
    await waitUntil(async () => (await ownOfferStatus()).favourites_count === 0);
    expect((await ownOfferStatus()).reblogs_count).toBe(1);
    // Liking again counts again but tells the operator only once.
    expect(await send(carol, { id: `${likeId}/again`, type: "Like", actor: carol.actorId, object: noteIri })).toBe(202);
    await waitUntil(async () => (await ownOfferStatus()).favourites_count === 1);
    expect((await notifications()).filter((n) => n.type === "favourite")).toHaveLength(1);
  });

  it("a mention from someone the pod does not follow notifies; an unrelated post from them is not kept", async () => {
    const mention = {
      id: `${dave.actorId}/statuses/1`,
      type: "Note",
      attributedTo: dave.actorId,
      content: "<p>@pod do you have ladders?</p>",
      to: [pod.actorUrl],
      tag: [{ type: "Mention", href: pod.actorUrl }],
    };
    const unrelated = daveUnrelated();
    expect(
      await send(dave, {
        id: `${mention.id}/activity`,
        type: "Create",
        actor: dave.actorId,
        to: mention.to,
        object: mention,
      }),
    ).toBe(202);
    expect(
      await send(dave, {
        id: `${unrelated.id}/activity`,
        type: "Create",
        actor: dave.actorId,
        to: unrelated.to,
        object: unrelated,
      }),
    ).toBe(202);
    await waitUntil(async () =>
      (await notifications()).some((n) => n.type === "mention" && n.status?.uri === mention.id),
    );
    const direct = (await notifications()).find((n) => n.status?.uri === mention.id)!;
    expect((direct.status as unknown as { visibility: string }).visibility).toBe("direct");
    const search = (await api(`/api/v2/search?q=${encodeURIComponent(unrelated.id)}`)).body;
    expect(search.statuses).toEqual([]);
  });

  it("search with resolve=true fetches a post the pod did not keep", async () => {
    const found = (await api(`/api/v2/search?resolve=true&q=${encodeURIComponent(daveUnrelated().id)}`)).body;
    expect(found.statuses.map((s: { uri: string }) => s.uri)).toEqual([daveUnrelated().id]);
    expect(found.statuses[0].account.acct).toBe(`dave@${new URL(dave.actorId).host}`);
  });

  const notesWrittenApp =
    "notes written in an app reach followers with the visibility chosen; direct notes only the mentioned";
  it(notesWrittenApp, async () => {
    const followersOnly = await post({ status: "Pickup moved to 6pm", visibility: "private" });
    await waitUntil(() => deliveredTo(carol).some((a) => a.object?.id === followersOnly.uri));
    const create = deliveredTo(carol).find((a) => a.object?.id === followersOnly.uri);
    const audience = [create.object.to, create.object.cc].flat().filter(Boolean);
    expect(audience).toContain(`${pod.actorUrl}/followers`);
    expect(audience.some((iri: string) => iri === PUBLIC || iri === "as:Public" || iri === "Public")).toBe(false);
    expect((await fetch(followersOnly.uri, { headers: { accept: "application/activity+json" } })).status).toBe(404);
    const outbox = await collectionItems(pod, `${pod.actorUrl}/outbox`);
    expect(outbox.some((item) => item.includes(followersOnly.id))).toBe(false);

    const daveAcct = `dave@${new URL(dave.actorId).host}`;
    const direct = await post({ status: `@${daveAcct} yes, two ladders`, visibility: "direct" });
    expect(direct.mentions.map((m: { acct: string }) => m.acct)).toEqual([daveAcct]);
    await waitUntil(() => deliveredTo(dave).some((a) => a.object?.id === direct.uri));
    const toDave = deliveredTo(dave).find((a) => a.object?.id === direct.uri);
    expect([toDave.object.to].flat()).toEqual([dave.actorId]);
    // A single tag compacts to an object; Mastodon reads `tag` with as_array.
    expect([toDave.object.tag].flat()).toMatchObject([{ type: "Mention", href: dave.actorId }]);
    // Everything the pod queued about the direct post has been delivered; none of it went to carol.
    await deliveriesSettled(pod, direct.uri);
    expect(deliveredTo(carol).some((a) => a.object?.id === direct.uri)).toBe(false);
  });

  it("a reply whose author is on another host than the sender is refused", async () => {
    const forged = reply("9", "<p>forged</p>", { id: `${dave.actorId}/statuses/9`, attributedTo: dave.actorId });
    expect(
      await send(carol, {
        id: `${carol.actorId}/statuses/9/activity`,
        type: "Create",
        actor: carol.actorId,
        to: forged.to,
        object: forged,
      }),
    ).toBe(202);
    // The inbox handles an activity before it answers: the refusal is done by now.
    expect(
      (await pod.admin("GET", `/offers/${offerId}`)).body.responses.map((r: { url: string }) => r.url),
    ).not.toContain(forged.id);
  });

  it("Update of the actor refreshes the account", async () => {
    const updated = {
      id: carol.actorId,
      type: "Person",
      preferredUsername: "carol",
      name: "Carol at the garden",
      inbox: carol.inboxUrl,
      publicKey: { id: carol.keyId, owner: carol.actorId, publicKeyPem: carol.publicKeyPem },
    };
    expect(
      await send(carol, {
        id: `${carol.actorId}#updates/1`,
        type: "Update",
        actor: carol.actorId,
        to: [PUBLIC],
        object: updated,
      }),
    ).toBe(202);
    await waitUntil(
      async () =>
        (await api(`/api/v1/accounts/lookup?acct=${carolAcct()}`)).body.display_name === "Carol at the garden",
    );
  });

  it("Delete of the actor: her follow, replies, reactions and notifications go", async () => {
    expect(
      await send(carol, {
        id: `${carol.actorId}#delete`,
        type: "Delete",
        actor: carol.actorId,
        to: [PUBLIC],
        object: carol.actorId,
      }),
    ).toBe(202);
    await waitUntil(async () => (await api(`/api/v1/accounts/lookup?acct=${carolAcct()}`)).status === 404);
    expect((await pod.admin("GET", `/offers/${offerId}`)).body.responses).toEqual([]);
    expect(await collectionItems(pod, `${pod.actorUrl}/followers`)).not.toContain(carol.actorId);
    const status = await ownOfferStatus();
    expect([status.replies_count, status.reblogs_count, status.favourites_count]).toEqual([0, 0, 0]);
    expect((await notifications()).every((n) => !n.account.acct.startsWith("carol@"))).toBe(true);
  });
});

describe("follow requests from Mastodon accounts, answered from an app", () => {
  let pod: PodProcess;
  let erin: RemoteActor;
  let token: string;

  beforeAll(async () => {
    [pod, erin] = await Promise.all([
      startPod("approving", { POD_APPROVE_FOLLOWERS: "true" }),
      startRemoteActor("erin"),
    ]);
    token = await operatorAppToken(pod.url);
  });
  afterAll(async () => {
    await Promise.all([pod?.stop(), erin?.close()]);
  });

  it("a held Follow is a follow request the app lists and authorizes; the follower gets a signed Accept", async () => {
    const follow = {
      "@context": AS,
      id: `${erin.actorId}#follow`,
      type: "Follow",
      actor: erin.actorId,
      object: pod.actorUrl,
    };
    expect((await postRaw(await signMastodonStyle(erin, `${pod.actorUrl}/inbox`, follow))).status).toBe(202);
    await waitUntil(async () => (await mastodonGet(pod.url, token, "/api/v1/follow_requests")).body.length === 1);
    const [request] = (await mastodonGet(pod.url, token, "/api/v1/follow_requests")).body;
    expect(request.acct).toBe(`erin@${new URL(erin.actorId).host}`);
    const notes = (await mastodonGet(pod.url, token, "/api/v1/notifications")).body;
    expect(notes.map((n: { type: string }) => n.type)).toEqual(["follow_request"]);
    const me = (await mastodonGet(pod.url, token, "/api/v1/accounts/verify_credentials")).body;
    expect(me.locked).toBe(true);
    expect(me.source.follow_requests_count).toBe(1);
    const answer = await fetch(`${pod.url}/api/v1/follow_requests/${request.id}/authorize`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}` },
    });
    expect((await answer.json()).followed_by).toBe(true);
    await waitUntil(() => erin.inbox.some((r) => JSON.parse(r.body.toString("utf8")).type === "Accept"));
    expect((await mastodonGet(pod.url, token, "/api/v1/follow_requests")).body).toEqual([]);
  });
});
