import { createHash } from "node:crypto";
import {
  parseRequestSignature,
  verifyDigestHeader,
  verifyDraftSignature,
  type RequestLike,
} from "@misskey-dev/node-http-message-signatures";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collectionItems, startPod, waitUntil, type PodProcess } from "../support/pod-process.ts";
import { deliveriesSettled } from "../support/pod-queue.ts";
import {
  MASTODON_SIGNED_HEADERS,
  postRaw,
  signMastodonStyle,
  startRemoteActor,
  type ReceivedRequest,
  type RemoteActor,
} from "../support/remote-actor.ts";

/** How long a refused sender is watched for an (unwanted) Accept. */

const followSignedMastodonstyle =
  "a Follow signed Mastodon-style by an independent implementation (@misskey-dev/node-http-message-signatures)";
describe(followSignedMastodonstyle, () => {
  let pod: PodProcess;
  /** Follows properly and is accepted. */
  let alice: RemoteActor;
  /** Sends a correctly signed Follow whose body is then altered by one byte. */
  let mallory: RemoteActor;
  /** Sends a Follow with no signature at all. */
  let nobody: RemoteActor;
  let aliceFollowId: string;

  beforeAll(async () => {
    [pod, alice, mallory, nobody] = await Promise.all([
      startPod("mastodon-sig"),
      startRemoteActor("alice"),
      startRemoteActor("mallory"),
      startRemoteActor("nobody"),
    ]);
  });
  afterAll(async () => {
    await Promise.all([pod?.stop(), alice?.close(), mallory?.close(), nobody?.close()]);
  });

  const podInbox = () => `${pod.actorUrl}/inbox`;
  const followersUrl = () => `${pod.actorUrl}/followers`;
  const followers = () => collectionItems(pod, followersUrl());
  const followerCount = async () => (await pod.getActivityPub(followersUrl())).totalItems as number;
  const followActivity = (actor: RemoteActor, id: string) => ({
    "@context": "https://www.w3.org/ns/activitystreams",
    id,
    type: "Follow",
    actor: actor.actorId,
    object: pod.actorUrl,
  });
  const withLogs = (message: string) => `${message}\n--- pod logs ---\n${pod.logs().slice(-4000)}`;

  /** Verifies a request the pod sent, with the misskey library only, against the key the pod publishes. */
  async function verifyPodSignature(received: ReceivedRequest): Promise<{ keyId: string; headers: string[] }> {
    const request: RequestLike = { method: received.method, url: received.url, headers: received.headers };
    const parsed = parseRequestSignature(request, { requiredComponents: { draft: MASTODON_SIGNED_HEADERS } });
    expect(parsed.version).toBe("draft");
    if (parsed.version !== "draft") throw new Error("not a draft-cavage signature");
    expect(parsed.value.params.algorithm).toBe("rsa-sha256");
    const keyId = parsed.value.keyId;
    // The key is published on the pod actor (keyId is `<actor>#<fragment>`): fetch it like a remote server would.
    const keyOwnerUrl = new URL(keyId);
    keyOwnerUrl.hash = "";
    expect(keyOwnerUrl.href).toBe(pod.actorUrl);
    const actorDoc = await pod.getActivityPub(keyOwnerUrl.href);
    const keys = [actorDoc.publicKey].flat().filter(Boolean) as { id: string; owner: string; publicKeyPem: string }[];
    const key = keys.find((k) => k.id === keyId);
    expect(key, `pod actor publishes no publicKey with id ${keyId}`).toBeDefined();
    expect(key!.owner).toBe(pod.actorUrl);
    expect(await verifyDraftSignature(parsed.value, key!.publicKeyPem)).toBe(true);
    // And the signature really is bound to this key: a different key must not verify it.
    expect(await verifyDraftSignature(parsed.value, alice.publicKeyPem)).toBe(false);
    return { keyId, headers: parsed.value.params.headers };
  }

  const acceptsMastodonstyleSigned =
    "accepts a Mastodon-style signed Follow, lists the follower, and delivers a signed Accept of that Follow";
  it(acceptsMastodonstyleSigned, async () => {
    aliceFollowId = `${alice.actorId}/follows/1`;
    const post = await signMastodonStyle(alice, podInbox(), followActivity(alice, aliceFollowId));
    // Sanity: the request is shaped exactly like Mastodon's.
    expect(post.headers.Signature).toMatch(
      new RegExp(
        /^keyId="[^"]+#main-key",algorithm="rsa-sha256",/.source +
          /headers="\(request-target\) host date digest",signature="[A-Za-z0-9+/=]+"$/.source,
      ),
    );
    expect(post.headers.Digest).toBe(`SHA-256=${createHash("sha256").update(post.body).digest("base64")}`);
    expect(post.signingString.split("\n")[0]).toBe("(request-target): post /users/pod/inbox");

    const response = await postRaw(post);
    const responseText = await response.text();
    expect(response.status, withLogs(`inbox answered ${response.status}: ${responseText}`)).toBeGreaterThanOrEqual(200);
    expect(response.status, withLogs(`inbox answered ${response.status}: ${responseText}`)).toBeLessThan(300);

    // The pod fetched our actor (for the key and the follower's inbox).
    expect(alice.gets.some((get) => get.url.split("?")[0] === new URL(alice.actorId).pathname)).toBe(true);

    // The follower is stored and listed.
    await waitUntil(async () => (await followers()).includes(alice.actorId), 30_000).catch((error) => {
      throw new Error(withLogs(String(error)));
    });
    expect(await followers()).toEqual([alice.actorId]);
    expect(await followerCount()).toBe(1);
    const admin = await pod.admin("GET", "/followers");
    expect(admin.status).toBe(200);
    expect(admin.body.items).toEqual([expect.objectContaining({ actorIri: alice.actorId, state: "accepted" })]);

    // The Accept arrives at alice's inbox through the pod's queue.
    await waitUntil(() => alice.inbox.length > 0, 30_000).catch((error) => {
      throw new Error(withLogs(`no Accept delivered: ${String(error)}`));
    });
    expect(alice.inbox).toHaveLength(1);
    const delivery = alice.inbox[0]!;
    expect(delivery.method).toBe("POST");
    expect(delivery.url).toBe(new URL(alice.inboxUrl).pathname);
    expect(delivery.headers["content-type"]).toMatch(/^application\/(activity\+json|ld\+json)/);

    const accept = JSON.parse(delivery.body.toString("utf8"));
    expect(accept.type).toBe("Accept");
    expect(accept.actor).toBe(pod.actorUrl);
    const acceptedObject = typeof accept.object === "string" ? { id: accept.object } : accept.object;
    expect(acceptedObject.id).toBe(aliceFollowId);
    if (typeof accept.object === "object") {
      expect(accept.object.type).toBe("Follow");
      expect(accept.object.actor).toBe(alice.actorId);
      expect(accept.object.object).toBe(pod.actorUrl);
    }

    // The Digest covers exactly the bytes received...
    expect(delivery.headers.digest).toBeDefined();
    expect(
      await verifyDigestHeader(
        { method: delivery.method, url: delivery.url, headers: delivery.headers },
        new Uint8Array(delivery.body),
        true,
      ),
    ).toBe(true);
    expect(
      String(delivery.headers.digest)
        .split(",")
        .map((part) => part.trim()),
    ).toContain(`SHA-256=${createHash("sha256").update(delivery.body).digest("base64")}`);
    // ...and the HTTP signature (draft-cavage, rsa-sha256) verifies with the misskey library.
    const { headers } = await verifyPodSignature(delivery);
    for (const name of MASTODON_SIGNED_HEADERS) expect(headers).toContain(name);
  });

  it("refuses with 401 the same signed request with one byte of the body changed, and stores nothing", async () => {
    const countBefore = await followerCount();
    const followId = `${mallory.actorId}/follows/7`;
    const signed = await signMastodonStyle(mallory, podInbox(), followActivity(mallory, followId));

    // Change exactly one byte (the last character of the Follow id: '7' -> '6'); the JSON stays valid.
    const tampered = Buffer.from(signed.body);
    const index = tampered.indexOf(followId) + followId.length - 1;
    expect(String.fromCharCode(tampered[index]!)).toBe("7");
    tampered[index] = tampered[index]! ^ 1;
    expect([...tampered].filter((byte, i) => byte !== signed.body[i])).toHaveLength(1);
    expect(tampered.length).toBe(signed.body.length);
    expect(() => JSON.parse(tampered.toString("utf8"))).not.toThrow();

    const response = await postRaw({ url: signed.url, headers: signed.headers, body: tampered });
    const text = await response.text();
    expect(response.status, withLogs(`tampered Follow answered ${response.status}: ${text}`)).toBe(401);
    expect(response.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    expect(JSON.parse(text)).toMatchObject({ status: 401 });

    // Nothing is stored, and no Accept goes out: whatever the pod queued about mallory has been delivered.
    await deliveriesSettled(pod, mallory.actorId);
    expect(mallory.inbox).toEqual([]);
    expect(await followers()).not.toContain(mallory.actorId);
    expect(await followerCount()).toBe(countBefore);
    const admin = await pod.admin("GET", "/followers");
    expect(admin.body.items.map((item: { actorIri: string }) => item.actorIri)).not.toContain(mallory.actorId);
  });

  it("refuses with 401 an unsigned Follow and stores nothing", async () => {
    const countBefore = await followerCount();
    const body = Buffer.from(JSON.stringify(followActivity(nobody, `${nobody.actorId}/follows/1`)), "utf8");
    const response = await postRaw({
      url: podInbox(),
      body,
      headers: {
        "content-type": "application/activity+json",
        date: new Date().toUTCString(),
        digest: `SHA-256=${createHash("sha256").update(body).digest("base64")}`,
      },
    });
    const text = await response.text();
    expect(response.status, withLogs(`unsigned Follow answered ${response.status}: ${text}`)).toBe(401);
    expect(response.headers.get("content-type")).toMatch(/^application\/problem\+json/);

    await deliveriesSettled(pod, nobody.actorId);
    expect(nobody.inbox).toEqual([]);
    expect(await followers()).not.toContain(nobody.actorId);
    expect(await followerCount()).toBe(countBefore);
  });

  it("removes the follower on an Undo(Follow) signed the same way", async () => {
    expect(aliceFollowId, "the first test must have run").toBeDefined();
    expect(await followers()).toContain(alice.actorId);
    const undo = {
      "@context": "https://www.w3.org/ns/activitystreams",
      id: `${alice.actorId}/follows/1/undo`,
      type: "Undo",
      actor: alice.actorId,
      object: followActivity(alice, aliceFollowId),
    };
    const post = await signMastodonStyle(alice, `${pod.url}/inbox`, undo);
    expect(post.signingString.split("\n")[0]).toBe("(request-target): post /inbox");
    const response = await postRaw(post);
    const text = await response.text();
    expect(response.status, withLogs(`Undo answered ${response.status}: ${text}`)).toBeGreaterThanOrEqual(200);
    expect(response.status, withLogs(`Undo answered ${response.status}: ${text}`)).toBeLessThan(300);

    await waitUntil(async () => (await followerCount()) === 0, 30_000).catch((error) => {
      throw new Error(withLogs(String(error)));
    });
    expect(await followers()).toEqual([]);
    expect((await pod.admin("GET", "/followers")).body.items).toEqual([]);
  });
});
